"""Book gauges: demand lines and offers standing, by network and category;
awards awaiting their provider's answer, by network.

Counted from the tables every few seconds rather than on every event: a
burst of thousands of events costs one query, not thousands of updates.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from prometheus_client import Gauge
from sqlalchemy import Connection, Engine, Table, func, select

from services.common.metrics import ServiceMetrics
from services.matcher.adapters import tables as t
from services.matcher.adapters.snapshot import last_committed_round
from services.matcher.adapters.standing import told_contract

log = logging.getLogger(__name__)


class BookGauges:
    def __init__(self, engine: Engine, metrics: ServiceMetrics, interval_s: float = 5.0) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self._gauges: list[tuple[Table, Gauge]] = [
            (t.demand_lines, metrics.demand_lines), (t.offers, metrics.offers)]
        self._seen: dict[str, set[tuple[str, str]]] = {}
        self.metrics = metrics

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
            self._refresh_awaiting(connection)

    def _refresh_awaiting(self, connection: Connection) -> None:
        """Count, by network, the current awards no answer has reached yet.

        Current means in the network's latest committed round: an award a later
        round amended or withdrew can no longer be answered (its answer is
        refused), so it does not wait. A contract a repair round kept unchanged
        carries its answer over, and its age runs from the round that announced
        it to the provider, not from the repair.
        """
        now = dt.datetime.now(dt.UTC)
        m = self.metrics
        networks = connection.execute(select(t.rounds.c.network_id).distinct()).scalars().all()
        for network in networks:
            latest = last_committed_round(connection, network)
            c, r = t.contracts.c, t.contract_responses.c
            waiting = connection.execute(
                select(t.contracts)
                .outerjoin(t.contract_responses, r.contract_id == c.contract_id)
                .where(c.round_id == latest, c.awarded.is_(True), r.contract_id.is_(None))
            ).all() if latest is not None else []
            announced = {told_contract(connection, row)[1] for row in waiting}
            finished = [when for when in connection.execute(
                select(t.rounds.c.finished_at).where(t.rounds.c.round_id.in_(announced))
            ).scalars() if when is not None] if announced else []
            oldest = min(finished, default=None)
            if oldest is not None and oldest.tzinfo is None:  # SQLite keeps no zone: UTC
                oldest = oldest.replace(tzinfo=dt.UTC)
            m.awards_awaiting.labels(network).set(len(waiting))
            m.awards_awaiting_oldest_age.labels(network).set(
                0 if oldest is None else max((now - oldest).total_seconds(), 0.0))

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
