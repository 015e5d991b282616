"""The transactional outbox: events are rows first, Kafka records second.

A service writes the events it emits into its outbox table in the same
database transaction as the state change that caused them. The relay then
publishes pending rows in order and marks them published. A broker outage only
delays events; a crash between publishing and marking republishes them with the
same event id, which consumers drop as duplicates.

A row Kafka will never accept (larger than a record may be, refused as invalid
on every attempt while other rows go out) is *parked*: marked in the table with
its attempts and last error, counted, logged once, and skipped, so that one
poisoned row never holds back every other firm's and provider's events. An
operator then republishes or drops it (deploy/RUNBOOK.md#welfareoutboxrowsparked).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiokafka.errors import (
    CorruptRecordException,
    InvalidTopicError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    KafkaUnavailableError,
    MessageSizeTooLargeError,
    NoBrokersAvailable,
    ProducerClosed,
    RecordListTooLargeError,
    RecordTooLargeError,
)
from aiokafka.partitioner import murmur2
from aiokafka.record.default_records import DefaultRecordBatchBuilder
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
    delete,
    func,
    insert,
    select,
    update,
)
from tenacity import wait_exponential

from schemas.topics import TOPIC_OF, TOPICS, encode, record_key
from services.common.metrics import ServiceMetrics
from services.common.relay_lock import RelayLock
from services.common.retrying import until_stopped

log = logging.getLogger(__name__)

# publish(topic, key, value, headers) -> awaits the broker's acknowledgement
Publish = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[object]]

# The producer's max_request_size: aiokafka's and FastStream's default, which
# services/common/kafka.py does not change. A larger record is refused by the
# producer before it reaches the broker, on every attempt.
MAX_RECORD_BYTES = 1024 * 1024
# Failed attempts before a refused row is parked, and the first retry delay.
MAX_ATTEMPTS = 5
RETRY_DELAY_S = 0.5
# Rows refused one after the other, with none accepted between them, before the
# relay concludes the broker refuses everything (a misconfiguration, an ACL):
# that is backed off like an outage instead of trying every row in turn.
_REFUSALS_BEFORE_BACKING_OFF = 3
_ERROR_CHARS = 2000
# How long after Kafka acknowledged an offset it counts for BrokerLogWatch (acknowledged()).
SETTLED_S = 1.0
# The backlog gauges, at most this often while the relay is busy.
MEASURE_EVERY_S = 0.5

# Errors about the connection, not the record: retrying later succeeds. They
# never count as an attempt of the row and never park it.
_OUTAGE = (KafkaConnectionError, KafkaTimeoutError, KafkaUnavailableError, NoBrokersAvailable,
           ProducerClosed, TimeoutError, OSError)
# Errors about the record itself: no retry can succeed.
_RECORD_REFUSED = (MessageSizeTooLargeError, RecordListTooLargeError, RecordTooLargeError,
                   CorruptRecordException, InvalidTopicError, ValueError)


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
        # Parking (migration 0002 of each service): a row the broker refuses for
        # good is set aside so that the rows behind it go out.
        Column("attempts", Integer, nullable=False, default=0, server_default="0"),
        Column("last_error", Text, nullable=True),
        Column("parked_at", DateTime(timezone=True), nullable=True, index=True),
    )


def headers_for(message: BaseModel) -> dict[str, str]:
    return {
        "event-type": type(message).__name__,
        "event-id": str(getattr(message, "event_id", "")),
        "content-type": "application/json",
    }


def record_size(key: bytes, value: bytes, headers: dict[str, str]) -> int:
    """The size the producer reckons a record at, before the few headers FastStream
    adds (a record within those bytes of the limit is refused by the producer
    itself, and parked after its attempts)."""
    pairs = [(name, text.encode()) for name, text in headers.items()]
    return DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, pairs)


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
                "attempts": 0,
            }
            for m in messages
        ]
        if rows:
            connection.execute(insert(self.table), rows)

    def pending(self, connection: Connection, limit: int) -> Sequence:
        """The oldest rows neither published nor parked, in the order written."""
        t = self.table
        query = (select(t).where(t.c.published_at.is_(None), t.c.parked_at.is_(None))
                 .order_by(t.c.id).limit(limit))
        return connection.execute(query).all()

    def mark_published(self, connection: Connection, ids: list[int]) -> None:
        t = self.table
        connection.execute(
            update(t).where(t.c.id.in_(ids)).values(published_at=dt.datetime.now(dt.UTC))
        )

    def record_failure(self, connection: Connection, row_id: int, error: str, *,
                       park: bool) -> None:
        t = self.table
        values: dict = {"attempts": t.c.attempts + 1, "last_error": error[:_ERROR_CHARS]}
        if park:
            values["parked_at"] = dt.datetime.now(dt.UTC)
        connection.execute(update(t).where(t.c.id == row_id).values(**values))

    def parked(self, connection: Connection) -> Sequence:
        """Parked rows, oldest first (what the runbook's query shows)."""
        t = self.table
        query = (select(t.c.id, t.c.event_id, t.c.event_type, t.c.topic, t.c.attempts,
                        t.c.last_error, t.c.created_at, t.c.parked_at)
                 .where(t.c.parked_at.is_not(None), t.c.published_at.is_(None))
                 .order_by(t.c.id))
        return connection.execute(query).all()

    def unpark(self, connection: Connection, event_ids: list[str]) -> int:
        """Give parked rows a fresh start (after the cause is fixed); return how many."""
        t = self.table
        done = connection.execute(
            update(t).where(t.c.event_id.in_(event_ids), t.c.parked_at.is_not(None),
                            t.c.published_at.is_(None))
            .values(parked_at=None, attempts=0, last_error=None))
        return done.rowcount

    def drop_parked(self, connection: Connection, event_ids: list[str]) -> int:
        """Delete parked rows for good; return how many."""
        t = self.table
        done = connection.execute(
            delete(t).where(t.c.event_id.in_(event_ids), t.c.parked_at.is_not(None),
                            t.c.published_at.is_(None)))
        return done.rowcount

    def backlog(self, connection: Connection) -> tuple[int, dt.datetime | None]:
        """Rows waiting to be published; parked rows wait for a person, not the relay."""
        t = self.table
        query = select(func.count(), func.min(t.c.created_at)).where(
            t.c.published_at.is_(None), t.c.parked_at.is_(None))
        count, oldest = connection.execute(query).one()
        if oldest is not None and oldest.tzinfo is None:  # SQLite drops the zone
            oldest = oldest.replace(tzinfo=dt.UTC)
        return int(count), oldest

    def republish(self, connection: Connection) -> int:
        """Queue again the latest published row of every entity; return how many.

        For a broker whose log went backwards (services/common/broker_log.py):
        what it lost must go out again. Each event carries its entity's whole
        state, so the latest row per entity is enough, and it keeps its event
        id: a consumer that had it drops it as a duplicate, one that lost it
        applies it. An entity whose latest row is still pending is left alone,
        that row carries the state; parked rows are passed over (the row before
        one is the state consumers last had, the parked one waits for a person,
        as before the broker went). An entity is its
        topic, record key, kind (the last step of its ``entity_path``: a firm
        and a line of that firm may share an id) and id; a row naming no
        entity stands for itself.
        """
        t = self.table
        rows = connection.execute(
            select(t.c.id, t.c.event_id, t.c.event_type, t.c.topic, t.c.record_key, t.c.value,
                   t.c.published_at, t.c.parked_at).order_by(t.c.id)).all()
        latest: dict[tuple, tuple[int, bool]] = {}
        for row in rows:
            if row.parked_at is not None and row.published_at is None:
                continue
            latest[_entity_of(row)] = (row.id, row.published_at is not None)
        ids = sorted(row_id for row_id, published in latest.values() if published)
        for start in range(0, len(ids), 500):  # SQLite allows only so many parameters
            connection.execute(update(t).where(t.c.id.in_(ids[start:start + 500]))
                               .values(published_at=None))
        return len(ids)

    def parked_count(self, connection: Connection) -> int:
        t = self.table
        query = select(func.count()).where(t.c.parked_at.is_not(None), t.c.published_at.is_(None))
        return int(connection.execute(query).scalar_one())


def partition_of(topic: str, key: bytes) -> tuple[str, int]:
    """The partition the producer sends a keyed record to (aiokafka's
    DefaultPartitioner, Kafka's murmur2), over the topic's declared partitions."""
    spec = TOPICS.get(topic)
    partitions = spec.partitions if spec is not None else 1
    return topic, (murmur2(key) & 0x7FFFFFFF) % partitions


def _entity_kinds() -> dict[str, str]:
    return {message.__name__: message.entity_path[-1]
            for spec in TOPICS.values() for message in spec.messages
            if getattr(message, "entity_path", ())}


_ENTITY_KIND = _entity_kinds()


def _entity_of(row) -> tuple:
    """What identifies the entity an outbox row carries the state of."""
    try:
        entity_id = json.loads(row.value).get("entity_id")
    except (ValueError, AttributeError):
        entity_id = None
    if entity_id is None:
        return ("event", row.event_id)
    return (row.topic, bytes(row.record_key), _ENTITY_KIND.get(row.event_type, row.event_type),
            str(entity_id))


@dataclass
class _Refusal:
    """What the relay remembers of a row the broker refused (in memory only)."""

    retry_at: float
    # How many records the relay had seen accepted when the pass that first
    # refused this row began: more since says the broker accepts others.
    # Counted from the pass, not the refusal: keys go side by side, and a
    # record accepted a moment before the refusal says as much.
    accepted_before: int


class _BrokerRefusesEverything(Exception):
    """Every row of a pass was refused: not the rows' fault, back off as in an outage."""


class OutboxRelay:
    """Publishes an outbox to Kafka, in order per key, until stopped.

    Each pass takes the oldest pending rows (``batch_size``) and publishes the
    rows of different keys side by side and the rows of one key one after the
    other, each once the one before it is acknowledged; the pass's rows are
    marked published together at its end. A crash before that mark publishes
    them again, under the same event ids.

    Outage or poisoned row. A connection error or a timeout says nothing about
    the record: the pass stops and is retried with backoff, nothing is counted
    against the rows, nothing is parked, however long the outage lasts. Any
    other failure is the row's: it is counted in ``attempts`` and retried with
    its own backoff, and after ``max_attempts`` the row is parked - at once if
    it is larger than ``max_record_bytes`` (the producer would refuse it every
    time), after the attempts if the error is about the record (too large for
    the broker, invalid), and, for an unknown error, only if the broker
    accepted some other record meanwhile (if it accepts none, the fault is the
    broker's or the configuration's, and parking everything would help nobody).

    Order per key. Rows of the same topic and key as a refused row wait behind
    it until it is published or parked; rows of other keys go on (Kafka orders
    only within a partition, so consumers never relied on that order). Once a
    row is parked, the later rows of its key go out. That is safe because every
    event names its entity and the entity's version, and consumers keep the
    version last applied (services/matcher/adapters/book.py): a later event replaces
    the parked one whole - a withdrawal included, which keeps its version as a
    tombstone - and if the parked row is republished afterwards, it arrives
    stale and is ignored. Keeping them behind instead would leave the entity,
    and every other entity of that firm or provider, frozen until an operator
    came.

    Parked rows do not make /ready fail: the service serves requests and
    publishes every other event; failing readiness would take it out of the
    load balancer for one bad event. They raise WelfareOutboxRowsParked
    (welfare_outbox_parked_messages > 0) for an operator instead.
    """

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
        max_attempts: int = MAX_ATTEMPTS,
        retry_delay_s: float = RETRY_DELAY_S,
        max_record_bytes: int = MAX_RECORD_BYTES,
    ) -> None:
        self.outbox = outbox
        self.engine = engine
        self.publish = publish
        self.metrics = metrics
        self.batch_size = batch_size
        self.idle_interval_s = idle_interval_s
        self.max_backoff_s = max_backoff_s
        self.max_attempts = max_attempts
        self.retry_delay_s = retry_delay_s
        self.max_record_bytes = max_record_bytes
        self._wake = asyncio.Event()
        self._refused: dict[int, _Refusal] = {}
        self._accepted = 0  # records acknowledged, ever
        self._measured_at = float("-inf")  # when the backlog gauges were last set
        self._pass_began_at = 0  # ... when the current pass began
        # Offsets Kafka acknowledged, highest per partition: one lower than
        # before says the log went backwards (services/common/broker_log.py).
        self._acknowledged: dict[tuple[str, int], int] = {}
        self._log_generation = 0  # counts the rewinds, so that sends from before one are known
        # What acknowledged() gives: offsets acknowledged long enough ago, and the
        # more recent ones (time, offset) per partition, oldest first.
        self._settled: dict[tuple[str, int], int] = {}
        self._recent: dict[tuple[str, int], deque[tuple[float, int]]] = {}
        self._republish_because: str | None = None
        self._rewinds = metrics.broker_log_rewinds if metrics else None

    def wake(self) -> None:
        """Call after committing new rows, to publish them without waiting."""
        self._wake.set()

    def republish_soon(self, reason: str) -> None:
        """Queue the latest event of every entity again before the next batch.

        Done between batches, never during one: a row published to the old log
        is marked published only at the end of its batch, and must be among
        those queued again.
        """
        self._republish_because = self._republish_because or reason
        self._acknowledged = {}  # offsets of the old log say nothing of the new one
        self._settled = {}
        self._recent = {}
        self._log_generation += 1
        self._wake.set()

    def acknowledged(self) -> dict[tuple[str, int], int]:
        """The highest offset Kafka acknowledged per (topic, partition) since the last
        rewind, at least ``SETTLED_S`` ago.

        For BrokerLogWatch, which takes an end offset at or below one of these for
        a log gone backwards. The embedded broker answers a send a moment before
        its end offsets show the record; with keys sent side by side that moment
        was seen often enough (end 11 while 14 was acknowledged, three matcher
        instances) to republish every entity's event for nothing. A log that
        really went backwards still shows it a moment later.
        """
        settled_before = time.monotonic() - SETTLED_S
        for tp, recent in self._recent.items():
            while recent and recent[0][0] <= settled_before:
                _, offset = recent.popleft()
                self._settled[tp] = max(self._settled.get(tp, offset), offset)
        return dict(self._settled)

    def _note_acknowledgement(self, topic: str, metadata: object,
                              sent_after: tuple[int, dict[tuple[str, int], int]]) -> None:
        """Note an offset Kafka gave; one below an offset acknowledged *before this
        record was sent* says the log went backwards.

        Compared with what was known at the send, not at the answer: keys go side
        by side, and a record sent first may be answered after one sent later
        with a higher offset of the same partition (that is no rewind; taking it
        for one republished every entity's event).
        """
        partition = getattr(metadata, "partition", None)
        offset = getattr(metadata, "offset", None)
        if not isinstance(partition, int) or not isinstance(offset, int) or offset < 0:
            return  # a stand-in publish in a test, or an acknowledgement without offset
        generation, known_at_send = sent_after
        if generation != self._log_generation:
            return  # sent before a rewind was noticed: its offset says nothing of the new log
        tp = (topic, partition)
        before = known_at_send.get(tp)
        if before is not None and offset < before:
            self.republish_soon(f"Kafka acknowledged offset {offset} of {topic}[{partition}], "
                                f"below the offset {before} it acknowledged before")
        current = self._acknowledged.get(tp)
        self._acknowledged[tp] = offset if current is None else max(current, offset)
        recent = self._recent.setdefault(tp, deque())
        if recent and time.monotonic() - recent[0][0] > SETTLED_S:
            self.acknowledged()  # settles what is old enough, so that the list stays short
        recent.append((time.monotonic(), offset))

    async def _republish_if_asked(self) -> None:
        reason = self._republish_because
        if reason is None:
            return
        count = await asyncio.to_thread(self._republish)
        self._republish_because = None
        if self._rewinds is not None:
            self._rewinds.inc()
        log.warning("outbox relay: the broker's log went backwards (%s): publishing the "
                    "latest event of %d entities again", reason, count)

    def _republish(self) -> int:
        with self.engine.begin() as connection:
            return self.outbox.republish(connection)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                published = await self._relay_until_it_works(stop)
            except Exception:  # noqa: BLE001 - only raised once told to stop
                return
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

    async def _relay_until_it_works(self, stop: asyncio.Event) -> int:
        """One batch, tried again with a growing pause while the broker is away."""
        def count(_failure: BaseException) -> None:
            if self.metrics:
                self.metrics.outbox_publish_failures.inc()

        async for attempt in until_stopped(
                stop, wait=wait_exponential(multiplier=0.1, max=self.max_backoff_s),
                what="outbox relay: publishing", on_failure=count):
            with attempt:
                return await self.relay_once()
        raise AssertionError("unreachable: tenacity returns or raises")

    async def relay_once(self) -> int:
        """Publish one batch of pending events; return how many were published or parked.

        Raises when the broker cannot be reached (the caller backs off).
        """
        await self._republish_if_asked()
        published: list = []
        parked = 0
        refusals = 0
        failure: list[Exception] = []  # the first outage (or refusal of everything) of the pass

        async def in_order(chain: list) -> None:
            # One partition's rows, each sent once the one before it is
            # acknowledged or parked. The producer would keep their order if
            # they were sent together, but a row refused while the rows of its
            # key behind it were already sent would reach consumers after them;
            # and the embedded broker (Tansu 0.6) answers ListOffsets with the
            # base offset of a partition's last batch plus one, whatever the
            # records in it, so that a batch of several records looked like a
            # log gone backwards to BrokerLogWatch, and every entity's event
            # went out again. A refused row holds back the rest of its key.
            nonlocal parked, refusals
            held_here: set[bytes] = set()
            for row in chain:
                if failure:
                    return  # the pass stops; what went out is marked below
                if bytes(row.record_key) in held_here:
                    continue
                try:
                    outcome = await self._publish_row(row)
                except Exception as exc:  # noqa: BLE001 - an outage: raised after the pass
                    failure.append(exc)
                    return
                if outcome == "published":
                    published.append(row)
                    refusals = 0
                    self._accepted += 1
                    self._refused.pop(row.id, None)
                elif outcome == "parked":
                    parked += 1
                else:
                    refusals += 1
                    held_here.add(bytes(row.record_key))
                    if refusals >= _REFUSALS_BEFORE_BACKING_OFF and not failure:
                        failure.append(_BrokerRefusesEverything(
                            f"Kafka refused {refusals} events in a row and accepted none"))

        self._pass_began_at = self._accepted
        try:
            rows = await asyncio.to_thread(self._pending)
            # Partitions go side by side (one awaited send after another cost a
            # round trip per event: about 80 events/s, issue 12); within one, in order.
            chains: dict[tuple[str, int], list] = {}
            held: set[tuple[str, bytes]] = set()  # keys waiting behind a refused row
            now = time.monotonic()
            for row in rows:
                key = (row.topic, bytes(row.record_key))
                if key in held:
                    continue
                refusal = self._refused.get(row.id)
                if refusal is not None and refusal.retry_at > now:
                    held.add(key)
                    continue
                chains.setdefault(partition_of(row.topic, key[1]), []).append(row)
            await asyncio.gather(*(in_order(chain) for chain in chains.values()))
            if failure:
                raise failure[0]
            return len(published) + parked
        finally:
            if published:
                await asyncio.to_thread(self._mark, [row.id for row in published])
                if self.metrics:
                    for row in published:
                        self.metrics.outbox_published.labels(row.topic).inc()
            # Measured when publishing fails too: a broker outage is when the backlog
            # grows. A busy relay measures at most every MEASURE_EVERY_S (two queries
            # a pass were a good part of a pass of one event); an idle one, each pass.
            now = time.monotonic()
            if failure or not published or now - self._measured_at >= MEASURE_EVERY_S:
                self._measured_at = now
                await self._measure_quietly()

    async def _publish_row(self, row) -> str:
        """Publish one row: "published", "parked" or "refused" (to retry later).

        Raises on an outage.
        """
        headers = json.loads(row.headers)
        size = record_size(row.record_key, row.value, headers)
        if size > self.max_record_bytes:
            error = (f"the event is {size} bytes as a Kafka record, larger than the "
                     f"{self.max_record_bytes} bytes a record may be (max_request_size)")
            await self._park(row, error)
            return "parked"
        sent_after = (self._log_generation, dict(self._acknowledged))
        try:
            metadata = await self.publish(row.topic, row.record_key, row.value, headers)
        except _OUTAGE:
            raise
        except KafkaError as exc:
            if exc.retriable and not isinstance(exc, _RECORD_REFUSED):
                raise  # leader elections, not enough replicas: the cluster's state
            return await self._refused_row(row, exc)
        except Exception as exc:  # noqa: BLE001 - whatever it is, it must not block the rest
            return await self._refused_row(row, exc)
        self._note_acknowledgement(row.topic, metadata, sent_after)
        return "published"

    async def _refused_row(self, row, exc: Exception) -> str:
        error = f"{type(exc).__name__}: {exc}"
        attempts = row.attempts + 1
        refusal = self._refused.get(row.id)
        about_the_record = isinstance(exc, _RECORD_REFUSED)
        since = refusal.accepted_before if refusal is not None else self._pass_began_at
        others_went_out = refusal is not None and self._accepted > since
        if attempts >= self.max_attempts and (about_the_record or others_went_out):
            await self._park(row, error)
            return "parked"
        await asyncio.to_thread(self._record_failure, row.id, error, False)
        delay = min(self.retry_delay_s * 2 ** (attempts - 1), self.max_backoff_s)
        self._refused[row.id] = _Refusal(time.monotonic() + delay, since)
        log.warning("outbox relay: Kafka refused event %s (%s to %s), attempt %d of %d: %s",
                    row.event_id, row.event_type, row.topic, attempts, self.max_attempts, error)
        return "refused"

    async def _park(self, row, error: str) -> None:
        await asyncio.to_thread(self._record_failure, row.id, error, True)
        self._refused.pop(row.id, None)
        if self.metrics:
            self.metrics.outbox_parked_events.labels(row.topic).inc()
        log.error("outbox relay: parked event %s (%s to %s) after %d attempt(s), the events "
                  "behind it go on; see deploy/RUNBOOK.md#welfareoutboxrowsparked: %s",
                  row.event_id, row.event_type, row.topic, row.attempts + 1, error)

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
        # Several instances share the table: only the one holding the table's
        # relay lock publishes (services/common/relay_lock.py); the others find nothing.
        lock = _relay_lock(self)
        if not lock.held():
            return []
        with self.engine.connect() as connection:
            rows = self.outbox.pending(connection, self.batch_size)
        if not rows:
            # Idle, and the last batch is marked: nothing is in flight, so another
            # instance may take the table over (and a stopped relay holds nothing).
            lock.release()
        return rows

    def _mark(self, ids: list[int]) -> None:
        with self.engine.begin() as connection:
            self.outbox.mark_published(connection, ids)

    def _record_failure(self, row_id: int, error: str, park: bool) -> None:
        with self.engine.begin() as connection:
            self.outbox.record_failure(connection, row_id, error, park=park)

    def _measure(self) -> None:
        if not self.metrics:
            return
        with self.engine.connect() as connection:
            count, oldest = self.outbox.backlog(connection)
            parked = self.outbox.parked_count(connection)
        self.metrics.outbox_backlog.set(count)
        age = (dt.datetime.now(dt.UTC) - oldest).total_seconds() if oldest else 0.0
        self.metrics.outbox_oldest_age.set(max(age, 0.0))
        self.metrics.outbox_parked.set(parked)


def _relay_lock(relay: OutboxRelay) -> RelayLock:
    """The relay's lock, made on first use (and released when the relay is collected)."""
    lock = relay.__dict__.get("_relay_lock")
    if lock is None:
        lock = relay.__dict__["_relay_lock"] = RelayLock(relay.engine, relay.outbox.table.name)
        weakref.finalize(relay, lock.release)
    return lock
