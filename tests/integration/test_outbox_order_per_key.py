"""The relay publishes keys side by side and each key in order (issue 12, item 11).

A stand-in publish stands for Kafka here, so that a send can be made slow, refused
or interrupted at will; SQLite and PostgreSQL hold the outbox.
"""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import CollectorRegistry

from services.common.metrics import ServiceMetrics
from services.common.outbox import OutboxRelay, _relay_lock, partition_of
from tests.integration.test_outbox_parking import make_outbox, submitted, table_rows

pytestmark = [pytest.mark.postgres]


class StandIn:
    """Kafka as the relay sees it: each call noted when it starts and when it is answered."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []  # ("start" | "ack" | "refused", event id)
        self.slow: dict[str, asyncio.Event] = {}  # event id -> released when set
        self.refuse_once: set[str] = set()

    async def __call__(self, topic, key, value, headers):
        event_id = headers["event-id"]
        self.log.append(("start", event_id))
        if event_id in self.slow:
            await self.slow[event_id].wait()
        if event_id in self.refuse_once:
            self.refuse_once.discard(event_id)
            self.log.append(("refused", event_id))
            raise RuntimeError("the broker refused this record, this once")
        self.log.append(("ack", event_id))
        return None

    def index(self, what: str, event_id: str) -> int:
        return self.log.index((what, event_id))

    def acked(self) -> list[str]:
        return [e for what, e in self.log if what == "ack"]


def firms_apart(count: int = 2) -> list[str]:
    """Firm ids whose events go to different partitions (a partition's rows go one at a time)."""
    found: dict[int, str] = {}
    for n in range(1000):
        _, partition = partition_of("welfare.demand.v1", f"firm-{n}".encode())
        found.setdefault(partition, f"firm-{n}")
        if len(found) == count:
            return list(found.values())
    raise AssertionError("not enough partitions")


def ids(*messages) -> list[str]:
    return [str(m.event_id) for m in messages]


async def test_a_slow_event_holds_back_its_own_key_only(database_url):
    outbox, engine = make_outbox(database_url)
    firm_a, firm_b = firms_apart()
    a1, a2, a3 = (submitted(firm_a) for _ in range(3))
    b1, b2 = (submitted(firm_b) for _ in range(2))
    with engine.begin() as db:
        outbox.add(db, a1, b1, a2, b2, a3)
    kafka = StandIn()
    kafka.slow[str(a1.event_id)] = asyncio.Event()
    relay = OutboxRelay(outbox, engine, kafka, ServiceMetrics(CollectorRegistry(), "test"))
    passing = asyncio.create_task(relay.relay_once())
    async with asyncio.timeout(30):
        while kafka.acked() != ids(b1, b2):  # firm-b goes on while firm-a's first waits
            await asyncio.sleep(0.01)
    assert ("start", str(a2.event_id)) not in kafka.log  # ... and firm-a waits behind it
    kafka.slow[str(a1.event_id)].set()
    assert await passing == 5
    assert [e for e in kafka.acked() if e in ids(a1, a2, a3)] == ids(a1, a2, a3)
    # Each of firm-a's events is sent only once the one before it is acknowledged.
    assert kafka.index("start", str(a2.event_id)) > kafka.index("ack", str(a1.event_id))
    assert kafka.index("start", str(a3.event_id)) > kafka.index("ack", str(a2.event_id))
    assert all(row.published_at is not None for row in table_rows(outbox, engine).values())
    engine.dispose()


async def test_a_refused_event_is_retried_before_the_rest_of_its_key(database_url):
    outbox, engine = make_outbox(database_url)
    firm_a, firm_b = firms_apart()
    a1, a2, a3 = (submitted(firm_a) for _ in range(3))
    b1 = submitted(firm_b)
    with engine.begin() as db:
        outbox.add(db, a1, a2, b1, a3)
    kafka = StandIn()
    kafka.refuse_once.add(str(a1.event_id))
    relay = OutboxRelay(outbox, engine, kafka, ServiceMetrics(CollectorRegistry(), "test"),
                        retry_delay_s=0.05)
    assert await relay.relay_once() == 1  # firm-b's only; firm-a waits behind its refused row
    assert kafka.acked() == ids(b1)
    async with asyncio.timeout(30):  # firm-a's row waits out its retry delay
        while len(kafka.acked()) < 4:
            await relay.relay_once()
            await asyncio.sleep(0.02)
    assert kafka.acked() == ids(b1, a1, a2, a3)
    assert kafka.index("start", str(a2.event_id)) > kafka.index("ack", str(a1.event_id))
    rows = table_rows(outbox, engine)
    assert rows[str(a1.event_id)].attempts == 1
    assert all(row.published_at is not None for row in rows.values())
    engine.dispose()


async def test_events_sent_but_not_marked_go_out_again_under_their_ids(database_url):
    """A crash after Kafka acknowledged a pass's events and before they were marked:
    the next relay sends them again, with the same event ids (consumers drop the
    second copy), in the same order per key."""
    outbox, engine = make_outbox(database_url)
    events = [submitted(f"firm-{i % 3}") for i in range(9)]
    with engine.begin() as db:
        outbox.add(db, *events)
    first = StandIn()
    crashing = OutboxRelay(outbox, engine, first)

    class Killed(Exception):
        pass

    def crash(_ids):
        raise Killed("killed before marking")  # what a SIGKILL leaves: nothing marked

    crashing._mark = crash  # noqa: SLF001 - the moment a crash interrupts
    with pytest.raises(Killed):
        await crashing.relay_once()
    _relay_lock(crashing).release()  # PostgreSQL lets it go with the dead process's session
    assert sorted(first.acked()) == sorted(ids(*events))
    assert all(row.published_at is None for row in table_rows(outbox, engine).values())
    second = StandIn()
    await OutboxRelay(outbox, engine, second).drain()
    assert sorted(second.acked()) == sorted(ids(*events))
    for firm in range(3):
        of_firm = ids(*events[firm::3])
        assert [e for e in second.acked() if e in of_firm] == of_firm
    assert all(row.published_at is not None for row in table_rows(outbox, engine).values())
    engine.dispose()


async def test_an_outage_in_one_key_marks_what_the_other_keys_published(database_url):
    outbox, engine = make_outbox(database_url)
    a1, b1, b2 = submitted("firm-a"), submitted("firm-b"), submitted("firm-b")
    with engine.begin() as db:
        outbox.add(db, a1, b1, b2)
    sent: list[str] = []

    async def kafka(topic, key, value, headers):
        if headers["event-id"] == str(a1.event_id):
            raise ConnectionError("Kafka went away")
        await asyncio.sleep(0)
        sent.append(headers["event-id"])

    relay = OutboxRelay(outbox, engine, kafka)
    with pytest.raises(ConnectionError):
        await relay.relay_once()
    rows = table_rows(outbox, engine)
    assert {e for e, row in rows.items() if row.published_at is not None} == set(sent)
    assert rows[str(a1.event_id)].published_at is None
    assert rows[str(a1.event_id)].attempts == 0  # an outage is not the row's fault
    engine.dispose()


class Acknowledged:
    """What aiokafka answers a send with: the record's partition and offset."""

    def __init__(self, partition: int, offset: int) -> None:
        self.partition, self.offset = partition, offset


async def test_answers_out_of_send_order_are_no_rewind_of_the_log(database_url):
    """Two partitions: the first record sent is answered after the second, with a
    lower offset (as a stand-in numbering one log). Taken for a log gone backwards, that republished the latest
    event of every entity (every award twice, test_several_instances.py)."""
    outbox, engine = make_outbox(database_url)
    firm_a, firm_b = firms_apart()
    a1, b1 = submitted(firm_a), submitted(firm_b)
    with engine.begin() as db:
        outbox.add(db, a1, b1)
    offsets = iter(range(100))
    b_answered = asyncio.Event()

    async def kafka(topic, key, value, headers):
        offset = next(offsets)  # the broker appends in the order sent
        if headers["event-id"] == str(a1.event_id):
            await b_answered.wait()
        else:
            b_answered.set()
        return Acknowledged(0, offset)

    relay = OutboxRelay(outbox, engine, kafka)
    assert await relay.relay_once() == 2
    assert relay._republish_because is None  # noqa: SLF001
    assert relay._acknowledged == {("welfare.demand.v1", 0): 1}  # noqa: SLF001
    # A log that really went backwards still says so: an offset below one
    # acknowledged before the record was sent.
    later = submitted("firm-c")
    with engine.begin() as db:
        outbox.add(db, later)
    offsets = iter([0])
    assert await relay.relay_once() == 1
    assert relay._republish_because is not None  # noqa: SLF001
    engine.dispose()


async def test_an_acknowledgement_counts_for_the_log_watch_once_settled(database_url,
                                                                         monkeypatch):
    """The embedded broker answers a send a moment before its end offsets show the
    record: BrokerLogWatch sees an offset only once it is SETTLED_S old."""
    outbox, engine = make_outbox(database_url)
    with engine.begin() as db:
        outbox.add(db, submitted("firm-a"))

    async def kafka(topic, key, value, headers):
        return Acknowledged(0, 7)

    clock = [1000.0]
    monkeypatch.setattr("services.common.outbox.time.monotonic", lambda: clock[0])
    relay = OutboxRelay(outbox, engine, kafka)
    assert await relay.relay_once() == 1
    assert relay.acknowledged() == {}
    clock[0] += 1.5
    assert relay.acknowledged() == {("welfare.demand.v1", 0): 7}
    engine.dispose()


async def test_the_rows_of_one_partition_go_one_at_a_time(database_url):
    """Two keys of one partition: never two records of it in flight, so that the
    producer never batches them (the embedded broker's end offsets count a batch
    of several records as one, which BrokerLogWatch took for a lost log)."""
    outbox, engine = make_outbox(database_url)
    partition = partition_of("welfare.demand.v1", b"firm-0")
    other = next(f"firm-{n}" for n in range(1, 1000)
                 if partition_of("welfare.demand.v1", f"firm-{n}".encode()) == partition)
    first, second = submitted("firm-0"), submitted(other)
    with engine.begin() as db:
        outbox.add(db, first, second)
    kafka = StandIn()
    kafka.slow[str(first.event_id)] = asyncio.Event()
    relay = OutboxRelay(outbox, engine, kafka)
    passing = asyncio.create_task(relay.relay_once())
    async with asyncio.timeout(30):
        while ("start", str(first.event_id)) not in kafka.log:
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert ("start", str(second.event_id)) not in kafka.log
    kafka.slow[str(first.event_id)].set()
    assert await passing == 2
    assert kafka.index("start", str(second.event_id)) > kafka.index("ack", str(first.event_id))
    engine.dispose()
