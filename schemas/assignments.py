"""Group contracts awarded to providers (topic welfare.assignments.v1, key provider)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.envelope import Contract, NetworkScoped
from schemas.types import Identifier, IsoWeek, Money, NonNegativeInt, PositiveInt


class AwardedLine(Contract):
    """A firm's share of a group contract: its units, every week of its line."""

    firm_id: Identifier
    line_id: Identifier
    units: PositiveInt
    weeks: list[IsoWeek] = Field(min_length=1)
    unit_price_eur: Money
    cost_eur: Money


class AwardedOffer(Contract):
    """One offer's group contract: one tier, one unit price for every firm in it."""

    offer_id: Identifier
    tier_index: NonNegativeInt
    unit_price_eur: Money
    volume_unit_weeks: PositiveInt
    running_weeks: list[IsoWeek] = Field(min_length=1)
    fixed_cost_eur: Money
    lines: list[AwardedLine] = Field(min_length=1)


class ContractAwarded(NetworkScoped):
    """A committed round awards one provider its group contracts.

    ``contract_id`` is stable for a (round, provider) pair, so a republished
    award carries the same contract id and event id and consumers can drop it.
    """

    entity_path = ("contract_id",)
    event_type: Literal["ContractAwarded"] = "ContractAwarded"
    contract_id: Identifier
    round_id: Identifier
    provider_id: Identifier
    offers: list[AwardedOffer] = Field(min_length=1)
