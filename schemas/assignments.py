"""What the matcher tells providers (topic welfare.assignments.v1, key provider).

An award belongs to one committed round. A later committed round (a repair
round) tells each provider only what changed: nothing for an unchanged
contract, ``ContractAmended`` for a changed one, ``ContractWithdrawn`` for a
dropped one. An answer to a superseded contract is refused with
``ContractAnswerRefused``.

Awards carry what staffing needs (issue 10): for every firm line the firm's
name, the municipality (code and name), the category, the required tags and
the weeks, beside units and prices; and the provider's own name. These were
added within version 1, on the same topic, as optional fields with defaults:
every model ignores fields it does not know (``Contract``), so a consumer of
the first version reads the new events unchanged, and an award written before
the fields existed still reads, with the names missing (``None``) and no tags.
A version 2 on a new topic would have made every provider system move topics
for a change that breaks none of them. tests/contracts/test_v1_consumer.py
holds a consumer of the first version to prove it.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field

from schemas import limits
from schemas.envelope import Contract, NetworkScoped
from schemas.types import (
    Category,
    Identifier,
    IsoWeek,
    IstatCode,
    Money,
    NonNegativeInt,
    PositiveInt,
    Tag,
)

Name = Annotated[str, Field(min_length=1, max_length=limits.MAX_NAME_LENGTH)]


class AwardedLine(Contract):
    """A firm's share of a group contract: its units, every week of its line.

    What to staff, as the firm's line asked for it: where (``municipality``),
    what (``category``, ``required_tags``) and when (``weeks``). The fields
    after ``cost_eur`` were added within version 1 and are absent (None, no
    tags) in awards written before them.
    """

    firm_id: Identifier
    line_id: Identifier
    units: PositiveInt
    weeks: list[IsoWeek] = Field(min_length=1)
    unit_price_eur: Money
    cost_eur: Money
    firm_name: Name | None = Field(default=None, description="as the firm enrolled")
    municipality: IstatCode | None = Field(default=None, description="ISTAT code of the line")
    municipality_name: Name | None = Field(
        default=None, description='the municipality and its province, e.g. "Modena (MO)"')
    category: Category | None = None
    required_tags: list[Tag] = Field(default_factory=list, max_length=limits.MAX_TAGS)


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
    An answer names the contract id (and its round) it answers; it is applied
    only while that contract is the provider's current one.
    """

    entity_path = ("contract_id",)
    event_type: Literal["ContractAwarded"] = "ContractAwarded"
    contract_id: Identifier
    round_id: Identifier
    provider_id: Identifier
    provider_name: Name | None = Field(default=None, description="as the provider enrolled")
    offers: list[AwardedOffer] = Field(min_length=1)


class ContractAmended(NetworkScoped):
    """A repair round changed a provider's contract: this is its new content.

    The amendment is a contract of its own round (``contract_id`` is the new
    round's id for the provider) and needs its own answer; from now on an
    answer to ``replaces_contract_id`` is refused. If the replaced contract was
    accepted, its lines stay pinned until this one is answered: the provider
    committed to them, and a round run meanwhile must not give them away.
    """

    entity_path = ("contract_id",)
    event_type: Literal["ContractAmended"] = "ContractAmended"
    contract_id: Identifier
    round_id: Identifier
    provider_id: Identifier
    provider_name: Name | None = Field(default=None, description="as the provider enrolled")
    replaces_contract_id: Identifier
    replaces_round_id: Identifier
    offers: list[AwardedOffer] = Field(min_length=1)


class ContractWithdrawn(NetworkScoped):
    """A repair round left the provider with no contract: the one it holds is dropped.

    ``contract_id`` and ``round_id`` name the contract as the provider was
    told it; nothing of it is to be staffed, and an answer to it is refused.
    """

    entity_path = ("contract_id",)
    event_type: Literal["ContractWithdrawn"] = "ContractWithdrawn"
    contract_id: Identifier
    round_id: Identifier
    provider_id: Identifier
    withdrawn_by_round_id: Identifier
    reason: str = Field(default="", max_length=2000)


class ContractAnswerRefused(NetworkScoped):
    """An answer the matcher did not apply, and why, told to the provider who sent it.

    ``refusal`` is ``superseded`` (a later committed round changed the
    contract: answer ``current_contract_id`` instead) or ``withdrawn`` (the
    provider has no contract any more). ``reason`` says it in words.
    """

    entity_path = ("contract_id",)
    event_type: Literal["ContractAnswerRefused"] = "ContractAnswerRefused"
    contract_id: Identifier
    round_id: Identifier
    provider_id: Identifier
    answer_event_id: uuid.UUID
    answer: Literal["ContractAccepted", "ContractDeclined"]
    refusal: Literal["superseded", "withdrawn"]
    reason: str = Field(min_length=1, max_length=2000)
    superseded_by_round_id: Identifier
    current_contract_id: Identifier | None = None
