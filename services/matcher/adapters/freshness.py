"""How fresh the matcher's book is: what it holds of a network, and what it has yet to apply.

``BookLag`` measures, every few seconds, the records on the book's topics
(``BOOK_TOPICS``) that the matcher's consumer groups have not yet applied and
committed (``lag.unprocessed``: the same count a round waits on before it
freezes its snapshot), and keeps the last measurement with its time. The read
API answers from it at once instead of asking the broker on every page view.

The count is the matcher's, over every network: a record not yet read cannot
be told apart by network, so a network's page says "N events still to apply"
of the whole matcher.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from services.matcher.adapters.lag import LagProbe, unprocessed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MeasuredLag:
    unapplied_events: int
    measured_at: dt.datetime


class BookLag:
    """The last measured count of book events not yet applied; None until one is measured.

    Takes the LagProbe for its broker, interval and timeout: one place says
    how often and how long the matcher asks the broker about its consumers.
    A measurement that fails keeps the previous one: it is still true as of
    its time, and the page shows that time.
    """

    def __init__(self, probe: LagProbe, topics: Iterable[str], *,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.probe = probe
        self.topics = set(topics)
        self.clock = clock
        self.last: MeasuredLag | None = None

    def __call__(self) -> MeasuredLag | None:
        return self.last

    async def measure(self) -> MeasuredLag | None:
        consumers = [s.consumer for s in self.probe.broker.subscribers
                     if set(s.topic_names) & self.topics]
        # A consumer not started yet, or one with no partition: nothing can be said.
        if not consumers or any(c is None for c in consumers):
            return self.last
        try:
            async with asyncio.timeout(self.probe.timeout_s):
                left = [await unprocessed(c) for c in consumers]
        except Exception as exc:  # noqa: BLE001 - the broker may be away
            log.debug("book lag not measured: %s", exc)
            return self.last
        if any(n is None for n in left):
            return self.last
        self.last = MeasuredLag(sum(left), self.clock())
        return self.last

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.measure()
            try:
                await asyncio.wait_for(stop.wait(), self.probe.interval_s)
            except TimeoutError:
                pass


class BookView(BaseModel):
    """What the matcher's book holds of a network now, and how fresh it is."""

    model_config = ConfigDict(frozen=True)

    network_id: str
    firms: int  # enrolled, not withdrawn
    providers: int
    demand_lines: int  # standing: published and not withdrawn
    offers: int
    changed_at: dt.datetime | None  # the last event applied to the network's book
    # Events on the book's topics (every network's) not yet applied, as last measured;
    # None: not measured yet (the consumers have not started or have no partitions).
    unapplied_events: int | None
    measured_at: dt.datetime | None
