"""Book gauges: demand lines and offers standing, by network and category.

Counted from the tables every few seconds rather than on every event: a
burst of thousands of events costs one query, not thousands of updates.
"""

from __future__ import annotations

import asyncio
import logging

from prometheus_client import Gauge
from sqlalchemy import Engine, Table, func, select

from services.common.metrics import ServiceMetrics
from services.matcher import tables as t

log = logging.getLogger(__name__)


class BookGauges:
    def __init__(self, engine: Engine, metrics: ServiceMetrics, interval_s: float = 5.0) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self._gauges: list[tuple[Table, Gauge]] = [
            (t.demand_lines, metrics.demand_lines), (t.offers, metrics.offers)]
        self._seen: dict[str, set[tuple[str, str]]] = {}

    def refresh(self) -> None:
        with self.engine.connect() as connection:
            for table, gauge in self._gauges:
                c = table.c
                counts = {
                    (row.network_id, row.category): row.n
                    for row in connection.execute(
                        select(c.network_id, c.category, func.count().label("n"))
                        .where(c.withdrawn.is_(False), c.payload.is_not(None))
                        .group_by(c.network_id, c.category))
                }
                # A category whose last line went away must read 0, not its old count.
                for labels in self._seen.get(table.name, set()) - counts.keys():
                    gauge.labels(*labels).set(0)
                for labels, n in counts.items():
                    gauge.labels(*labels).set(n)
                self._seen[table.name] = set(counts)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.refresh)
            except Exception as exc:  # noqa: BLE001 - the database may be away
                log.warning("book gauges not refreshed: %s", exc)
            try:
                await asyncio.wait_for(stop.wait(), self.interval_s)
            except TimeoutError:
                pass
