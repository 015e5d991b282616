"""Deterministic ids: a round run twice (after a crash) emits the very same events.

Event ids are uuid5 of what the event is about, never uuid4, so that the
events of a re-run round collide with those of the first run in the outbox
(unique event id) and on the consumers' side (deduplication on event id).
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

from matcher.round import reproducibility
from schemas.snapshot import RoundSnapshot

NAMESPACE = uuid.UUID("0f3c6a52-8a0e-4d55-b0f1-6a3f0c9e7d21")
_MAX_ID = 100  # schemas.types.Identifier


def contract_id(round_id: str, provider_id: str) -> str:
    """``<round_id>:<provider_id>``, or a digest of it when that is too long for an id."""
    plain = f"{round_id}:{provider_id}"
    if len(plain) <= _MAX_ID:
        return plain
    digest = hashlib.sha256(plain.encode()).hexdigest()[:32]
    return f"{round_id[:_MAX_ID - 34]}:{digest}"


def award_event_id(contract: str) -> uuid.UUID:
    """The id of the event that announces a contract: its award, or its amendment.

    A contract id is announced once, by one or the other, so one id serves both.
    """
    return uuid.uuid5(NAMESPACE, f"ContractAwarded:{contract}")


def withdrawal_event_id(contract: str, by_round: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"ContractWithdrawn:{contract}:{by_round}")


def refusal_event_id(answer_event_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"ContractAnswerRefused:{answer_event_id}")


def round_event_id(round_id: str, event_type: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{event_type}:{round_id}")


def input_hash(snapshot: RoundSnapshot) -> str:
    """The round's reproducibility key, as the optimiser defines it (so that
    RoundStarted, RoundCompleted and the result file all carry the same one)."""
    return reproducibility.input_hash(snapshot, snapshot.parameters)


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def euro(amount_cents: int | None) -> Decimal | None:
    return None if amount_cents is None else Decimal(amount_cents).scaleb(-2)
