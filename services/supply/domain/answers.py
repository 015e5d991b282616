"""A provider's answer to an award, given through supply's API (the console's page).

The answer is the same ``ContractAccepted``/``ContractDeclined`` a provider's
own system publishes on ``welfare.provider-responses.v1`` (keyed by provider):
the matcher cannot tell them apart and applies, refuses or dead-letters them
alike. Supply never opens the matcher's database, so it checks what it can
know itself: that the contract is this provider's contract of the named round
(contract ids are ``<round_id>:<provider_id>``, see ``ContractAwarded``), that
a decline gives one of the reasons below, and the versions' bounds.
"""

from __future__ import annotations

import hashlib
import uuid
from enum import StrEnum

from schemas.types import Identifier

MAX_ID = 100  # schemas.types.Identifier's length
MAX_NOTE = 500
NAMESPACE = uuid.UUID("6f0b7a52-2f59-4c1e-9d43-57b1c8e0a2d1")


class DeclineReason(StrEnum):
    """Why a provider declines, as a code the operator can group; the words go beside it."""

    NO_STAFF = "no_staff"  # not enough educators or carers in those weeks
    WEEKS = "weeks"  # the weeks cannot be covered
    PLACES = "places"  # a municipality cannot be reached
    PRICE = "price"  # the price does not cover the cost
    GROUP_TOO_SMALL = "group_too_small"  # too few units to run a group
    OTHER = "other"  # said in the note, which is then required


def contract_of(round_id: Identifier, provider_id: Identifier) -> str:
    """The provider's contract id in a round, by the rule the awards follow.

    The same rule as the matcher's ``ids.contract_id`` (a test holds them
    equal): supply may check it without asking the matcher.
    """
    plain = f"{round_id}:{provider_id}"
    if len(plain) <= MAX_ID:
        return plain
    digest = hashlib.sha256(plain.encode()).hexdigest()[:32]
    return f"{round_id[:MAX_ID - 34]}:{digest}"


def reason_text(reason: DeclineReason, note: str) -> str:
    """The event's ``reason``: the code first (for grouping), then the provider's words."""
    note = " ".join(note.split())
    return f"{reason.value}: {note}" if note else reason.value


def answer_event_id(contract_id: str, version: int, accept: bool) -> uuid.UUID:
    """One id per (contract, version, answer): a form sent twice is one event to consumers."""
    return uuid.uuid5(NAMESPACE, f"{contract_id}:{version}:{'accept' if accept else 'decline'}")
