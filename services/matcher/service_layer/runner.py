"""The round runner: a loop that takes rounds from the database and runs them.

The StartRound subscriber only records a round as requested; this loop does
the work, so a consumer never holds its partition for the length of a solve.
For each round: claim it with a lease (renewed while it runs), freeze the
book into the snapshot and queue RoundStarted (one transaction), solve in the
worker process, then store everything and queue the events (one
transaction). A round left ``running`` by a runner that died is claimed again
once its lease expires, and solved again from its stored snapshot; after
``max_attempts`` claims it is failed rather than retried for ever (a round
that kills its runner every time must not take the service down with it).

While it works, the runner writes the round's phase (services/matcher/service_layer/phases.py):
waiting_for_book while ingestion catches up, snapshot, solving with the part
being solved of how many, storing; the end clears it.

Only a passing fault (the database away, a connection dropped) leaves a round
to be tried again. Any other error while freezing or storing (a value its
column cannot hold, say) fails the round at once, and the stored reason and
RoundFailed say that error: tried again, it would fail the same way.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable

from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    StatementError,
)

from schemas.result import RoundResult, UnmetReason
from schemas.snapshot import RoundSnapshot
from services.common.errors import describe
from services.common.logs import bind
from services.common.metrics import ServiceMetrics
from services.common.outbox import Outbox
from services.matcher.adapters import round_store as store
from services.matcher.adapters import tables as t
from services.matcher.service_layer.commit import CommitRefused, commit_dry_run
from services.matcher.service_layer.phases import RoundPhases
from services.matcher.domain.summary import unmet_units_by_reason
from services.matcher.adapters.worker import SolverFailed, SolverPool

log = logging.getLogger(__name__)

Settled = Callable[[], Awaitable[bool]]


def runner_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class RoundRunner:
    def __init__(
        self,
        engine: Engine,
        outbox: Outbox,
        solver: SolverPool,
        metrics: ServiceMetrics,
        *,
        lease_s: float = 30.0,
        poll_s: float = 1.0,
        max_attempts: int = 3,
        on_events: Callable[[], None] = lambda: None,
        settled: Settled | None = None,
        settle_timeout_s: float = 10.0,
        phase_every_s: float = 1.0,
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.solver = solver
        self.metrics = metrics
        self.owner = runner_id()
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.max_attempts = max_attempts
        self.on_events = on_events  # wakes the outbox relay
        self.settled = settled
        self.settle_timeout_s = settle_timeout_s
        self.phase_every_s = phase_every_s  # the solving parts' writes, at most this often
        self._wake = asyncio.Event()
        # Why each round this runner saw interrupted was, for the reason it gives up with.
        self._interrupted: dict[str, str] = {}

    def wake(self) -> None:
        """A round was requested: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                claimed = await asyncio.to_thread(self._claim)
            except Exception as exc:  # noqa: BLE001 - the database may be away; keep trying
                log.warning("round runner: cannot claim rounds: %s", exc)
                await _pause(stop, self.poll_s)
                continue
            if claimed is None:
                await self._idle(stop)
                continue
            try:
                await self.execute(claimed, stop)
            except store.LostLease as exc:
                log.warning("%s", exc)
            except Exception as exc:  # noqa: BLE001 - the round stays running; its lease expires
                self._interrupted[claimed.round_id] = error_text(exc)
                log.exception("round %s interrupted; it will be run again", claimed.round_id)
                await _pause(stop, self.poll_s)

    async def _idle(self, stop: asyncio.Event) -> None:
        self._wake.clear()
        waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
        await asyncio.wait(waiters, timeout=self.poll_s, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    def _claim(self) -> store.Claimed | None:
        with self.engine.begin() as connection:
            pending = connection.execute(select(func.count()).where(
                t.rounds.c.status.in_((store.REQUESTED, store.RUNNING)))).scalar()
            self.metrics.rounds_pending.set(pending)
            return store.claim_next(connection, self.owner, time.time(), self.lease_s)

    async def execute(self, claimed: store.Claimed, stop: asyncio.Event) -> None:
        # The runner's id (host:pid:nonce) on every line of the round: with several
        # instances, the log says which one ran it (the round's row says the last).
        with bind(round_id=claimed.round_id, runner=self.owner):
            keeper = asyncio.create_task(self._keep_lease(claimed.round_id))
            phases = RoundPhases(self.engine, claimed, self.owner, every_s=self.phase_every_s)
            try:
                await self._stages(claimed, stop, time.perf_counter(), phases)
            finally:
                keeper.cancel()
                await phases.close()

    async def _stages(self, claimed: store.Claimed, stop: asyncio.Event, began: float,
                      phases: RoundPhases) -> None:
        if claimed.attempts > self.max_attempts:
            last = self._interrupted.pop(claimed.round_id, None)
            reason = (f"gave up after {claimed.attempts - 1} attempts; the last was "
                      f"interrupted by: {last}" if last else
                      f"gave up after {claimed.attempts - 1} attempts: the runner stopped "
                      f"or crashed during each")
            return await self._fail(claimed, reason, began)
        if claimed.commits is not None:
            return await self._commit(claimed, began, phases)
        if claimed.snapshot is None:
            await phases.enter(store.WAITING_FOR_BOOK)
            await self._settle()
            await phases.enter(store.SNAPSHOT)
            try:
                snapshot, started = await asyncio.to_thread(self._start, claimed)
            except ValidationError as exc:
                return await self._fail(claimed, f"snapshot refused: {describe(exc)}", began)
            except Exception as exc:
                if passing(exc):
                    raise
                return await self._fail(
                    claimed, f"freezing the snapshot failed: {error_text(exc)}", began)
            digest, kind, text = started.input_hash, started.kind, started.snapshot
            self.on_events()
            log.info("round %s started: %d lines, %d offers, %s", claimed.round_id,
                     len(snapshot.demand_lines), len(snapshot.offers), kind)
        else:
            text, digest = claimed.snapshot, claimed.input_hash or ""
            # Parsing a big snapshot takes a while: not on the event loop.
            snapshot = await asyncio.to_thread(RoundSnapshot.model_validate_json, text)
            kind = store.kind_of(snapshot)
            log.info("round %s resumed (attempt %d)", claimed.round_id, claimed.attempts)
        await phases.enter(store.SOLVING)
        solved = await self._solve(text, snapshot, stop, phases)
        if solved is None:  # stopping: the next start takes the round over at once
            await phases.close()  # no part written after the release cleared the phase
            await asyncio.to_thread(self._release, claimed.round_id)
            return None
        if isinstance(solved, str):
            return await self._fail(claimed, solved, began)
        result, solve_s = solved
        if (result.round_id, result.network_id) != (claimed.round_id, claimed.network_id):
            return await self._fail(claimed, "the optimiser answered for another round", began)
        timings = store.Timings(None, solve_s, time.perf_counter() - began)
        await phases.enter(store.STORING)
        try:
            awards = await asyncio.to_thread(self._complete, claimed, snapshot, digest, result,
                                             timings)
        except Exception as exc:
            if passing(exc):
                raise
            return await self._fail(claimed, f"storing the result failed: {error_text(exc)}",
                                    began)
        self.on_events()
        log.info("round %s completed: %s, coverage %.3f, %d awards", claimed.round_id,
                 result.status.value, result.totals.coverage, awards)
        self._record(claimed, kind, result.status.value, timings, result)
        return None

    async def _commit(self, claimed: store.Claimed, began: float, phases: RoundPhases) -> None:
        """A commit of a stored dry run: no solve, one transaction (services/matcher/service_layer/commit.py)."""
        await phases.enter(store.WAITING_FOR_BOOK)
        await self._settle()  # the book must hold what was sent before the command
        await phases.enter(store.STORING)
        try:
            committed = await asyncio.to_thread(self._apply_commit, claimed, began)
        except CommitRefused as exc:
            return await self._fail(claimed, f"commit refused: {exc}", began)
        except Exception as exc:
            if passing(exc):
                raise
            return await self._fail(claimed, f"committing the dry run failed: "
                                             f"{error_text(exc)}", began)
        self.on_events()
        result = committed.result
        log.info("round %s committed dry run %s: %s, coverage %.3f, %d awards",
                 claimed.round_id, claimed.commits, result.status.value,
                 result.totals.coverage, committed.notices)
        self._record(claimed, store.kind_of(committed.snapshot), result.status.value,
                     store.Timings(None, 0.0, time.perf_counter() - began), result)
        return None

    async def _solve(self, text: str, snapshot: RoundSnapshot, stop: asyncio.Event,
                     phases: RoundPhases):
        """The result and its wall time; a failure reason; or None when stopping."""
        solving = asyncio.ensure_future(
            self.solver.solve(text, snapshot.parameters.time_limit_s, progress=phases.progress))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({solving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not solving.done():
            solving.cancel()
            await asyncio.gather(solving, return_exceptions=True)
            return None
        try:
            return solving.result()
        except SolverFailed as exc:
            return f"optimiser failed: {exc}"

    async def _settle(self) -> None:
        """Give ingestion a moment to catch up, so the snapshot holds what was sent
        before the command (demand and commands travel on different topics)."""
        if self.settled is None:
            return
        deadline = time.monotonic() + self.settle_timeout_s
        while not await self.settled():
            if time.monotonic() >= deadline:
                log.warning("ingestion has not caught up after %.0fs: the snapshot takes "
                            "the book as it is", self.settle_timeout_s)
                return
            await asyncio.sleep(0.2)

    async def _fail(self, claimed: store.Claimed, reason: str, began: float) -> None:
        log.warning("round %s failed: %s", claimed.round_id, reason)
        timings = store.Timings(None, 0.0, time.perf_counter() - began)
        await asyncio.to_thread(self._store_failure, claimed, reason, timings)
        self.on_events()
        self._record(claimed, claimed.kind or store.PLAIN, "failed", timings, None)

    async def _keep_lease(self, round_id: str) -> None:
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                if not await asyncio.to_thread(self._renew, round_id):
                    log.warning("round %s: lease lost to another runner", round_id)
                    return
            except Exception as exc:  # noqa: BLE001 - try again at the next beat
                log.warning("round %s: lease not renewed: %s", round_id, exc)

    # --- transactions (run in threads) -----------------------------------------

    def _start(self, claimed: store.Claimed) -> tuple[RoundSnapshot, store.Started]:
        began = time.perf_counter()
        with self._consistent() as connection, connection.begin():
            snapshot = store.freeze(connection, claimed, self.owner)
            started = store.start_round(connection, self.outbox, claimed, self.owner,
                                        snapshot, time.perf_counter() - began)
        return snapshot, started

    def _consistent(self):
        """A connection whose reads in one transaction see one state of the book."""
        connection = self.engine.connect()
        if self.engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        return connection

    def _apply_commit(self, claimed: store.Claimed, began: float):
        with self._consistent() as connection, connection.begin():
            timings = store.Timings(None, 0.0, time.perf_counter() - began)
            return commit_dry_run(connection, self.outbox, claimed, self.owner, timings)

    def _complete(self, claimed, snapshot, digest, result, timings) -> int:
        with self.engine.begin() as connection:
            return store.complete_round(connection, self.outbox, claimed, self.owner,
                                        snapshot, digest, result, timings)

    def _store_failure(self, claimed, reason: str, timings: store.Timings) -> None:
        with self.engine.begin() as connection:
            store.fail_round(connection, self.outbox, claimed, self.owner, reason, timings)

    def _renew(self, round_id: str) -> bool:
        with self.engine.begin() as connection:
            return store.renew_lease(connection, round_id, self.owner,
                                     time.time() + self.lease_s)

    def _release(self, round_id: str) -> None:
        with self.engine.begin() as connection:
            store.release_lease(connection, round_id, self.owner)

    # --- metrics ---------------------------------------------------------------

    def _record(self, claimed: store.Claimed, kind: str, outcome: str,
                timings: store.Timings, result: RoundResult | None) -> None:
        m, network = self.metrics, claimed.network_id
        m.rounds.labels(network, outcome, "dry_run" if claimed.dry_run else kind).inc()
        m.round_duration.labels(network).observe(timings.total_s)
        if result is None:
            return
        m.solve_duration.labels(network).observe(timings.solve_s)
        gap = math.nan if result.gap is None else result.gap
        if claimed.dry_run:  # a "what if": the committed round's series stay as they are
            m.dry_run_gap.labels(network).set(gap)
            m.dry_run_coverage.labels(network).set(result.totals.coverage)
            m.dry_run_last_success.labels(network).set(time.time())
            return
        m.round_gap.labels(network).set(gap)
        m.round_coverage.labels(network).set(result.totals.coverage)
        m.round_demanded.labels(network).set(result.totals.demanded_unit_weeks)
        unmet = unmet_units_by_reason(result)
        for reason in UnmetReason:
            m.round_unmet_units.labels(network, reason.value).set(unmet.get(reason.value, 0))
        m.round_last_success.labels(network).set(time.time())


# Faults that pass: the round is worth trying again once its lease expires.
_PASSING = (OperationalError, InterfaceError, DisconnectionError, ConnectionError, TimeoutError,
            store.LostLease)


def passing(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, _PASSING)


def error_text(exc: BaseException, limit: int = 500) -> str:
    """The error in one line, without the SQL statement and its parameters (a whole
    result file may be among them): ``DataError: integer out of range``."""
    cause = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    first = (str(cause).strip().splitlines() or [""])[0]
    text = f"{type(cause).__name__}: {first}" if first else type(cause).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
