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
"""

from __future__ import annotations

import asyncio
import ctypes
import importlib
import logging
import multiprocessing
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pydantic import ValidationError

from schemas.result import RoundResult
from schemas.snapshot import RoundSnapshot
from services.common.errors import describe

log = logging.getLogger(__name__)

DEFAULT_SOLVER = "matcher:solve_round"  # RoundSnapshot, RoundParameters -> RoundResult
_PR_SET_PDEATHSIG = 1


class SolverFailed(RuntimeError):
    """The optimiser raised, crashed or overran; the message says which."""


def resolve(reference: str):
    """``"package.module:function"`` to the function."""
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name or "solve")


def solve_json(reference: str, snapshot_json: str) -> str:
    """Body of the worker: JSON snapshot in, JSON result (with timings) out."""
    snapshot = RoundSnapshot.model_validate_json(snapshot_json)
    try:
        result = resolve(reference)(snapshot, snapshot.parameters)
    except Exception as exc:  # noqa: BLE001 - sent back as text: any exception may not pickle
        raise SolverFailed(f"{type(exc).__name__}: {exc}") from None
    return result.model_dump_json()


def _die_with_parent() -> None:
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class SolverPool:
    """One worker process, reused from round to round."""

    def __init__(self, reference: str = DEFAULT_SOLVER, *, grace_s: float = 120.0) -> None:
        self.reference = reference
        self.grace_s = grace_s  # beyond the round's own time limit, before giving up
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_die_with_parent)
        return self._pool

    async def solve(self, snapshot_json: str, time_limit_s: float) -> tuple[RoundResult, float]:
        """Solve in the worker; return the result and the wall time it took."""
        started = time.perf_counter()
        future = self._executor().submit(solve_json, self.reference, snapshot_json)
        try:
            async with asyncio.timeout(time_limit_s + self.grace_s):
                text = await asyncio.wrap_future(future)
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

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # The executor has no public way to stop a running task: end its processes.
        for process in list(getattr(pool, "_processes", {}).values()):
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
