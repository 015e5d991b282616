"""Consumer lag: how many records each subscriber has yet to process.

For every subscriber's aiokafka consumer (FastStream keeps it as
``subscriber.consumer`` while the broker runs), the lag of a topic is the sum
over the partitions assigned to it of (high watermark - position). The high
watermark is the one the last fetch brought back; a partition not fetched
from yet asks the broker for its end offset.

The providers' consumer groups run in the providers' processes, which expose
no metrics: ``ProviderGroupLag`` asks the broker for their committed offsets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.topics import ASSIGNMENTS
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

    Over every partition of the consumer's topics, not only those assigned to
    it: with several matcher instances in the group, a round's snapshot must
    wait for what the other instances have yet to apply too (the group's
    committed offsets are the group's, whichever member reads them).
    """
    assigned: set[TopicPartition] = consumer.assignment()
    if not assigned:
        return None
    every = {TopicPartition(topic, partition) for topic in {tp.topic for tp in assigned}
             for partition in consumer.partitions_for_topic(topic) or ()}
    partitions = sorted(every | assigned)
    ends = await consumer.end_offsets(partitions)
    total = 0
    for tp in partitions:
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


class ProviderLagOptions(BaseSettings):
    """Which consumer groups are providers' (prefix ``WELFARE_MATCHER_``, as MatcherOptions)."""

    model_config = SettingsConfigDict(env_prefix="WELFARE_MATCHER_", extra="ignore")

    # `welfare provider listen` joins provider-<provider id>; the reference
    # provider of a network's test double joins provider-reference.
    provider_groups: str = Field(
        default=r"^provider-",
        description="regular expression: consumer groups whose lag on the awards topic is shown")
    provider_lag_interval_s: float = Field(default=15.0, gt=0)


class ProviderGroupLag:
    """The lag of the providers' consumer groups on the awards topic.

    No provider process exposes metrics, and a provider that stopped reading
    its awards is what the matcher most needs to know about. So the matcher
    asks the broker: the groups whose id matches ``pattern``, their committed
    offsets, and the topic's end offsets. A partition the group never
    committed counts from the log start, where such a group begins reading.
    The committed offsets are read by a consumer that names the group but
    never joins it, so the provider's own assignment is not disturbed.
    """

    def __init__(self, kafka_options: dict, metrics: ServiceMetrics, *, pattern: str,
                 topic: str = ASSIGNMENTS, interval_s: float = 15.0,
                 timeout_s: float = 10.0) -> None:
        self.kafka_options = kafka_options
        self.metrics = metrics
        self.pattern = re.compile(pattern)
        self.topic = topic
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self._admin: AIOKafkaAdminClient | None = None
        self._ends: AIOKafkaConsumer | None = None
        self._readers: dict[str, AIOKafkaConsumer] = {}

    def group_prefix(self) -> str | None:
        """The literal prefix every watched group starts with, if the pattern has one.

        Kafka ACLs grant by literal name or prefix, not by expression: this is
        what the deployment grants Describe on (deploy/k8s/generate.py).
        """
        match = re.match(r"\^([A-Za-z0-9._-]+)", self.pattern.pattern)
        return match.group(1) if match else None

    async def measure(self) -> dict[str, int]:
        """Set the gauges; return the lag per matching group."""
        if self._admin is None:
            self._admin = AIOKafkaAdminClient(**self.kafka_options)
            await self._admin.start()
        if self._ends is None:
            self._ends = AIOKafkaConsumer(enable_auto_commit=False, **self.kafka_options)
            await self._ends.start()
        groups = sorted(g for g, *_ in await self._admin.list_consumer_groups()
                        if self.pattern.search(g))
        await self._ends.topics()  # fresh metadata: the topic may have gained partitions
        partitions = self._ends.partitions_for_topic(self.topic) or set()
        tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        ends = await self._ends.end_offsets(tps) if tps else {}
        starts = await self._ends.beginning_offsets(tps) if tps else {}
        found: dict[str, int] = {}
        for group in groups:
            reader = self._readers.get(group)
            if reader is None:
                reader = AIOKafkaConsumer(group_id=group, enable_auto_commit=False,
                                          **self.kafka_options)
                await reader.start()
                self._readers[group] = reader
            lag = 0
            for tp in tps:
                committed = await reader.committed(tp)
                lag += max(ends[tp] - (starts[tp] if committed is None else committed), 0)
            found[group] = lag
            self.metrics.consumer_lag.labels(self.topic, group).set(lag)
        for gone in set(self._readers) - set(groups):  # a deleted group leaves no series
            await self._readers.pop(gone).stop()
            self.metrics.consumer_lag.remove(self.topic, gone)
        return found

    async def close(self) -> None:
        clients = [reader.stop for reader in self._readers.values()]
        clients += [self._ends.stop] if self._ends is not None else []
        clients += [self._admin.close] if self._admin is not None else []
        self._readers, self._ends, self._admin = {}, None, None
        for close in clients:
            with contextlib.suppress(Exception):  # a broker away cannot be said goodbye to
                await close()

    async def run(self, stop: asyncio.Event) -> None:
        failing = False
        try:
            while not stop.is_set():
                try:
                    async with asyncio.timeout(self.timeout_s):
                        await self.measure()
                    failing = False
                except Exception as exc:  # noqa: BLE001 - the broker may be away
                    # Once per outage: a broker that refuses ListGroups or OffsetFetch
                    # (missing ACLs) would otherwise fill the log every beat.
                    (log.debug if failing else log.warning)(
                        "provider groups' lag not measured: %s", str(exc) or type(exc).__name__)
                    failing = True
                    await self.close()  # start afresh at the next beat
                try:
                    await asyncio.wait_for(stop.wait(), self.interval_s)
                except TimeoutError:
                    pass
        finally:
            await self.close()
