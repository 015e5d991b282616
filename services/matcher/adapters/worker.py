"""Running the optimiser in a worker process.

A solve can take minutes of CPU. In the service's own process it would hold
the event loop (and the GIL), and the Kafka consumers would miss heartbeats
and be thrown out of their groups. A worker process keeps the loop free.

The worker is started lazily (building the service starts nothing), with the
``spawn`` method (forking a process that runs threads and sockets is unsafe),
and on Linux it is tied to its parent: if the service dies, even by SIGKILL,
the kernel ends the worker too instead of leaving it solving for no one.

Snapshot and result cross the process boundary as JSON text, so what the
worker solves is byte for byte what the round stored.

While it solves, the optimiser reports the parts it has done (``progress``,
matcher/solve.py). The worker writes the latest report into a few numbers of
shared memory, and the service reads them while it waits for the result.
Writing a slot never blocks the solve (no pipe to fill, no lock, no thread in
the worker), however many parts a round has; the reader sees the latest state
whenever it looks, and skips the ones in between, which is all a display needs.
"""

from __future__ import annotations

import asyncio
import ctypes
import importlib
import inspect
import itertools
import logging
import multiprocessing
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from pydantic import ValidationError

from schemas.result import RoundResult
from schemas.snapshot import RoundSnapshot
from services.common.errors import describe

log = logging.getLogger(__name__)

DEFAULT_SOLVER = "matcher:solve_round"  # RoundSnapshot, RoundParameters -> RoundResult
_PR_SET_PDEATHSIG = 1


class SolverFailed(RuntimeError):
    """The optimiser raised, crashed or overran; the message says which."""


@dataclass(frozen=True)
class PartsDone:
    """The optimiser's latest report of a solve: parts done of how many, seconds in."""

    parts_done: int
    parts_total: int
    elapsed_s: float


# The shared slot: [sequence, solve id, parts done, parts total, elapsed s]. The
# sequence is odd while the worker writes, so that a reader never takes half of
# one report and half of the next (a sequence lock: the writer never waits).
_SLOT = 5
_slot = None  # in the worker: the slot its parent reads


class _Reporter:
    """The ``progress`` callable the optimiser gets in the worker."""

    def __init__(self, slot, solve_id: int) -> None:
        self.slot, self.solve_id = slot, solve_id

    def __call__(self, progress) -> None:
        slot = self.slot
        slot[0] += 1
        slot[1], slot[2], slot[3], slot[4] = (self.solve_id, progress.parts_done,
                                              progress.parts_total, progress.elapsed_s)
        slot[0] += 1


def read_slot(slot, solve_id: int) -> PartsDone | None:
    """The latest report of solve ``solve_id`` in ``slot``; None if it has none yet."""
    for _ in range(5):
        sequence = slot[0]
        if sequence % 2 == 0:
            _, solve, done, total, elapsed = slot[:_SLOT]
            if slot[0] == sequence:
                break
    else:
        return None  # the writer kept writing: the next look will do
    if int(solve) != solve_id or total <= 0:
        return None
    return PartsDone(min(int(done), int(total)), int(total), elapsed)


def _takes_progress(function) -> bool:
    """Whether the solver accepts ``progress=`` (matcher.solve_round does; stand-ins may not)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return any((p.name == "progress" and p.kind != p.POSITIONAL_ONLY) or p.kind == p.VAR_KEYWORD
               for p in parameters)


def resolve(reference: str):
    """``"package.module:function"`` to the function."""
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name or "solve")


def solve_json(reference: str, snapshot_json: str, solve_id: int | None = None) -> str:
    """Body of the worker: JSON snapshot in, JSON result (with timings) out.

    With a ``solve_id`` and in a pool's worker, the optimiser's progress goes to
    the pool's slot under that id.
    """
    snapshot = RoundSnapshot.model_validate_json(snapshot_json)
    solver = resolve(reference)
    options = {}
    if solve_id is not None and _slot is not None and _takes_progress(solver):
        options["progress"] = _Reporter(_slot, solve_id)
    try:
        result = solver(snapshot, snapshot.parameters, **options)
    except Exception as exc:  # noqa: BLE001 - sent back as text: any exception may not pickle
        raise SolverFailed(f"{type(exc).__name__}: {exc}") from None
    return result.model_dump_json()


def _die_with_parent() -> None:
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _start_worker(slot) -> None:
    global _slot
    _die_with_parent()
    _slot = slot


class SolverPool:
    """One worker process, reused from round to round."""

    def __init__(self, reference: str = DEFAULT_SOLVER, *, grace_s: float = 120.0,
                 look_s: float = 0.25) -> None:
        self.reference = reference
        self.grace_s = grace_s  # beyond the round's own time limit, before giving up
        self.look_s = look_s  # how often a waiting solve looks at the worker's progress
        self._pool: ProcessPoolExecutor | None = None
        self._slot = None
        self._solve_ids = itertools.count(1)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            # Shared memory with no lock: the worker must never wait for a reader.
            self._slot = context.RawArray(ctypes.c_double, _SLOT)
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_start_worker,
                initargs=(self._slot,))
        return self._pool

    async def solve(self, snapshot_json: str, time_limit_s: float,
                    progress: Callable[[PartsDone], None] | None = None
                    ) -> tuple[RoundResult, float]:
        """Solve in the worker; return the result and the wall time it took.

        ``progress`` is called on the event loop, with the optimiser's latest
        report whenever it changed since the last look; it must not block.
        """
        started = time.perf_counter()
        solve_id = next(self._solve_ids)
        future = self._executor().submit(solve_json, self.reference, snapshot_json, solve_id)
        try:
            async with asyncio.timeout(time_limit_s + self.grace_s):
                text = await self._watch(asyncio.wrap_future(future), solve_id, progress)
        except TimeoutError:
            self.close()  # the worker is stuck: end it, a new one starts next time
            raise SolverFailed(f"the optimiser did not return within "
                               f"{time_limit_s + self.grace_s:.0f}s") from None
        except BrokenProcessPool:
            self.close()
            raise SolverFailed("the optimiser's process died (out of memory?)") from None
        except asyncio.CancelledError:
            self.close()  # shutting down mid-solve: do not leave the worker running
            raise
        try:
            result = await asyncio.to_thread(RoundResult.model_validate_json, text)
        except ValidationError as exc:
            raise SolverFailed(f"the optimiser's result is invalid: {describe(exc)}") from None
        return result, time.perf_counter() - started

    async def _watch(self, waiting: asyncio.Future, solve_id: int,
                     progress: Callable[[PartsDone], None] | None) -> str:
        if progress is None:
            return await waiting
        slot, told = self._slot, None
        try:
            while True:
                await asyncio.wait({waiting}, timeout=self.look_s)
                seen = read_slot(slot, solve_id)
                if seen is not None and seen != told:
                    told = seen
                    try:
                        progress(seen)
                    except Exception:  # noqa: BLE001 - a display must not fail a solve
                        log.exception("the solve's progress callback failed")
                if waiting.done():
                    return waiting.result()
        finally:
            if not waiting.done():  # timed out or cancelled: the caller ends the worker
                waiting.cancel()

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # The executor has no public way to stop a running task: end its processes.
        for process in list(getattr(pool, "_processes", {}).values()):
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
