"""Consumer lag: how many records each subscriber has yet to process.

For every subscriber's aiokafka consumer (FastStream keeps it as
``subscriber.consumer`` while the broker runs), the lag of a topic is the sum
over the partitions assigned to it of (high watermark - position). The high
watermark is the one the last fetch brought back; a partition not fetched
from yet asks the broker for its end offset.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker

from services.common.metrics import ServiceMetrics

log = logging.getLogger(__name__)


async def consumer_lag(consumer: AIOKafkaConsumer) -> dict[str, int] | None:
    """Lag per topic over the consumer's assigned partitions; None while it has none."""
    assigned: set[TopicPartition] = consumer.assignment()
    if not assigned:
        return None
    unknown = [tp for tp in assigned if consumer.highwater(tp) is None]
    ends = await consumer.end_offsets(unknown) if unknown else {}
    lag: dict[str, int] = {}
    for tp in assigned:
        end = consumer.highwater(tp)
        end = ends[tp] if end is None else end
        position = await consumer.position(tp)
        # After a broker that lost its log comes back, a position may lie past the end.
        lag[tp.topic] = lag.get(tp.topic, 0) + max(end - position, 0)
    return lag


async def unprocessed(consumer: AIOKafkaConsumer) -> int | None:
    """Records on the broker not yet committed by the group, from fresh end offsets.

    Stricter than ``consumer_lag``: a record is only counted as processed once
    its handler returned and its offset was committed, and the end offsets are
    asked of the broker now, not remembered from the last fetch.
    """
    assigned: set[TopicPartition] = consumer.assignment()
    if not assigned:
        return None
    ends = await consumer.end_offsets(list(assigned))
    total = 0
    for tp in assigned:
        committed = await consumer.committed(tp)
        total += max(ends[tp] - (committed or 0), 0)
    return total


class LagProbe:
    def __init__(self, broker: KafkaBroker, metrics: ServiceMetrics, *,
                 interval_s: float = 5.0, timeout_s: float = 5.0) -> None:
        self.broker = broker
        self.metrics = metrics
        self.interval_s = interval_s
        self.timeout_s = timeout_s

    async def measure(self, topics: Iterable[str] | None = None) -> dict[str, int | None]:
        """Set the gauges; return the lag per topic (None: no partition assigned yet)."""
        wanted = set(topics) if topics is not None else None
        found: dict[str, int | None] = {}
        for subscriber in self.broker.subscribers:
            names = set(subscriber.topic_names)
            if wanted is not None and not names & wanted:
                continue
            consumer = getattr(subscriber, "consumer", None)
            lag = None
            if consumer is not None:
                try:
                    async with asyncio.timeout(self.timeout_s):
                        lag = await consumer_lag(consumer)
                except Exception as exc:  # noqa: BLE001 - the broker may be away
                    log.debug("lag of %s not measured: %s", sorted(names), exc)
            for topic in names:
                found[topic] = None if lag is None else lag.get(topic, 0)
                if lag is not None:
                    self.metrics.consumer_lag.labels(topic, subscriber.group_id or "").set(
                        lag.get(topic, 0))
        return found

    async def caught_up(self, topics: Iterable[str]) -> bool:
        """True when every record now on ``topics`` was processed (and committed)."""
        wanted = set(topics)
        consumers = [s.consumer for s in self.broker.subscribers
                     if set(s.topic_names) & wanted]
        if not consumers or any(c is None for c in consumers):
            return False
        try:
            async with asyncio.timeout(self.timeout_s):
                left = [await unprocessed(c) for c in consumers]
        except Exception as exc:  # noqa: BLE001 - the broker may be away
            log.debug("catch-up not measured: %s", exc)
            return False
        return all(n == 0 for n in left)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.measure()
            try:
                await asyncio.wait_for(stop.wait(), self.interval_s)
            except TimeoutError:
                pass
