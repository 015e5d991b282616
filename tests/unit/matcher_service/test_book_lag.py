"""The book's lag as last measured: what the network overview says the matcher has yet to apply.

Stand-in consumers (as in test_lag.py) answer end and committed offsets; the
measurement is the same as a round's catch-up (committed, not only fetched).
"""

from __future__ import annotations

import datetime as dt

from aiokafka import TopicPartition

from services.matcher.adapters.freshness import BookLag, MeasuredLag
from services.matcher.adapters.lag import LagProbe
from tests.unit.matcher_service.test_lag import FakeBroker, FakeConsumer, FakeSubscriber

A0, B0, C0 = TopicPartition("a", 0), TopicPartition("b", 0), TopicPartition("c", 0)
AT = dt.datetime(2026, 12, 3, 8, 5, tzinfo=dt.UTC)


def book_lag(*subscribers) -> BookLag:
    return BookLag(LagProbe(FakeBroker(*subscribers), None), ["a", "b"], clock=lambda: AT)


async def test_nothing_is_said_until_a_measurement_is_made():
    lag = book_lag(FakeSubscriber("a", "g.a", None))  # the consumer has not started
    assert lag() is None
    assert await lag.measure() is None and lag() is None


async def test_the_count_is_of_records_not_yet_committed_on_the_books_topics_only():
    # Fetched (position 4) but committed only to 3: one record not yet applied.
    a = FakeConsumer(high={A0: 4}, positions={A0: 4}, ends={A0: 4}, committed={A0: 3})
    b = FakeConsumer(high={B0: 9}, positions={B0: 2}, ends={B0: 9}, committed={B0: 2})
    commands = FakeConsumer(high={C0: 50}, positions={C0: 0}, ends={C0: 50})  # not the book
    lag = book_lag(FakeSubscriber("a", "g.a", a), FakeSubscriber("b", "g.b", b),
                   FakeSubscriber("c", "g.c", commands))
    assert await lag.measure() == MeasuredLag(8, AT)
    assert lag() == MeasuredLag(8, AT)
    a.commits[A0], b.commits[B0] = 4, 9
    assert (await lag.measure()).unapplied_events == 0


async def test_a_failed_measurement_keeps_the_last_one_with_its_time():
    a = FakeConsumer(high={A0: 2}, positions={A0: 2}, ends={A0: 2}, committed={A0: 2})
    lag = book_lag(FakeSubscriber("a", "g.a", a))
    assert await lag.measure() == MeasuredLag(0, AT)

    async def away(_tps):
        raise ConnectionError("broker away")

    a.end_offsets = away
    lag.clock = lambda: AT + dt.timedelta(minutes=5)
    assert await lag.measure() == MeasuredLag(0, AT)
