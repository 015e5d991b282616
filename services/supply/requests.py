"""Bodies of supply's HTTP requests: the contract models, wrapped as the events carry them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from schemas.capacity import CapacityOffer, ProviderProfile
from schemas.types import Identifier
from services.supply.domain.answers import MAX_NOTE, DeclineReason
from services.supply.service_layer.offers import StandingOffer


class ProviderEnrolment(BaseModel):
    network_id: Identifier
    provider: ProviderProfile


class ProviderView(ProviderEnrolment):
    entity_version: int


class ProviderWithOffers(BaseModel):
    """A provider's profile and its standing offers, as ``GET /providers/{id}`` and
    ``GET /providers/{id}/offers`` give them."""

    profile: ProviderView
    offers: list[StandingOffer]


class OfferSubmission(BaseModel):
    offer: CapacityOffer


class ContractAnswer(BaseModel):
    """A provider's answer to its award: accept it, or decline all of it with a reason.

    ``round_id`` and ``entity_version`` are the award's as the matcher's read
    API lists them (``answer_round_id``, ``next_version``).
    """

    answer: Literal["accepted", "declined"]
    round_id: Identifier
    entity_version: int = Field(ge=2, le=1_000_000, description="2 for a first answer")
    reason: DeclineReason | None = Field(default=None, description="required to decline")
    note: str = Field(default="", max_length=MAX_NOTE,
                      description="the provider's own words; required with reason 'other'")
