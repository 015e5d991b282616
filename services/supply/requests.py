"""Bodies of supply's HTTP requests: the contract models, wrapped as the events carry them."""

from __future__ import annotations

from pydantic import BaseModel

from schemas.capacity import CapacityOffer, ProviderProfile
from schemas.types import Identifier


class ProviderEnrolment(BaseModel):
    network_id: Identifier
    provider: ProviderProfile


class ProviderView(ProviderEnrolment):
    entity_version: int


class OfferSubmission(BaseModel):
    offer: CapacityOffer



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
