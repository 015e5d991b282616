"""The gated embedded broker comes back with its topics before any client reaches it
(tests/support/gated_broker.py), as a real cluster that lost its data does."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from schemas.topics import DEMAND
from services.common import kafka  # noqa: F401 - metadata requests never create topics
from tests.support.gated_broker import GatedBroker

pytestmark = pytest.mark.broker


async def refusals_while_restarting(broker) -> list[str]:
    """Send records of one key without pause while the broker restarts; the refusals seen
    once it answers again (a client that cached the old metadata sends at once)."""
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, request_timeout_ms=2000,
                                retry_backoff_ms=5)
    await producer.start()
    refused: list[str] = []
    try:
        await producer.send_and_wait(DEMAND, b"{}", key=b"firm")
        restarted = asyncio.ensure_future(asyncio.to_thread(broker.restart))
        while not restarted.done():
            try:
                await asyncio.wait_for(producer.send_and_wait(DEMAND, b"{}", key=b"firm"), 3)
            except (KafkaError, TimeoutError):
                pass  # the broker is away: not what is counted
            await asyncio.sleep(0.001)
        await restarted
        for _ in range(20):
            try:
                await producer.send_and_wait(DEMAND, b"{}", key=b"firm")
            except KafkaError as exc:
                refused.append(type(exc).__name__)
    finally:
        await producer.stop()
    return refused


async def test_records_sent_across_a_restart_are_all_taken_once_it_answers():
    with GatedBroker() as broker:
        assert await refusals_while_restarting(broker) == []
