"""The shared plumbing on a real broker and real databases: outbox relay, dead letters."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream import AckPolicy
from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData

from schemas import TOPIC_OF, decode, encode, record_key
from schemas.examples import examples
from schemas.topics import DEAD_LETTER, DEMAND
from services.common.consumer import guarded
from services.common.database import make_engine
from services.common.kafka import KafkaConnection, declared_publish, topics_read, topics_written
from services.common.metrics import ServiceMetrics
from services.common.outbox import Outbox, OutboxRelay, outbox_table

pytestmark = [pytest.mark.broker, pytest.mark.postgres]
EXAMPLES = examples()


async def read_all(bootstrap: str, topics, expected: int, timeout_s: float = 30) -> list:
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    records: list = []
    try:
        async with asyncio.timeout(timeout_s):
            while len(records) < expected:
                for batch in (await consumer.getmany(timeout_ms=300)).values():
                    records.extend(batch)
    finally:
        await consumer.stop()
    return records


def make_outbox(url: str) -> tuple[Outbox, object]:
    metadata = MetaData()
    outbox = Outbox(outbox_table(metadata, "test"))
    engine = make_engine(url)
    metadata.create_all(engine)
    return outbox, engine


async def test_outbox_relays_every_event_once_in_order(settings):
    outbox, engine = make_outbox(settings.database_url)
    connection = KafkaConnection.from_settings(settings)
    broker = connection.faststream_broker(client_id="outbox-test")
    publish = declared_publish(broker, set(TOPIC_OF.values()))
    metrics = ServiceMetrics(CollectorRegistry(), "test")
    relay = OutboxRelay(outbox, engine, publish, metrics)
    with engine.begin() as db:
        outbox.add(db, *EXAMPLES)
    assert metrics.outbox_backlog._value.get() == 0  # measured on the relay's first pass
    async with broker:
        await broker.start()
        await relay.drain()
    records = await read_all(settings.kafka_bootstrap, set(TOPIC_OF.values()), len(EXAMPLES))
    received = [decode(r.topic, r.value) for r in records]
    assert sorted(str(m.event_id) for m in received) == sorted(str(m.event_id) for m in EXAMPLES)
    assert all(r.key == record_key(decode(r.topic, r.value)) for r in records)
    with engine.connect() as db:
        assert outbox.backlog(db) == (0, None)
    assert metrics.outbox_backlog._value.get() == 0


async def test_a_broker_outage_delays_events_and_loses_none(settings, broker):
    outbox, engine = make_outbox(settings.database_url)
    connection = KafkaConnection.from_settings(settings)
    producer = connection.faststream_broker(client_id="outage-test")
    publish = declared_publish(producer, set(TOPIC_OF.values()))
    metrics = ServiceMetrics(CollectorRegistry(), "test")
    relay = OutboxRelay(outbox, engine, publish, metrics, max_backoff_s=0.5)
    stop = asyncio.Event()
    async with producer:
        await producer.start()
        running = asyncio.create_task(relay.run(stop))
        broker.stop()  # Kafka goes away while events are being written
        with engine.begin() as db:
            outbox.add(db, *EXAMPLES[:5])
        relay.wake()
        async with asyncio.timeout(30):
            while metrics.outbox_publish_failures._value.get() < 2:
                await asyncio.sleep(0.1)
        with engine.connect() as db:
            assert outbox.backlog(db)[0] == 5  # waiting, not lost
        broker.start()  # back (Tansu restarts empty, with the topics recreated)
        async with asyncio.timeout(60):
            while True:
                with engine.connect() as db:
                    if outbox.backlog(db)[0] == 0:
                        break
                await asyncio.sleep(0.2)
        stop.set()
        await running
    records = await read_all(broker.bootstrap, set(TOPIC_OF.values()), 5)
    assert {decode(r.topic, r.value).event_id for r in records} == {
        m.event_id for m in EXAMPLES[:5]}


async def test_poison_messages_are_dead_lettered_once_and_the_consumer_carries_on(settings):
    connection = KafkaConnection.from_settings(settings)
    broker = connection.faststream_broker(client_id="dlq-test")
    publish = declared_publish(broker, [DEAD_LETTER])
    metrics = ServiceMetrics(CollectorRegistry(), "test")
    handled: list = []

    async def handler(event) -> None:
        if getattr(event, "firm_id", None) == "always-fails":
            raise RuntimeError("database says no")
        handled.append(event)

    broker.subscriber(
        DEMAND, group_id="dlq-test", ack_policy=AckPolicy.NACK_ON_ERROR,
        **connection.consumer_options(),
    )(guarded(handler, group="dlq-test", publish=publish, metrics=metrics,
              max_attempts=3, retry_delay_s=0.01))
    assert topics_read(broker) == {DEMAND} and topics_written(broker) == {DEAD_LETTER}

    enrolled = next(m for m in EXAMPLES if type(m).__name__ == "FirmEnrolled")
    good = next(m for m in EXAMPLES if type(m).__name__ == "DemandSubmitted")
    failing = good.model_copy(update={"firm_id": "always-fails", "event_id": uuid.uuid4()})
    invalid = json.loads(encode(enrolled))
    invalid["firm"]["employees"] = -3
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    for value in (b"{this is not json", json.dumps(invalid).encode(), encode(failing),
                  encode(good)):
        await producer.send_and_wait(DEMAND, value, key=b"f", partition=0)
    await producer.stop()

    async with broker:
        await broker.start()
        async with asyncio.timeout(60):
            while not handled:
                await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # anything dead-lettered twice would show by now
    letters = await read_all(settings.kafka_bootstrap, [DEAD_LETTER], 3)
    assert len(letters) == 3
    by_offset = {int(dict(r.headers)["dlq-original-offset"]): dict(r.headers) for r in letters}
    assert sorted(by_offset) == [0, 1, 2]
    assert all(h["dlq-original-topic"] == DEMAND.encode() for h in by_offset.values())
    assert all(h["dlq-original-partition"] == b"0" for h in by_offset.values())
    assert [by_offset[i]["dlq-attempts"] for i in (0, 1, 2)] == [b"1", b"1", b"3"]
    assert "Invalid JSON" in by_offset[0]["dlq-error"].decode()
    assert by_offset[1]["dlq-error"].decode().startswith(
        "firm.employees: Input should be greater than or equal to 1")
    assert by_offset[2]["dlq-error"] == b"RuntimeError: database says no"
    letter = decode(DEAD_LETTER, letters[0].value)
    assert letter.consumer_group == "dlq-test"
    assert handled == [good]
    assert metrics.dead_letters.labels(DEMAND)._value.get() == 3
