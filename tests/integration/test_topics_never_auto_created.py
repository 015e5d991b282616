"""Asking Kafka about a topic never creates it (services/common/kafka.py).

After the embedded broker came back empty, a service that asked about
``welfare.demand.v1`` before the topics were created again got it created with
the broker's default partitions; records keyed to the partitions it lacked were
then refused for minutes, and lines accepted by intake did not reach the book.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from schemas.topics import DEMAND, TOPICS
from services.common import kafka  # noqa: F401 - importing it is what is tested
from services.common.embedded_broker import EmbeddedBroker

pytestmark = pytest.mark.broker


async def partitions_of(bootstrap: str) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics()
        return {topic["topic"]: len(topic["partitions"]) for topic in described}
    finally:
        await admin.close()


async def test_a_producer_sending_to_a_missing_topic_does_not_create_it():
    with EmbeddedBroker(topics={}) as broker:
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, request_timeout_ms=2000)
        await producer.start()
        try:
            with contextlib.suppress(KafkaError, TimeoutError):
                await asyncio.wait_for(producer.send_and_wait(DEMAND, b"{}", key=b"k"), 3)
        finally:
            await producer.stop()
        assert DEMAND not in await partitions_of(broker.bootstrap)


async def test_after_a_restart_the_topics_come_back_with_their_partitions_while_clients_ask():
    with EmbeddedBroker() as broker:
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, request_timeout_ms=2000)
        await producer.start()
        try:
            await producer.send_and_wait(DEMAND, b"{}", key=b"k")
            stop = asyncio.Event()

            async def keep_asking() -> None:  # a service reconnecting while the broker restarts
                while not stop.is_set():
                    with contextlib.suppress(Exception):
                        await producer.client._metadata_update(producer.client.cluster, [DEMAND])  # noqa: SLF001
                    await asyncio.sleep(0.01)

            asker = asyncio.create_task(keep_asking())
            await asyncio.to_thread(broker.restart)
            stop.set()
            await asker
            partitions = await partitions_of(broker.bootstrap)
        finally:
            await producer.stop()
    assert partitions[DEMAND] == TOPICS[DEMAND].partitions
