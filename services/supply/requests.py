"""Bodies of supply's HTTP requests: the contract models, wrapped as the events carry them."""

from __future__ import annotations

from pydantic import BaseModel

from schemas.capacity import CapacityOffer, ProviderProfile
from schemas.types import Identifier
from services.supply.service_layer.errors import Invalid


class ProviderEnrolment(BaseModel):
    network_id: Identifier
    provider: ProviderProfile


class ProviderView(ProviderEnrolment):
    entity_version: int


class OfferSubmission(BaseModel):
    offer: CapacityOffer


def must_match(field: str, given: str, expected: str) -> None:
    if given != expected:
        raise Invalid(field, "must equal the id in the URL")
