"""The round lifecycle in the database: requested -> running -> completed | failed.

Every step is one transaction, and the events a step emits are written to the
outbox in that same transaction:

- ``request_round``: the command is recorded (once per round id);
- ``claim_next``: a runner takes the oldest round it may run, with a lease;
- ``start_round``: the book is frozen into the round's snapshot, RoundStarted;
- ``set_phase``: where the running round is (waiting_for_book, snapshot,
  solving part k of n, storing), written only by the runner holding the claim;
- ``complete_round``: results, contracts, lines, unmet lines, what providers
  are told (awards, amendments, withdrawals: only what changed since the
  network's previous committed round) and RoundCompleted, all at once; or
  ``fail_round``: RoundFailed.

A round stays ``running`` until one of the last two commits. A runner that
dies leaves its lease to expire; the next runner claims the round again and,
the snapshot being stored, solves the very same input. Every event id is
derived from the round id, so nothing a re-run emits can be a second,
different event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, or_, select, update

from schemas.parameters import RoundParameters
from schemas.result import RoundResult
from schemas.rounds import RoundCompleted, RoundFailed, RoundStarted, StartRound
from schemas.snapshot import RoundSnapshot
from services.common.outbox import Outbox
from services.matcher.adapters import tables as t
from services.matcher.domain.awards import awards, notices
from services.matcher.domain.ids import cents, input_hash, round_event_id
from services.matcher.adapters.results import store_result_rows
from services.matcher.adapters.snapshot import (
    COMMITTED_OUTCOMES,
    RoundSpec,
    build_snapshot,
    last_committed_round,
)
from services.matcher.adapters.standing import carry_on, held_contracts
from services.matcher.domain.summary import summarise

REQUESTED, RUNNING, COMPLETED, FAILED = "requested", "running", "completed", "failed"
PLAIN, REPAIR = "plain", "repair"
# The phases of a running round (column ``phase``); the status alone says the end.
WAITING_FOR_BOOK, SNAPSHOT, SOLVING, STORING = "waiting_for_book", "snapshot", "solving", "storing"
PHASES = (WAITING_FOR_BOOK, SNAPSHOT, SOLVING, STORING)
# No runner is at work on the round: before a claim, after the end, or released.
NO_PHASE = {"phase": None, "phase_part": None, "phase_parts": None, "phase_since": None}

r = t.rounds.c


class LostLease(RuntimeError):
    """Another runner took the round over; this one must drop its work."""


@dataclass(frozen=True)
class Claimed:
    round_id: str
    network_id: str
    first_week: str
    last_week: str
    dry_run: bool
    parameters: RoundParameters
    attempts: int
    snapshot: str | None  # stored by an earlier attempt that got that far
    input_hash: str | None
    kind: str | None
    commits: str | None = None  # the dry run a commit round takes, without solving

    @property
    def spec(self) -> RoundSpec:
        return RoundSpec(self.network_id, self.round_id, self.first_week, self.last_week,
                         self.parameters)


@dataclass(frozen=True)
class Timings:
    snapshot_s: float | None
    solve_s: float
    total_s: float


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def request_round(connection: Connection, command: StartRound) -> bool:
    """Record the command; False if the round id is already known."""
    if connection.execute(select(r.round_id).where(r.round_id == command.round_id)).first():
        return False
    connection.execute(insert(t.rounds).values(
        round_id=command.round_id, network_id=command.network_id,
        first_week=command.first_week, last_week=command.last_week,
        dry_run=command.dry_run, status=REQUESTED,
        parameters=command.parameters.model_dump_json(),
        requested_by=command.requested_by, command_event_id=str(command.event_id),
        attempts=0, requested_at=_now()))
    return True


def claim_next(connection: Connection, owner: str, now: float, lease_s: float) -> Claimed | None:
    """Take the oldest round this runner may run: requested, or running on an
    expired lease. A network's rounds run one at a time, in request order."""
    candidates = connection.execute(
        select(r.round_id, r.network_id, r.status, r.lease_owner, r.lease_until, r.attempts)
        .where(r.status.in_((REQUESTED, RUNNING)))
        .order_by(r.requested_at, r.round_id)).all()
    busy: set[str] = set()
    for row in candidates:
        if row.network_id in busy:
            continue
        held = (row.status == RUNNING and row.lease_owner != owner
                and (row.lease_until or 0) > now)
        if held:
            busy.add(row.network_id)
            continue
        # A compare-and-set on what was read: ``attempts`` grows with every claim
        # (the row's version), and the round must still be free *now*. Between
        # the read and this write its runner may have renewed the lease without
        # a new attempt; on PostgreSQL a concurrent writer makes this UPDATE wait
        # and re-check its WHERE on the row as committed, so a renewed lease
        # (or another claimer's) leaves nothing to take.
        taken = connection.execute(
            update(t.rounds).where(
                r.round_id == row.round_id, r.attempts == row.attempts,
                r.status.in_((REQUESTED, RUNNING)),
                or_(r.status == REQUESTED, r.lease_owner == owner, r.lease_until.is_(None),
                    r.lease_until <= now))
            # The phase a dead runner left is not this claim's: cleared until it writes one.
            .values(status=RUNNING, lease_owner=owner, lease_until=now + lease_s,
                    attempts=row.attempts + 1, **NO_PHASE))
        if taken.rowcount == 1:
            return _load(connection, row.round_id)
        busy.add(row.network_id)
    return None


