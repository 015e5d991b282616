"""Capacity: what providers offer (topic welfare.capacity.v1, key provider)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from schemas import limits
from schemas.envelope import Contract, NetworkScoped
from schemas.types import (
    Capacity,
    Category,
    FixedCost,
    Identifier,
    IsoWeek,
    IstatCode,
    ProviderKind,
    Tag,
    UnitPrice,
)


class PriceTier(Contract):
    """All-units price: once a contract's volume reaches ``min_volume`` unit-weeks,
    every unit-week of it costs ``unit_price_eur`` (until the next tier)."""

    min_volume: int = Field(ge=0, le=limits.MAX_TIER_VOLUME)
    unit_price_eur: UnitPrice


class CapacityOffer(Contract):
    """A provider's offer for one category over an area and a set of weeks."""

    offer_id: Identifier
    category: Category
    municipalities: list[IstatCode] = Field(min_length=1, max_length=limits.MAX_MUNICIPALITIES)
    weeks: list[IsoWeek] = Field(min_length=1, max_length=limits.MAX_WEEKS)
    capacity_per_week: Capacity
    min_group_per_week: int = Field(default=0, ge=0, le=limits.MAX_CAPACITY_PER_WEEK)
    price_tiers: list[PriceTier] = Field(min_length=1, max_length=limits.MAX_TIERS)
    fixed_cost_per_week_eur: FixedCost = Field(default=Decimal("0.00"),
                                               description="paid by the network")
    tags: list[Tag] = Field(default_factory=list, max_length=limits.MAX_TAGS)

    @field_validator("municipalities", "weeks", "tags")
    @classmethod
    def _sorted_unique(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("must not repeat a value")
        return sorted(values)

    @field_validator("price_tiers")
    @classmethod
    def _tiers_ascend(cls, tiers: list[PriceTier]) -> list[PriceTier]:
        if tiers[0].min_volume != 0:
            raise ValueError("the first tier must start at min_volume 0")
        for lower, upper in zip(tiers, tiers[1:]):
            if upper.min_volume <= lower.min_volume:
                raise ValueError("min_volume must strictly increase from tier to tier")
        return tiers

    @model_validator(mode="after")
    def _group_fits(self) -> CapacityOffer:
        if self.min_group_per_week > self.capacity_per_week:
            raise ValueError(
                f"min_group_per_week ({self.min_group_per_week}) exceeds "
                f"capacity_per_week ({self.capacity_per_week})"
            )
        return self


class ProviderProfile(Contract):
    provider_id: Identifier
    name: str = Field(min_length=1, max_length=limits.MAX_NAME_LENGTH)
    kind: ProviderKind


class ProviderEnrolled(NetworkScoped):
    """A provider joined the network, or changed its profile (a later version)."""

    entity_path = ("provider", "provider_id")
    event_type: Literal["ProviderEnrolled"] = "ProviderEnrolled"
    provider: ProviderProfile


class CapacityOffered(NetworkScoped):
    """An offer was published, or replaced by a later version."""

    entity_path = ("offer", "offer_id")
    event_type: Literal["CapacityOffered"] = "CapacityOffered"
    provider_id: Identifier
    offer: CapacityOffer


class CapacityWithdrawn(NetworkScoped):
    """An offer no longer stands."""

    entity_path = ("offer_id",)
    event_type: Literal["CapacityWithdrawn"] = "CapacityWithdrawn"
    provider_id: Identifier
    offer_id: Identifier
