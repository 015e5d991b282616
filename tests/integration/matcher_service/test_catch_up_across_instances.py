"""A round waits for the whole consumer group, not only for its own instance.

With several matcher instances, the demand topic's partitions are spread
among them; the instance that runs a round must not freeze its snapshot while
another instance still has demand to apply (``lag.unprocessed``).
"""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from schemas.topics import DEMAND, TOPICS
from services.matcher.adapters.lag import unprocessed

pytestmark = pytest.mark.broker

GROUP = "catch-up-test"


async def _member(bootstrap: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(DEMAND, bootstrap_servers=bootstrap, group_id=GROUP,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                session_timeout_ms=3000, heartbeat_interval_ms=300)
    await consumer.start()
    return consumer


async def test_what_another_member_has_not_committed_is_still_unprocessed(kafka_bootstrap):
    partitions = TOPICS[DEMAND].partitions
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for partition in range(partitions):
            await producer.send_and_wait(DEMAND, b"{}", key=b"k", partition=partition)
    finally:
        await producer.stop()
    first, second = await _member(kafka_bootstrap), await _member(kafka_bootstrap)
    try:
        async with asyncio.timeout(60):
            while not (first.assignment() and second.assignment()
                       and len(first.assignment() | second.assignment()) == partitions):
                await asyncio.gather(first.getmany(timeout_ms=200),
                                     second.getmany(timeout_ms=200))
        # The first member has applied and committed all of its partitions; the
        # second none of its own.
        await first.commit({tp: 1 for tp in first.assignment()})
        theirs = len(second.assignment())
        assert theirs > 0
        assert await unprocessed(first) == theirs
        await second.commit({tp: 1 for tp in second.assignment()})
        assert await unprocessed(first) == 0
    finally:
        await asyncio.gather(first.stop(), second.stop())
