"""Where a running round is, written for the read API while its runner works.

The runner says each phase as it enters it (``waiting_for_book`` while the
book catches up, ``snapshot``, ``solving``, ``storing``); while solving, the
part being solved of how many, from the optimiser's progress in the worker
(services/matcher/adapters/worker.py). A phase is written at once; the parts at most
once every ``every_s``, the latest of them: a round of thousands of parts must
not become thousands of transactions.

Only the runner holding the round's claim writes (``round_store.set_phase``
checks owner and attempt). The phase is there to be looked at: a write that
fails is logged and the round goes on; the lease and the round's own
transactions decide whether the round is still this runner's. Completing or
failing the round clears the phase (``round_store.NO_PHASE``): the status says
the end.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import Engine

from services.matcher.adapters import round_store as store
from services.matcher.adapters.worker import PartsDone

log = logging.getLogger(__name__)


def solving_part(parts_done: int, parts_total: int) -> tuple[int | None, int | None]:
    """The part being solved (from 1) and how many: one past those done, at most the last."""
    if parts_total <= 0:
        return None, None
    return min(parts_done + 1, parts_total), parts_total


class RoundPhases:
    def __init__(self, engine: Engine, claimed: store.Claimed, owner: str, *,
                 every_s: float = 1.0) -> None:
        self.engine, self.claimed, self.owner = engine, claimed, owner
        self.every_s = every_s
        self.phase: str | None = None
        self._since = dt.datetime.now(dt.UTC)
        self._parts: tuple[int | None, int | None] = (None, None)  # latest reported
        self._written: tuple | None = None
        # One write at a time, in order: a part written late must not land over the
        # phase that followed it (a write in a thread cannot be called back).
        self._lock = asyncio.Lock()
        self._stop = asyncio.Event()
        self._writer: asyncio.Task | None = None
        self._lost = False

    async def enter(self, phase: str) -> None:
        self.phase, self._since, self._parts = phase, dt.datetime.now(dt.UTC), (None, None)
        if phase == store.SOLVING and self._writer is None:
            self._writer = asyncio.create_task(self._keep_writing())
        async with self._lock:
            await self._write()

    def progress(self, report: PartsDone) -> None:
        """The optimiser's latest report (on the event loop): kept for the next write."""
        if self.phase == store.SOLVING:
            self._parts = solving_part(report.parts_done, report.parts_total)

    async def close(self) -> None:
        self._stop.set()
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None

    async def _keep_writing(self) -> None:
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), self.every_s)
                return
            except TimeoutError:
                pass
            async with self._lock:
                if self.phase == store.SOLVING:
                    await self._write()

    async def _write(self) -> None:
        state = (self.phase, self._since, *self._parts)
        if self._lost or state == self._written:
            return
        try:
            written = await asyncio.to_thread(self._store, *state)
        except Exception as exc:  # noqa: BLE001 - the phase is for display; the round goes on
            log.warning("round %s: phase %s not written: %s", self.claimed.round_id,
                        self.phase, exc)
            return
        if not written:
            self._lost = True  # the claim is another's now: never write over its phases
            log.warning("round %s: phase not written, the round is no longer this "
                        "runner's", self.claimed.round_id)
            return
        self._written = state

    def _store(self, phase: str, since: dt.datetime, part: int | None,
               parts: int | None) -> bool:
        with self.engine.begin() as connection:
            return store.set_phase(connection, self.claimed, self.owner, phase, since,
                                   part, parts)
