"""Consumer lag from a consumer's assignment, high watermarks and positions."""

from __future__ import annotations

from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry

from services.common.metrics import ServiceMetrics
from services.matcher.adapters.lag import LagProbe, consumer_lag


class FakeConsumer:
    def __init__(self, high: dict, positions: dict, ends: dict | None = None,
                 committed: dict | None = None) -> None:
        self.high, self.positions, self.ends = high, positions, ends or {}
        self.commits = committed or {}

    def assignment(self):
        return set(self.positions)

    def partitions_for_topic(self, topic):  # here every partition is this member's
        return {tp.partition for tp in self.positions if tp.topic == topic}

    def highwater(self, tp):
        return self.high.get(tp)

    async def end_offsets(self, tps):
        return {tp: self.ends[tp] for tp in tps}

    async def position(self, tp):
        return self.positions[tp]

    async def committed(self, tp):
        return self.commits.get(tp)


class FakeSubscriber:
    def __init__(self, topic: str, group: str, consumer) -> None:
        self.topic_names, self.group_id, self.consumer = [topic], group, consumer


class FakeBroker:
    def __init__(self, *subscribers) -> None:
        self.subscribers = list(subscribers)


A0, A1, B0 = TopicPartition("a", 0), TopicPartition("a", 1), TopicPartition("b", 0)


async def test_lag_sums_partitions_and_asks_for_unknown_ends():
    consumer = FakeConsumer(high={A0: 10}, positions={A0: 7, A1: 2}, ends={A1: 5})
    assert await consumer_lag(consumer) == {"a": 6}


async def test_a_position_past_the_end_counts_as_no_lag():
    # A broker that lost its log comes back with high watermarks below old positions.
    assert await consumer_lag(FakeConsumer(high={A0: 0}, positions={A0: 40})) == {"a": 0}


async def test_the_probe_sets_the_gauge_per_topic_and_group():
    metrics = ServiceMetrics(CollectorRegistry(), "test")
    probe = LagProbe(FakeBroker(
        FakeSubscriber("a", "g.a", FakeConsumer(high={A0: 3}, positions={A0: 1})),
        FakeSubscriber("b", "g.b", FakeConsumer(high={B0: 4}, positions={B0: 4})),
        FakeSubscriber("c", "g.c", None),  # not started yet
    ), metrics)
    assert await probe.measure() == {"a": 2, "b": 0, "c": None}
    assert metrics.consumer_lag.labels("a", "g.a")._value.get() == 2


async def test_caught_up_means_committed_up_to_the_end_offsets_asked_now():
    # Fetched and returned (position 4) but not yet committed: not caught up.
    busy = FakeConsumer(high={B0: 4}, positions={B0: 4}, ends={B0: 4}, committed={B0: 3})
    done = FakeConsumer(high={A0: 2}, positions={A0: 2}, ends={A0: 5}, committed={A0: 5})
    fresh = FakeConsumer(high={}, positions={A1: 0}, ends={A1: 0})  # nothing ever sent
    probe = LagProbe(FakeBroker(FakeSubscriber("a", "g.a", done),
                                FakeSubscriber("b", "g.b", busy),
                                FakeSubscriber("e", "g.e", fresh),
                                FakeSubscriber("c", "g.c", None)), None)
    assert await probe.caught_up(["a", "e"]) is True
    assert await probe.caught_up(["a", "b"]) is False
    assert await probe.caught_up(["c"]) is False
