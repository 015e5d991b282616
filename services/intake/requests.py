"""Bodies of intake's HTTP requests: the contract models, wrapped as the events carry them."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from schemas.demand import DemandLine, FirmProfile
from schemas.types import Identifier
from services.common.refusals import Invalid, must_match
from services.intake.domain.answers import SurveyAnswer


class FirmEnrolment(BaseModel):
    network_id: Identifier
    firm: FirmProfile


class FirmView(FirmEnrolment):
    entity_version: int


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
                          f"repeats the pseudonym of answer {first_index[item.pseudonym]}")
        first_index[item.pseudonym] = index
    return [SurveyAnswer.model_validate(item.model_dump(exclude={"firm_id"})) for item in items]


class Refusal(BaseModel):
    """Why a request was refused: ``error`` (or ``detail``) says it in one line; for
    bad input, ``errors`` names each field (and, for a CSV file, its row)."""

    error: str | None = None
    detail: str | None = None
    errors: list[dict] | None = None


REFUSALS: dict[int | str, dict] = {
    401: {"model": Refusal, "description": "No valid bearer token."},
    403: {"model": Refusal, "description": "The token's role or identity may not do this."},
    404: {"model": Refusal, "description": "Not enrolled, or no such entity."},
    409: {"model": Refusal, "description": "Conflicts with what is stored (an id held by "
                                           "another, a change of network)."},
    422: {"model": Refusal, "description": "Bad input; the body names each field."},
}
