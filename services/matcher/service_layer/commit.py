"""Committing a stored dry run: what the operator reviewed becomes the committed round.

``CommitRound`` is recorded as a requested round that names the dry run
(``commits_round_id``). The round runner claims it under a lease like any
other round, so a network's rounds still run one at a time in request order,
and then, instead of freezing the book and solving, applies it in one
transaction (``commit_dry_run``):

- the dry run must be a completed dry run of the same network, not already
  committed by another round;
- the book, frozen now with the dry run's own window and parameters, must give
  the dry run's input hash: the very snapshot that was reviewed;
- then the dry run's snapshot and result, renamed to the new round, are stored
  and published through ``round_store.start_round`` and ``complete_round``,
  the path of every committed round (awards, amendments and withdrawals of the
  superseded round's contracts included).

Anything else fails the new round with the reason in words (RoundFailed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import Connection, insert, select

from schemas.parameters import RoundParameters
from schemas.result import RoundResult
from schemas.rounds import CommitRound
from schemas.snapshot import RoundSnapshot
from services.common.errors import describe
from services.common.outbox import Outbox
from services.matcher.adapters import round_store as store
from services.matcher.adapters import tables as t
from services.matcher.domain.ids import input_hash
from services.matcher.adapters.snapshot import RoundSpec, build_snapshot

r = t.rounds.c


class CommitRefused(Exception):
    """Why a dry run cannot be committed, in words."""


@dataclass(frozen=True)
class Committed:
    snapshot: RoundSnapshot
    result: RoundResult
    notices: int


def request_commit(connection: Connection, command: CommitRound) -> bool:
    """Record the commit as a requested round; False if its round id is already known.

    The window and parameters are the dry run's, when it is known, so that the
    round lists and reads like the round it becomes.
    """
    if connection.execute(select(r.round_id).where(r.round_id == command.round_id)).first():
        return False
    dry = connection.execute(select(r.first_week, r.last_week, r.parameters)
                             .where(r.round_id == command.dry_run_id)).first()
    connection.execute(insert(t.rounds).values(
        round_id=command.round_id, network_id=command.network_id,
        first_week=dry.first_week if dry else "", last_week=dry.last_week if dry else "",
        dry_run=False, status=store.REQUESTED,
        parameters=dry.parameters if dry else RoundParameters().model_dump_json(),
        requested_by=command.requested_by, command_event_id=str(command.event_id),
        attempts=0, requested_at=dt.datetime.now(dt.UTC), commits_round_id=command.dry_run_id))
    return True


def commit_dry_run(connection: Connection, outbox: Outbox, claimed: store.Claimed,
                   owner: str, timings: store.Timings) -> Committed:
    """Store the dry run as the committed round ``claimed`` and queue its events.

    Raises CommitRefused (nothing written) when it cannot be committed as reviewed.
    """
    store.hold(connection, claimed, owner)
    dry = _committable(connection, claimed)
    snapshot = _unchanged_book(connection, dry)
    snapshot = snapshot.model_copy(update={"round_id": claimed.round_id})
    digest = input_hash(snapshot)
    result = RoundResult.model_validate_json(dry.result).model_copy(
        update={"round_id": claimed.round_id, "input_hash": digest})
    store.start_round(connection, outbox, claimed, owner, snapshot, 0.0)
    told = store.complete_round(connection, outbox, claimed, owner, snapshot, digest, result,
                                timings)
    return Committed(snapshot, result, told)


def _committable(connection: Connection, claimed: store.Claimed):
    dry_id = claimed.commits
    dry = connection.execute(select(t.rounds).where(r.round_id == dry_id)).first()
    if dry is None:
        raise CommitRefused(f"there is no round {dry_id} to commit")
    if dry.network_id != claimed.network_id:
        raise CommitRefused(f"round {dry_id} belongs to network {dry.network_id}, "
                            f"not to {claimed.network_id}")
    if not dry.dry_run:
        raise CommitRefused(f"round {dry_id} is not a dry run: it was committed when it ran")
    if dry.status != store.COMPLETED or dry.result is None or dry.snapshot is None:
        raise CommitRefused(f"dry run {dry_id} has not completed (it is {dry.status}): "
                            f"only a completed dry run can be committed")
    earlier = connection.execute(
        select(r.round_id).where(r.commits_round_id == dry_id, r.status == store.COMPLETED,
                                 r.round_id != claimed.round_id)
        .order_by(r.finished_at).limit(1)).scalar()
    if earlier is not None:
        raise CommitRefused(f"dry run {dry_id} is already committed as round {earlier}")
    return dry


def _unchanged_book(connection: Connection, dry) -> RoundSnapshot:
    """The dry run's snapshot, if the book frozen now gives the very same one."""
    spec = RoundSpec(dry.network_id, dry.round_id, dry.first_week, dry.last_week,
                     RoundParameters.model_validate_json(dry.parameters))
    try:
        now = build_snapshot(connection, spec)
    except ValidationError as exc:
        raise CommitRefused(f"the book has changed since dry run {dry.round_id}, and no "
                            f"longer makes a valid round: {describe(exc)}") from None
    if input_hash(now) != dry.input_hash:
        raise CommitRefused(
            f"the book has changed since dry run {dry.round_id} (demand, offers, answers "
            f"of providers or a committed round): its result is no longer the answer to "
            f"the network as it stands; run a new dry run and commit that one")
    return RoundSnapshot.model_validate_json(dry.snapshot)
