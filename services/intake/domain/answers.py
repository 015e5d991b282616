"""One employee's survey answer: the employee-level datum that never leaves intake."""

from __future__ import annotations

from pydantic import Field, field_validator

from schemas import limits
from schemas.envelope import Contract
from schemas.types import Category, Identifier, IsoWeek, IstatCode, Tag, UnitPrice


class SurveyAnswer(Contract):
    """What one employee needs, under a pseudonym chosen by the firm.

    The pseudonym identifies the answer within its firm, so that it can be
    replaced or withdrawn; it carries no name or birth date.
    """

    pseudonym: Identifier
    category: Category
    municipality: IstatCode = Field(description="ISTAT code of where the employee lives")
    weeks: list[IsoWeek] = Field(min_length=1, max_length=limits.MAX_WEEKS)
    units: int = Field(ge=1, le=1000, description="units needed in each of the weeks")
    max_unit_price_eur: UnitPrice
    single_parent: bool = False
    dependent_relative: bool = False
    required_tags: list[Tag] = Field(default_factory=list, max_length=limits.MAX_TAGS)

    @field_validator("weeks", "required_tags")
    @classmethod
    def _sorted_unique(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("must not repeat a value")
        return sorted(values)

    @property
    def vulnerable(self) -> bool:
        return self.single_parent or self.dependent_relative