def _load(connection: Connection, round_id: str) -> Claimed:
    row = connection.execute(select(t.rounds).where(r.round_id == round_id)).one()
    return Claimed(
        round_id=row.round_id, network_id=row.network_id, first_week=row.first_week,
        last_week=row.last_week, dry_run=row.dry_run,
        parameters=RoundParameters.model_validate_json(row.parameters),
        attempts=row.attempts, snapshot=row.snapshot, input_hash=row.input_hash, kind=row.kind,
        commits=row.commits_round_id)


def renew_lease(connection: Connection, round_id: str, owner: str, until: float) -> bool:
    done = connection.execute(update(t.rounds).where(*_ours(round_id, owner))
                              .values(lease_until=until))
    return done.rowcount == 1


def release_lease(connection: Connection, round_id: str, owner: str) -> None:
    """Let the next runner take the round at once (a clean shutdown mid-round)."""
    connection.execute(update(t.rounds).where(*_ours(round_id, owner))
                       .values(lease_until=0.0, **NO_PHASE))


def set_phase(connection: Connection, claimed: Claimed, owner: str, phase: str,
              since: dt.datetime, part: int | None = None, parts: int | None = None) -> bool:
    """Write where the round is; False (nothing written) if this claim is no longer its.

    The claim is the owner *and* the attempt: a runner that lost the round and
    claimed it again (a new attempt) must not have its earlier attempt's late
    progress land over the new one's, nor may a runner whose round another took.
    """
    if phase not in PHASES:
        raise ValueError(f"not a round phase: {phase!r}")
    done = connection.execute(
        update(t.rounds).where(*_ours(claimed.round_id, owner), r.attempts == claimed.attempts)
        .values(phase=phase, phase_part=part, phase_parts=parts, phase_since=since))
    return done.rowcount == 1


def _ours(round_id: str, owner: str):
    return r.round_id == round_id, r.status == RUNNING, r.lease_owner == owner


def _take(connection: Connection, round_id: str, owner: str, **values) -> None:
    done = connection.execute(update(t.rounds).where(*_ours(round_id, owner)).values(**values))
    if done.rowcount != 1:
        raise LostLease(f"round {round_id} is no longer this runner's")


@dataclass(frozen=True)
class Started:
    snapshot: str
    input_hash: str
    kind: str


def start_round(connection: Connection, outbox: Outbox, claimed: Claimed, owner: str,
                snapshot: RoundSnapshot, snapshot_s: float) -> Started:
    """Store the frozen snapshot and queue RoundStarted."""
    digest = input_hash(snapshot)
    kind = kind_of(snapshot)
    text = snapshot.model_dump_json()
    _take(connection, claimed.round_id, owner, snapshot=text, input_hash=digest, kind=kind,
          demand_lines=len(snapshot.demand_lines), offers=len(snapshot.offers),
          pinned=len(snapshot.pinned), excluded=len(snapshot.excluded),
          snapshot_s=snapshot_s, started_at=_now())
    outbox.add(connection, RoundStarted(
        event_id=round_event_id(claimed.round_id, "RoundStarted"),
        network_id=claimed.network_id, entity_version=1, round_id=claimed.round_id,
        dry_run=claimed.dry_run, input_hash=digest,
        demand_lines=len(snapshot.demand_lines), offers=len(snapshot.offers)))
    return Started(text, digest, kind)


def freeze(connection: Connection, claimed: Claimed, owner: str) -> RoundSnapshot:
    """Build the snapshot from the book, in a transaction that sees one state of it.

    Touching the round first makes it a write transaction at once: on SQLite
    that holds the write lock, so the book cannot change between the reads;
    PostgreSQL gets the same from the repeatable-read level the caller sets.
    """
    hold(connection, claimed, owner)
    return build_snapshot(connection, claimed.spec)


def hold(connection: Connection, claimed: Claimed, owner: str) -> None:
    """Write to the claimed round first, so that the transaction's reads see one
    state of the book (the write lock on SQLite); LostLease if it is no longer ours."""
    _take(connection, claimed.round_id, owner, started_at=_now())


