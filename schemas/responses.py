"""Providers' answers to awards (topic welfare.provider-responses.v1, key provider)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.envelope import Contract, NetworkScoped
from schemas.types import Identifier


class LineOfferPair(Contract):
    line_id: Identifier
    offer_id: Identifier


class ContractAccepted(NetworkScoped):
    """The provider accepts; its lines are pinned in later rounds."""

    entity_path = ("contract_id",)
    event_type: Literal["ContractAccepted"] = "ContractAccepted"
    contract_id: Identifier
    round_id: Identifier
    provider_id: Identifier


class ContractDeclined(NetworkScoped):
    """The provider declines some pairs of the contract, or all of it when
    ``pairs`` is empty; declined pairs are excluded from later rounds."""

    entity_path = ("contract_id",)
    event_type: Literal["ContractDeclined"] = "ContractDeclined"
    contract_id: Identifier
    round_id: Identifier
    provider_id: Identifier
    pairs: list[LineOfferPair] = Field(default_factory=list)
    reason: str = Field(default="", max_length=2000)
