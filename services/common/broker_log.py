"""Noticing a broker whose log went backwards, so that nothing it lost stays lost.

The embedded broker keeps nothing across a restart, and a real cluster can
lose an unreplicated partition: records Kafka acknowledged are gone, and with
them the events of every firm and provider that a consumer had not yet read.
The outbox still has them. Two signs that the log went backwards:

- an acknowledgement below one received before for the same partition (the
  relay notices it itself, at no cost, when it publishes);
- an end offset below the highest offset acknowledged, or below an end
  offset seen before: ``BrokerLogWatch`` asks for the end offsets of the
  topics the service writes, one ListOffsets request every few seconds, so a
  service with nothing new to publish notices too.

Either way the relay queues the latest event of every entity again
(``Outbox.republish``), with its original event id: consumers drop what they
had and apply what they lost, and every downstream book converges with no one's
action. ``welfare republish`` does the same by hand. Consumers need nothing:
their groups are gone with the log, they rejoin and read the new log from the
earliest offset (``auto_offset_reset``), and one whose position lies past the
new end is reset to the earliest by aiokafka (OffsetOutOfRange).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from schemas.topics import TOPICS
from services.common.outbox import OutboxRelay

log = logging.getLogger(__name__)


class BrokerLogWatch:
    def __init__(self, relay: OutboxRelay, client_options: dict[str, Any],
                 topics: Iterable[str], *, interval_s: float = 3.0,
                 timeout_s: float = 5.0) -> None:
        self.relay = relay
        self.client_options = client_options
        self.partitions = [TopicPartition(topic, p) for topic in topics
                           for p in range(TOPICS[topic].partitions)]
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self._consumer: AIOKafkaConsumer | None = None
        self._ends: dict[tuple[str, int], int] = {}  # highest end offset seen

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    await asyncio.wait_for(self.check(), self.timeout_s)
                except Exception as exc:  # noqa: BLE001 - the broker may be away; the relay says so
                    log.debug("broker log check failed: %s", exc)
                    await self._close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.interval_s)
        finally:
            await self._close()

    async def check(self) -> bool:
        """Compare the end offsets with what was acknowledged and seen; True if it went back."""
        # Acknowledged before the end offsets are asked for: each lies below the end.
        acknowledged = self.relay.acknowledged()
        consumer = await self._started()
        ends = await consumer.end_offsets(self.partitions)
        reason = None
        for tp, end in ends.items():
            key = (tp.topic, tp.partition)
            if key in acknowledged and end <= acknowledged[key]:
                reason = (f"{tp.topic}[{tp.partition}] ends at offset {end}, but Kafka "
                          f"acknowledged offset {acknowledged[key]}")
            elif end < self._ends.get(key, 0):
                reason = (f"{tp.topic}[{tp.partition}] ends at offset {end}, below the "
                          f"{self._ends[key]} it ended at before")
            if reason:
                break
        if reason:
            self._ends = {}
            self.relay.republish_soon(reason)
        for tp, end in ends.items():
            key = (tp.topic, tp.partition)
            self._ends[key] = max(self._ends.get(key, 0), end)
        return reason is not None

    async def _started(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(**self.client_options, enable_auto_commit=False)
            try:
                await consumer.start()
            except Exception:
                with contextlib.suppress(Exception):
                    await consumer.stop()
                raise
            self._consumer = consumer
        return self._consumer

    async def _close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            with contextlib.suppress(Exception):
                await consumer.stop()
