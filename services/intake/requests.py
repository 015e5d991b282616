"""Bodies of intake's HTTP requests: the contract models, wrapped as the events carry them."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from schemas.demand import DemandLine, FirmProfile
from schemas.types import Identifier
from services.common.i18n import N_
from services.common.refusals import Invalid, must_match
from services.intake.domain.answers import SurveyAnswer
from services.intake.service_layer.demand import FirmDemand


class FirmEnrolment(BaseModel):
    network_id: Identifier
    firm: FirmProfile


class FirmView(FirmEnrolment):
    entity_version: int


class FirmWithDemand(BaseModel):
    """A firm's profile and its published lines, as ``GET /firms/{id}`` and
    ``GET /firms/{id}/demand`` give them."""

    profile: FirmView
    demand: FirmDemand


class LineSubmission(BaseModel):
    line: DemandLine


class AnswerIn(SurveyAnswer):
    firm_id: Identifier | None = Field(default=None, description="if given, the URL's firm")


class Withdrawal(BaseModel):
    pseudonyms: list[Identifier] = Field(min_length=1, max_length=100_000)



def answers_for(firm_id: str, items: Sequence[AnswerIn]) -> list[SurveyAnswer]:
    """The answers, refusing another firm's and repeated pseudonyms (without quoting them)."""
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.firm_id is not None:
            must_match(f"body.{index}.firm_id", item.firm_id, firm_id)
        if item.pseudonym in first_index:
            raise Invalid(f"body.{index}.pseudonym",
                          N_("repeats the pseudonym of answer {index}"),
                          index=first_index[item.pseudonym])
        first_index[item.pseudonym] = index
    return [SurveyAnswer.model_validate(item.model_dump(exclude={"firm_id"})) for item in items]
