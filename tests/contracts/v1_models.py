"""The award models as a consumer of the first release had them (a frozen copy).

Copied from ``schemas/assignments.py`` before the award lines carried names,
municipality, category and tags; do not update it: it stands for provider
systems built then. Like every contract model it ignores fields it does not know.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class V1Contract(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class AwardedLine(V1Contract):
    firm_id: str
    line_id: str
    units: int = Field(gt=0)
    weeks: list[str] = Field(min_length=1)
    unit_price_eur: Decimal
    cost_eur: Decimal


class AwardedOffer(V1Contract):
    offer_id: str
    tier_index: int = Field(ge=0)
    unit_price_eur: Decimal
    volume_unit_weeks: int = Field(gt=0)
    running_weeks: list[str] = Field(min_length=1)
    fixed_cost_eur: Decimal
    lines: list[AwardedLine] = Field(min_length=1)


class ContractAwarded(V1Contract):
    event_id: uuid.UUID
    schema_version: Literal[1]
    occurred_at: AwareDatetime
    entity_id: str
    entity_version: int
    network_id: str
    event_type: Literal["ContractAwarded"]
    contract_id: str
    round_id: str
    provider_id: str
    offers: list[AwardedOffer] = Field(min_length=1)


class ContractAmended(ContractAwarded):
    event_type: Literal["ContractAmended"]  # type: ignore[assignment]
    replaces_contract_id: str
    replaces_round_id: str
