"""The public topics: names, what travels on each, and how records are keyed.

This is the one place that knows topic names; services import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Union

from pydantic import BaseModel, Field, TypeAdapter

from schemas.assignments import (
    ContractAmended,
    ContractAnswerRefused,
    ContractAwarded,
    ContractWithdrawn,
)
from schemas.capacity import CapacityOffered, CapacityWithdrawn, ProviderEnrolled
from schemas.dead_letter import MessageDeadLettered
from schemas.demand import DemandSubmitted, DemandWithdrawn, FirmEnrolled
from schemas.responses import ContractAccepted, ContractDeclined
from schemas.rounds import (
    CommitRound,
    RoundCompleted,
    RoundFailed,
    RoundStarted,
    StartRound,
)

DEMAND = "welfare.demand.v1"
CAPACITY = "welfare.capacity.v1"
ROUND_COMMANDS = "welfare.round-commands.v1"
ROUND_EVENTS = "welfare.round-events.v1"
ASSIGNMENTS = "welfare.assignments.v1"
PROVIDER_RESPONSES = "welfare.provider-responses.v1"
DEAD_LETTER = "welfare.dead-letter.v1"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    key_field: str  # the message field whose value is the record key
    partitions: int
    messages: tuple[type[BaseModel], ...]


TOPICS: dict[str, TopicSpec] = {
    spec.name: spec
    for spec in (
        TopicSpec(DEMAND, "firm_id", 6, (FirmEnrolled, DemandSubmitted, DemandWithdrawn)),
        TopicSpec(
            CAPACITY, "provider_id", 6, (ProviderEnrolled, CapacityOffered, CapacityWithdrawn)
        ),
        TopicSpec(ROUND_COMMANDS, "network_id", 3, (StartRound, CommitRound)),
        TopicSpec(ROUND_EVENTS, "network_id", 3, (RoundStarted, RoundCompleted, RoundFailed)),
        # What the matcher tells a provider: its award, then only what changed, and
        # which of its answers it refused. Providers already read this topic.
        TopicSpec(ASSIGNMENTS, "provider_id", 6,
                  (ContractAwarded, ContractAmended, ContractWithdrawn, ContractAnswerRefused)),
        TopicSpec(PROVIDER_RESPONSES, "provider_id", 6, (ContractAccepted, ContractDeclined)),
        TopicSpec(DEAD_LETTER, "original_topic", 1, (MessageDeadLettered,)),
    )
}

TOPIC_OF: dict[type[BaseModel], str] = {
    message: spec.name for spec in TOPICS.values() for message in spec.messages
}


def record_key(message: BaseModel) -> bytes:
    """The record key of a message, by its topic's keying rule (DESIGN.md)."""
    spec = TOPICS[TOPIC_OF[type(message)]]
    if spec.key_field == "firm_id" and isinstance(message, FirmEnrolled):
        return message.firm.firm_id.encode()
    if spec.key_field == "provider_id" and isinstance(message, ProviderEnrolled):
        return message.provider.provider_id.encode()
    return str(getattr(message, spec.key_field)).encode()


def _union_of(spec: TopicSpec) -> TypeAdapter:
    members = spec.messages
    if len(members) == 1:
        return TypeAdapter(members[0])
    union = Annotated[Union[members], Field(discriminator="event_type")]  # noqa: UP007
    return TypeAdapter(union)


_ADAPTERS = {name: _union_of(spec) for name, spec in TOPICS.items()}


def decode(topic: str, payload: bytes | str) -> BaseModel:
    """Parse and validate a record value from ``topic``.

    Raises ``pydantic.ValidationError`` naming the offending field, or
    ``KeyError`` for a topic that is not part of the contract.
    """
    return _ADAPTERS[topic].validate_json(payload)


def encode(message: BaseModel) -> bytes:
    return message.model_dump_json().encode()
