"""The transactional outbox: events are rows first, Kafka records second.

A service writes the events it emits into its outbox table in the same
database transaction as the state change that caused them. The relay then
publishes pending rows in order and marks them published. A broker outage only
delays events; a crash between publishing and marking republishes them with the
same event id, which consumers drop as duplicates.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Sequence

from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from schemas.topics import TOPIC_OF, encode, record_key
from services.common.metrics import ServiceMetrics

log = logging.getLogger(__name__)

# publish(topic, key, value, headers) -> awaits the broker's acknowledgement
Publish = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[object]]


def outbox_table(metadata: MetaData, prefix: str) -> Table:
    return Table(
        f"{prefix}_outbox",
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(64), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("record_key", LargeBinary, nullable=False),
        Column("value", LargeBinary, nullable=False),
        Column("headers", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True, index=True),
    )


def headers_for(message: BaseModel) -> dict[str, str]:
    return {
        "event-type": type(message).__name__,
        "event-id": str(getattr(message, "event_id", "")),
        "content-type": "application/json",
    }


class Outbox:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, connection: Connection, *messages: BaseModel) -> None:
        """Queue messages inside the caller's transaction."""
        now = dt.datetime.now(dt.UTC)
        rows = [
            {
                "event_id": str(m.event_id),  # type: ignore[attr-defined]
                "event_type": type(m).__name__,
                "topic": TOPIC_OF[type(m)],
                "record_key": record_key(m),
                "value": encode(m),
                "headers": json.dumps(headers_for(m)),
                "created_at": now,
            }
            for m in messages
        ]
        if rows:
            connection.execute(insert(self.table), rows)

    def pending(self, connection: Connection, limit: int) -> Sequence:
        t = self.table
        query = select(t).where(t.c.published_at.is_(None)).order_by(t.c.id).limit(limit)
        return connection.execute(query).all()

    def mark_published(self, connection: Connection, ids: list[int]) -> None:
        t = self.table
        connection.execute(
            update(t).where(t.c.id.in_(ids)).values(published_at=dt.datetime.now(dt.UTC))
        )

    def backlog(self, connection: Connection) -> tuple[int, dt.datetime | None]:
        t = self.table
        query = select(func.count(), func.min(t.c.created_at)).where(t.c.published_at.is_(None))
        count, oldest = connection.execute(query).one()
        if oldest is not None and oldest.tzinfo is None:  # SQLite drops the zone
            oldest = oldest.replace(tzinfo=dt.UTC)
        return int(count), oldest


class OutboxRelay:
    """Publishes an outbox to Kafka, in order, until stopped."""

    def __init__(
        self,
        outbox: Outbox,
        engine: Engine,
        publish: Publish,
        metrics: ServiceMetrics | None = None,
        *,
        batch_size: int = 200,
        idle_interval_s: float = 0.5,
        max_backoff_s: float = 5.0,
    ) -> None:
        self.outbox = outbox
        self.engine = engine
        self.publish = publish
        self.metrics = metrics
        self.batch_size = batch_size
        self.idle_interval_s = idle_interval_s
        self.max_backoff_s = max_backoff_s
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Call after committing new rows, to publish them without waiting."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.1
        while not stop.is_set():
            try:
                published = await self.relay_once()
                backoff = 0.1
            except Exception as exc:  # noqa: BLE001 - the broker may be away; keep trying
                if self.metrics:
                    self.metrics.outbox_publish_failures.inc()
                log.warning("outbox relay: publish failed, retrying in %.1fs: %s", backoff, exc)
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, self.max_backoff_s)
                continue
            if published == 0:
                self._wake.clear()
                waiter = asyncio.ensure_future(self._wake.wait())
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait(
                    {waiter, stopper}, timeout=self.idle_interval_s,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                waiter.cancel()
                stopper.cancel()

    async def relay_once(self) -> int:
        """Publish one batch of pending events; return how many."""
        try:
            rows = await asyncio.to_thread(self._pending)
            if rows:
                for row in rows:
                    await self.publish(row.topic, row.record_key, row.value,
                                       json.loads(row.headers))
                await asyncio.to_thread(self._mark, [row.id for row in rows])
                if self.metrics:
                    for row in rows:
                        self.metrics.outbox_published.labels(row.topic).inc()
            return len(rows)
        finally:
            # Measured when publishing fails too: a broker outage is when the backlog grows.
            await self._measure_quietly()

    async def _measure_quietly(self) -> None:
        try:
            await asyncio.to_thread(self._measure)
        except Exception as exc:  # noqa: BLE001 - the database may be away as well
            log.debug("outbox backlog not measured: %s", exc)

    async def drain(self, timeout_s: float = 30.0) -> None:
        """Publish until nothing is pending (for shutdown and tests)."""
        async with asyncio.timeout(timeout_s):
            while await self.relay_once():
                pass

    def _pending(self) -> Sequence:
        with self.engine.connect() as connection:
            return self.outbox.pending(connection, self.batch_size)

    def _mark(self, ids: list[int]) -> None:
        with self.engine.begin() as connection:
            self.outbox.mark_published(connection, ids)

    def _measure(self) -> None:
        if not self.metrics:
            return
        with self.engine.connect() as connection:
            count, oldest = self.outbox.backlog(connection)
        self.metrics.outbox_backlog.set(count)
        age = (dt.datetime.now(dt.UTC) - oldest).total_seconds() if oldest else 0.0
        self.metrics.outbox_oldest_age.set(max(age, 0.0))


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
