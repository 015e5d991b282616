"""Demand: what firms need, aggregated by intake (topic welfare.demand.v1, key firm)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from schemas import limits
from schemas.envelope import Contract, NetworkScoped
from schemas.types import (
    Budget,
    Category,
    Headcount,
    Identifier,
    IsoWeek,
    IstatCode,
    Payer,
    Priority,
    Tag,
    UnitPrice,
    Units,
)


class DemandLine(Contract):
    """One firm's aggregated need: so many units in each of a set of weeks.

    A unit is one child, one care hour or one session, depending on the
    category. Continuity holds over the line: a unit served by an offer is
    served by it in every week of the line.
    """

    line_id: Identifier
    category: Category
    municipality: IstatCode
    weeks: list[IsoWeek] = Field(min_length=1, max_length=limits.MAX_WEEKS)
    units: Units = Field(description="units needed in each of the weeks")
    max_unit_price_eur: UnitPrice = Field(
        description="highest price per unit-week the firm accepts")
    priority: Priority = 1
    required_tags: list[Tag] = Field(default_factory=list, max_length=limits.MAX_TAGS)
    payer: Payer = Payer.FIRM
    respondents: Headcount = Field(
        description="employees whose answers the line aggregates (at least k)"
    )

    @field_validator("weeks", "required_tags")
    @classmethod
    def _sorted_unique(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("must not repeat a value")
        return sorted(values)


class FirmProfile(Contract):
    """A firm of the network and its welfare budget for the matching season."""

    firm_id: Identifier
    name: str = Field(min_length=1, max_length=limits.MAX_NAME_LENGTH)
    ateco_sector: str = Field(pattern=r"^[A-U]$", description="ATECO 2007 section letter")
    employees: Headcount
    welfare_budget_eur: Budget


class FirmEnrolled(NetworkScoped):
    """A firm joined the network, or changed its profile (a later version)."""

    entity_path = ("firm", "firm_id")
    event_type: Literal["FirmEnrolled"] = "FirmEnrolled"
    firm: FirmProfile


class DemandSubmitted(NetworkScoped):
    """A demand line was published, or replaced by a later version."""

    entity_path = ("line", "line_id")
    event_type: Literal["DemandSubmitted"] = "DemandSubmitted"
    firm_id: Identifier
    line: DemandLine


class DemandWithdrawn(NetworkScoped):
    """A demand line no longer stands."""

    entity_path = ("line_id",)
    event_type: Literal["DemandWithdrawn"] = "DemandWithdrawn"
    firm_id: Identifier
    line_id: Identifier
