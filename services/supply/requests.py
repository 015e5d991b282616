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
