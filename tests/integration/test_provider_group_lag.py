"""The lag of the providers' consumer groups, asked of a real (embedded) broker."""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from prometheus_client import CollectorRegistry

from schemas.topics import ASSIGNMENTS, TOPICS
from services.common.metrics import ServiceMetrics
from services.matcher.adapters.lag import ProviderGroupLag

pytestmark = [pytest.mark.broker, pytest.mark.asyncio]


async def test_the_lag_of_provider_groups_is_measured_from_their_commits(kafka_bootstrap):
    options = {"bootstrap_servers": kafka_bootstrap}
    admin = AIOKafkaAdminClient(**options)
    await admin.start()
    await admin.create_topics([NewTopic(ASSIGNMENTS, TOPICS[ASSIGNMENTS].partitions, 1)])
    await admin.close()
    producer = AIOKafkaProducer(enable_idempotence=False, **options)
    await producer.start()
    for _ in range(5):
        await producer.send_and_wait(ASSIGNMENTS, b"{}", partition=0)
    await producer.send_and_wait(ASSIGNMENTS, b"{}", partition=1)
    await producer.stop()

    # A provider that processed two of the five awards of partition 0 and committed
    # nothing on partition 1 (where it starts from the beginning), and a group that
    # is not a provider's.
    readers = []
    for group, offset in (("provider-aurora", 2), ("operator-audit", 5)):
        reader = AIOKafkaConsumer(ASSIGNMENTS, group_id=group, enable_auto_commit=False,
                                  auto_offset_reset="earliest", **options)
        await reader.start()
        await reader.getmany(timeout_ms=5000)
        await reader.commit({TopicPartition(ASSIGNMENTS, 0): offset})
        readers.append(reader)

    metrics = ServiceMetrics(CollectorRegistry(), "matcher")
    probe = ProviderGroupLag(options, metrics, pattern=r"^provider-")
    try:
        assert await probe.measure() == {"provider-aurora": 3 + 1}
        assert metrics.consumer_lag.labels(ASSIGNMENTS, "provider-aurora")._value.get() == 4
        # The probe only reads the group's offsets: the provider keeps its partitions.
        assert readers[0].assignment()
        await readers[0].commit({TopicPartition(ASSIGNMENTS, 0): 5,
                                 TopicPartition(ASSIGNMENTS, 1): 1})
        assert await probe.measure() == {"provider-aurora": 0}
    finally:
        await probe.close()
        for reader in readers:
            await reader.stop()
