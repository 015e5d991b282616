"""Every message type through the embedded broker over TCP, read back equal.

Once with FastStream (how the services talk) and once with plain aiokafka (how
a cooperative's own system might), each reading what the other wrote too.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream.kafka import KafkaBroker, KafkaMessage

from schemas import TOPIC_OF, decode, encode, record_key
from schemas.examples import examples

pytestmark = pytest.mark.broker
EXAMPLES = examples()


async def _read_back(bootstrap: str, expected: int) -> dict[str, list]:
    """Read ``expected`` records from every public topic, decoding each."""
    consumer = AIOKafkaConsumer(
        *set(TOPIC_OF.values()), bootstrap_servers=bootstrap, group_id=None,
        auto_offset_reset="earliest", enable_auto_commit=False,
    )
    await consumer.start()
    seen: dict[str, list] = defaultdict(list)
    try:
        async with asyncio.timeout(60):
            while sum(len(v) for v in seen.values()) < expected:
                batch = await consumer.getmany(timeout_ms=500)
                for partition, records in batch.items():
                    for record in records:
                        seen[partition.topic].append(
                            (record.key, dict(record.headers), decode(partition.topic, record.value))
                        )
    finally:
        await consumer.stop()
    return seen


async def test_every_message_round_trips_with_plain_aiokafka(kafka_bootstrap):
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for message in EXAMPLES:
            await producer.send_and_wait(
                TOPIC_OF[type(message)], encode(message), key=record_key(message),
                headers=[("event-type", type(message).__name__.encode())],
            )
    finally:
        await producer.stop()
    seen = await _read_back(kafka_bootstrap, len(EXAMPLES))
    for message in EXAMPLES:
        topic = TOPIC_OF[type(message)]
        key, headers, decoded = next(r for r in seen[topic] if r[2] == message)
        assert key == record_key(message)
        assert headers["event-type"] == type(message).__name__.encode()


async def test_every_message_round_trips_with_faststream(kafka_bootstrap):
    broker = KafkaBroker(kafka_bootstrap, enable_idempotence=False, logger=None)
    received: dict[str, list] = defaultdict(list)
    done = asyncio.Event()

    def decoder_for(topic: str):
        # Raw bytes decoded with the contracts, as the services do.
        async def handle(message: KafkaMessage) -> None:
            received[topic].append(decode(topic, message.body))
            if sum(len(v) for v in received.values()) >= len(EXAMPLES):
                done.set()

        return handle

    for topic in set(TOPIC_OF.values()):
        broker.subscriber(
            topic, group_id=f"roundtrip-{topic}", auto_offset_reset="earliest",
            session_timeout_ms=3000, heartbeat_interval_ms=300,
        )(decoder_for(topic))

    async with broker:
        await broker.start()
        for message in EXAMPLES:
            await broker.publish(encode(message), TOPIC_OF[type(message)],
                                 key=record_key(message))
        await asyncio.wait_for(done.wait(), 60)

    for message in EXAMPLES:
        assert message in received[TOPIC_OF[type(message)]]
