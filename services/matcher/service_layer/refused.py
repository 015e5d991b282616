"""Reading what a refused StartRound or CommitRound still says: which round, of which network.

A command the guard dead-lettered (invalid, or its handler kept failing) never
became a requested round in the matcher, but the operator has shown it as
``requested`` since it sent it. If its raw value still names a round and a
network, the matcher records that round as failed, with the reason; this
module reads those names, with a shallow JSON parse of a bounded value, and
gives up on anything it cannot trust.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from pydantic import TypeAdapter, ValidationError

from schemas.types import Identifier, IsoWeek
from services.matcher.adapters.round_store import RefusedRound

# A StartRound is about a kilobyte; a larger value is not worth parsing.
MAX_COMMAND_BYTES = 64 * 1024

_IDENTIFIER = TypeAdapter(Identifier)
_WEEK = TypeAdapter(IsoWeek)


def refused_round(value: bytes, fallback_event_id: uuid.UUID) -> RefusedRound | None:
    """The round a refused command was for, or None if its value does not say
    which round of which network (too large, not JSON, ids missing or invalid)."""
    if len(value) > MAX_COMMAND_BYTES:
        return None
    try:
        command = json.loads(value)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(command, dict):
        return None
    round_id = _valid(_IDENTIFIER, command.get("round_id"))
    network_id = _valid(_IDENTIFIER, command.get("network_id"))
    if round_id is None or network_id is None:
        return None
    requested_by = command.get("requested_by")
    dry_run = command.get("dry_run")
    return RefusedRound(
        round_id=round_id, network_id=network_id,
        first_week=_valid(_WEEK, command.get("first_week")) or "",
        last_week=_valid(_WEEK, command.get("last_week")) or "",
        # A CommitRound creates a committed round (it has no dry_run field); a
        # StartRound that does not say is a dry run, its default, which awards nothing.
        dry_run=(False if command.get("event_type") == "CommitRound"
                 else dry_run if isinstance(dry_run, bool) else True),
        requested_by=requested_by[:200] if isinstance(requested_by, str) else "operator",
        command_event_id=str(_uuid(command.get("event_id")) or fallback_event_id),
    )


def _valid(adapter: TypeAdapter, value: Any) -> Any | None:
    if not isinstance(value, str):
        return None
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None
