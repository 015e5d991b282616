"""Providers' answers to awards, and what they mean for later rounds.

A contract is an entity whose first version is its award; a response is a
later version (so a re-sent or out-of-order answer is stale, as in the book).

- Accepted: every (line, offer) of the contract is pinned with its units;
  later rounds of the network must keep them.
- Declined: the pairs named (all of the contract's pairs when none are named)
  are excluded from later rounds, and lose any pin they had. Pairs of a
  partial decline that are not named are neither pinned nor excluded: only an
  acceptance pins.

A response is checked against the stored contract: an unknown contract, a dry
run's contract, another provider's contract or a pair the contract does not
hold raises ``InvalidResponse``, so the message ends on the dead-letter topic.

An answer to a contract that is no longer the provider's current one (see
``standing``: a later committed round amended or withdrew it) is a valid
message that cannot be applied: it is refused. Nothing of it is kept but its
event id in the inbox, and ``ContractAnswerRefused`` is queued on the outbox
in the same transaction, so the provider learns why. An answer to a contract
that a later round kept unchanged is applied to that round's contract, which
is the same one.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, and_, delete, insert, select, tuple_

from schemas.assignments import ContractAnswerRefused
from schemas.responses import ContractAccepted, ContractDeclined
from services.common.outbox import Outbox
from services.matcher.adapters import tables as t
from services.matcher.domain.ids import refusal_event_id
from services.matcher.adapters.standing import current_contract, told_contract

Response = ContractAccepted | ContractDeclined
REFUSED = "refused"  # the outcome of an answer to a superseded contract


class InvalidResponse(ValueError):
    pass


def apply_response(connection: Connection, event: Response,
                   outbox: Outbox) -> bool | ContractAnswerRefused:
    """Apply a response inside the caller's transaction; False if stale, or the
    refusal (already queued on ``outbox``) if the contract was superseded."""
    contract = connection.execute(
        select(t.contracts).where(t.contracts.c.contract_id == event.contract_id)).first()
    _check(event, contract)
    latest, standing = current_contract(connection, event.network_id, event.provider_id)
    if standing is None or standing.award_event_id != contract.award_event_id:
        refusal = _refusal(connection, event, latest or contract.round_id, standing)
        outbox.add(connection, refusal)
        return refusal
    target = standing.contract_id  # this contract, or a later round's unchanged copy of it
    current = connection.execute(
        select(t.contract_responses.c.entity_version)
        .where(t.contract_responses.c.contract_id == target)).scalar()
    if event.entity_version <= (current or 1):  # version 1 is the award itself
        return False
    lines = t.contract_lines.c
    units = {(row.line_id, row.offer_id): row.units for row in connection.execute(
        select(lines.line_id, lines.offer_id, lines.units)
        .where(lines.contract_id == target))}
    # A later answer replaces an earlier one: undo what the earlier one meant.
    _forget_contract(connection, event.network_id, target)
    if isinstance(event, ContractAccepted):
        declined: list[tuple[str, str]] = []
        _unpin(connection, event.network_id, list(units))  # an older acceptance's units
        _unexclude(connection, event.network_id, list(units))
        connection.execute(insert(t.pinned), [
            {"network_id": event.network_id, "line_id": line, "offer_id": offer,
             "units": n, "contract_id": target}
            for (line, offer), n in units.items()])
    else:
        declined = [(p.line_id, p.offer_id) for p in event.pairs] or list(units)
        unknown = [pair for pair in declined if pair not in units]
        if unknown:
            raise InvalidResponse(f"contract {event.contract_id} does not hold the pair "
                                  f"{unknown[0][0]} / {unknown[0][1]}")
        _unpin(connection, event.network_id, declined)
        _unexclude(connection, event.network_id, declined)
        connection.execute(insert(t.excluded), [
            {"network_id": event.network_id, "line_id": line, "offer_id": offer,
             "contract_id": target} for line, offer in declined])
    _record(connection, event, target, standing.round_id, current is None, declined)
    return True


def _refusal(connection: Connection, event: Response, latest: str,
             standing) -> ContractAnswerRefused:
    answered = f"contract {event.contract_id} of round {event.round_id}"
    if standing is None:
        kind, current = "withdrawn", None
        reason = (f"{answered} was withdrawn: round {latest} gives provider "
                  f"{event.provider_id} no contract, so there is nothing to answer")
    else:
        kind, current = "superseded", told_contract(connection, standing)[0]
        reason = (f"{answered} was replaced by round {latest}: answer contract {current} "
                  f"instead; this answer was not applied")
    return ContractAnswerRefused(
        event_id=refusal_event_id(event.event_id), network_id=event.network_id,
        entity_version=event.entity_version, contract_id=event.contract_id,
        round_id=event.round_id, provider_id=event.provider_id,
        answer_event_id=event.event_id, answer=type(event).__name__, refusal=kind,
        reason=reason, superseded_by_round_id=latest, current_contract_id=current)


def _check(event: Response, contract) -> None:
    if contract is None:
        raise InvalidResponse(f"unknown contract {event.contract_id}")
    if not contract.awarded:
        raise InvalidResponse(f"contract {event.contract_id} is a dry run's: nothing to answer")
    expected = (contract.provider_id, contract.round_id, contract.network_id)
    given = (event.provider_id, event.round_id, event.network_id)
    if given != expected:
        raise InvalidResponse(f"contract {event.contract_id} belongs to provider, round and "
                              f"network {expected}, not {given}")


def _forget_contract(connection: Connection, network: str, contract: str) -> None:
    for table in (t.pinned, t.excluded):
        connection.execute(delete(table).where(
            table.c.network_id == network, table.c.contract_id == contract))


def _pairs_in(table, network: str, pairs: list[tuple[str, str]]):
    return and_(table.c.network_id == network,
                tuple_(table.c.line_id, table.c.offer_id).in_(pairs))


def _unpin(connection: Connection, network: str, pairs: list[tuple[str, str]]) -> None:
    if pairs:
        connection.execute(delete(t.pinned).where(_pairs_in(t.pinned, network, pairs)))


def _unexclude(connection: Connection, network: str, pairs: list[tuple[str, str]]) -> None:
    if pairs:
        connection.execute(delete(t.excluded).where(_pairs_in(t.excluded, network, pairs)))


def _record(connection: Connection, event: Response, contract: str, round_id: str,
            first: bool, declined: list[tuple[str, str]]) -> None:
    c = t.contract_responses.c
    row = {
        "network_id": event.network_id, "round_id": round_id,
        "provider_id": event.provider_id, "entity_version": event.entity_version,
        "response": "accepted" if isinstance(event, ContractAccepted) else "declined",
        "pairs": json.dumps(declined), "reason": getattr(event, "reason", ""),
        "responded_at": event.occurred_at.astimezone(dt.UTC),
    }
    if first:
        connection.execute(insert(t.contract_responses).values(contract_id=contract, **row))
    else:
        connection.execute(t.contract_responses.update()
                           .where(c.contract_id == contract).values(**row))