def complete_round(connection: Connection, outbox: Outbox, claimed: Claimed, owner: str,
                   snapshot: RoundSnapshot, digest: str, result: RoundResult,
                   timings: Timings) -> int:
    """Store the result and queue what providers are told, then RoundCompleted; return
    the number of notices (awards, amendments, withdrawals).

    A committed round supersedes the network's previous committed round: each
    provider hears only what changed (``awards.notices``), and the answers,
    pins and exclusions of unchanged contracts carry on (``standing.carry_on``).
    The notices go first, so that a reader of RoundCompleted finds them on Kafka.
    """
    # Read before this round counts as completed, or it would find itself.
    superseded = None if claimed.dry_run else last_committed_round(connection,
                                                                   claimed.network_id)
    summary = summarise(result)
    solver = result.timings
    _take(connection, claimed.round_id, owner,
          status=COMPLETED, outcome=result.status.value, result=result.to_file_json(),
          solver=f"{result.solver.name} {result.solver.version}"[:200],
          objective=result.objective, bound=result.bound, gap=result.gap,
          coverage=result.totals.coverage, weighted_coverage=result.totals.weighted_coverage,
          demanded_unit_weeks=result.totals.demanded_unit_weeks,
          served_unit_weeks=result.totals.served_unit_weeks,
          total_cost_cents=cents(result.totals.total_cost_eur), contracts=summary.contracts,
          summary=summary.model_dump_json(), solve_s=timings.solve_s,
          solver_build_s=solver.build_s if solver else None,
          solver_solve_s=solver.solve_s if solver else None,
          total_s=timings.total_s, finished_at=_now(), lease_until=None, **NO_PHASE)
    if claimed.dry_run:
        store_result_rows(connection, snapshot, result, awarded=False)
        told = []
    else:
        told = _notices(connection, claimed, snapshot, result, superseded)
    outbox.add(connection, *told, RoundCompleted(
        event_id=round_event_id(claimed.round_id, "RoundCompleted"),
        network_id=claimed.network_id, entity_version=2, round_id=claimed.round_id,
        dry_run=claimed.dry_run, repair=kind_of(snapshot) == REPAIR, input_hash=digest,
        summary=summary))
    return len(told)


def _notices(connection: Connection, claimed: Claimed, snapshot: RoundSnapshot,
             result: RoundResult, superseded: str | None) -> list:
    """Store the awarded contracts; what to tell providers about them."""
    new = awards(snapshot, result)
    held = held_contracts(connection, superseded)
    store_result_rows(connection, snapshot, result, awarded=True)
    if result.status.value not in COMMITTED_OUTCOMES:
        return new  # this round replaces nothing (it has no contracts to speak of)
    told = notices(new, held, claimed.network_id, claimed.round_id)
    carry_on(connection, claimed.network_id, claimed.round_id, told)
    return told.events


def kind_of(snapshot: RoundSnapshot) -> str:
    """A round that must respect providers' responses is a repair round."""
    return REPAIR if snapshot.pinned or snapshot.excluded else PLAIN


def fail_round(connection: Connection, outbox: Outbox, claimed: Claimed, owner: str,
               reason: str, timings: Timings | None = None) -> None:
    _take(connection, claimed.round_id, owner, status=FAILED, failure_reason=reason,
          finished_at=_now(), lease_until=None, **NO_PHASE,
          solve_s=timings.solve_s if timings else None,
          total_s=timings.total_s if timings else None)
    outbox.add(connection, RoundFailed(
        event_id=round_event_id(claimed.round_id, "RoundFailed"),
        network_id=claimed.network_id, entity_version=2, round_id=claimed.round_id,
        reason=reason[:2000] or "failed"))


@dataclass(frozen=True)
class RefusedRound:
    """What could be read of a StartRound the matcher refused (dead-lettered)."""

    round_id: str
    network_id: str
    first_week: str  # "" when the command did not say it readably
    last_week: str
    dry_run: bool
    requested_by: str
    command_event_id: str


def refuse_round(connection: Connection, outbox: Outbox, refused: RefusedRound,
                 reason: str) -> bool:
    """Record a refused command's round as failed and queue RoundFailed, so that
    no one waits for it as ``requested``; False if the round id is already known
    (a valid command for it was recorded: that round runs as asked)."""
    if connection.execute(select(r.round_id).where(r.round_id == refused.round_id)).first():
        return False
    now = _now()
    connection.execute(insert(t.rounds).values(
        round_id=refused.round_id, network_id=refused.network_id,
        first_week=refused.first_week, last_week=refused.last_week,
        dry_run=refused.dry_run, status=FAILED,
        # The refused parameters stay in the dead letter; the row keeps the
        # defaults so that every reader of rounds can still parse it.
        parameters=RoundParameters().model_dump_json(),
        requested_by=refused.requested_by, command_event_id=refused.command_event_id,
        attempts=0, requested_at=now, finished_at=now, failure_reason=reason))
    outbox.add(connection, RoundFailed(
        event_id=round_event_id(refused.round_id, "RoundFailed"),
        network_id=refused.network_id, entity_version=2, round_id=refused.round_id,
        reason=reason[:2000] or "refused"))
    return True
