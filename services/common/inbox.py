"""The inbox: event ids already applied, kept as long as a redelivery can come, then pruned.

A consumer records each event id in ``<service>_processed_events`` in the
transaction that applies the event, so a redelivered record changes nothing.
Without pruning the table grows by one row per event for ever.

How long is long enough (``WELFARE_INBOX_RETENTION_DAYS``, default 14): a record
is delivered again only while its topic still holds it, and the public topics
keep records 7 days (Kafka's default ``retention.ms``, which deploy/ sets):
a consumer group that rewinds, a rebalance, a retried batch, all fall inside
those 7 days. Twice that leaves a week for a consumer that was stopped or a
restore from last week's backup. Beyond the window nothing is lost anyway:
a dead letter that is replayed was never recorded here (its transaction rolled
back), and a record republished after the broker came back empty carries an
entity version or a round id that the handlers ignore when already applied.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Callable

from sqlalchemy import (Column, Connection, DateTime, Engine, MetaData, String, Table, delete,
                        func, insert, select)

from services.common.bulk import insert_new
from services.common.metrics import ServiceMetrics

log = logging.getLogger(__name__)

DEFAULT_RETENTION = dt.timedelta(days=14)
# Small batches: each is one short transaction, so pruning never holds a lock
# that the consumer's next event waits on for long.
DEFAULT_BATCH = 1_000
DEFAULT_INTERVAL_S = 3_600.0


def inbox_table(metadata: MetaData, prefix: str) -> Table:
    """Event ids already applied, for deduplication inside the same transaction."""
    return Table(
        f"{prefix}_processed_events",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("topic", String(200), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


class Inbox:
    def __init__(self, table: Table) -> None:
        self.table = table

    def first_time(self, connection: Connection, event_id: uuid.UUID, topic: str) -> bool:
        """Record the event id; False if it was already recorded (a duplicate)."""
        t = self.table
        key = str(event_id)
        if connection.execute(select(t.c.event_id).where(t.c.event_id == key)).first():
            return False
        connection.execute(insert(t).values(event_id=key, topic=topic))
        return True

    def first_times(self, connection: Connection,
                    events: list[tuple[uuid.UUID, str]]) -> list[bool]:
        """``first_time`` for a batch, in one statement whatever its size: the ids
        inserted unless already recorded, and the database says which it inserted
        (False for one already recorded, or repeated earlier in the batch). A
        concurrent transaction recording the same id makes this one wait for it,
        then find the id recorded: never both."""
        keys = [str(event_id) for event_id, _ in events]
        inserted = {key for key, in insert_new(
            connection, self.table, ("event_id", "topic"),
            [(key, topic) for key, (_, topic) in zip(keys, events, strict=True)])}
        first: list[bool] = []
        for key in keys:
            first.append(key in inserted)
            inserted.discard(key)  # a repetition later in the batch is a duplicate
        return first

    def prune(self, connection: Connection, before: dt.datetime, limit: int) -> int:
        """Delete up to ``limit`` ids recorded before ``before``; how many went."""
        t = self.table
        oldest = (select(t.c.event_id).where(t.c.processed_at < _as_stored(before))
                  .order_by(t.c.processed_at).limit(limit))
        return connection.execute(delete(t).where(t.c.event_id.in_(oldest))).rowcount


def _as_stored(moment: dt.datetime) -> dt.datetime:
    # ``processed_at`` is the database's now(), in UTC. PostgreSQL compares instants;
    # SQLite keeps naive UTC text, and SQLAlchemy writes the bound without its offset:
    # so the bound is given in UTC, with its zone.
    return moment.astimezone(dt.UTC)


class InboxPruner:
    """A service loop: every ``interval_s``, delete the ids older than the retention,
    batch after batch, each in its own transaction, in a thread (never on the loop)."""

    def __init__(self, inbox: Inbox, engine: Engine, metrics: ServiceMetrics, *,
                 retention: dt.timedelta = DEFAULT_RETENTION, batch: int = DEFAULT_BATCH,
                 interval_s: float = DEFAULT_INTERVAL_S,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.inbox = inbox
        self.engine = engine
        self.metrics = metrics
        self.retention = retention
        self.batch = batch
        self.interval_s = interval_s
        self.now = now

    def prune_once(self) -> int:
        """Every id older than the retention, gone; how many."""
        before = self.now() - self.retention
        pruned = 0
        while True:
            with self.engine.begin() as connection:
                count = self.inbox.prune(connection, before, self.batch)
            pruned += count
            self.metrics.inbox_pruned.inc(count)
            if count < self.batch:
                return pruned

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                pruned = await asyncio.to_thread(self.prune_once)
                if pruned:
                    log.info("pruned %d event id(s) older than %s from %s", pruned,
                             self.retention, self.inbox.table.name)
            except Exception as exc:  # noqa: BLE001 - the database may be away; next time
                log.warning("could not prune %s: %s", self.inbox.table.name, exc)
            try:
                await asyncio.wait_for(stop.wait(), self.interval_s)
            except TimeoutError:
                pass
