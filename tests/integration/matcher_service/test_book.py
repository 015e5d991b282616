"""The book on SQLite and PostgreSQL: apply, duplicate, stale, withdrawal."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from schemas.topics import CAPACITY, DEMAND
from services.matcher.adapters import tables as t
from services.matcher.adapters.book import APPLIED, DUPLICATE, STALE
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres


def rows(engine, table):
    with engine.connect() as connection:
        return {row[1]: row for row in connection.execute(select(table).order_by(table.c[1]))}


def ignored(metrics, topic, reason) -> float:
    return metrics.events_ignored.labels(topic, reason)._value.get()


async def test_events_fill_the_book(engine, handlers, metrics):
    for event in b.small_book():
        assert await handlers.book(event) == APPLIED
    lines = rows(engine, t.demand_lines)
    assert set(lines) == {"ceramiche.camp", "tessile.camp", "tessile.care"}
    camp = lines["ceramiche.camp"]
    assert (camp.firm_id, camp.category, camp.first_week, camp.last_week, camp.entity_version,
            camp.withdrawn) == ("ceramiche", "childcare", "2027-W27", "2027-W28", 1, False)
    assert rows(engine, t.firms)["ceramiche"].budget_cents == 10_000_000
    assert set(rows(engine, t.offers)) == {"gulliver.camp", "aurora.care"}
    assert set(rows(engine, t.providers)) == {"gulliver", "aurora"}
    assert metrics.events_applied.labels(DEMAND)._value.get() == 5  # 2 firms, 3 lines


async def test_the_same_event_twice_changes_nothing(engine, handlers, metrics):
    first = b.line("l1", "f1", units=5)
    assert await handlers.book(first) == APPLIED
    newer = b.line("l1", "f1", units=9, version=2)
    assert await handlers.book(newer) == APPLIED
    assert await handlers.book(first) == DUPLICATE  # redelivered after the newer one
    assert await handlers.book(newer) == DUPLICATE
    assert '"units":9' in rows(engine, t.demand_lines)["l1"].payload
    assert ignored(metrics, DEMAND, "duplicate") == 2


async def test_a_stale_version_is_ignored_and_counted(engine, handlers, metrics):
    assert await handlers.book(b.offer("o1", "p1", capacity=30, version=3)) == APPLIED
    assert await handlers.book(b.offer("o1", "p1", capacity=10, version=2)) == STALE
    assert await handlers.book(b.offer("o1", "p1", capacity=10, version=3)) == STALE
    offer = rows(engine, t.offers)["o1"]
    assert offer.entity_version == 3 and '"capacity_per_week":30' in offer.payload
    assert ignored(metrics, CAPACITY, "stale") == 2


async def test_a_withdrawal_is_a_version(engine, handlers):
    await handlers.book(b.line("l1", "f1"))
    assert await handlers.book(b.line_withdrawn("l1", "f1", version=2)) == APPLIED
    line = rows(engine, t.demand_lines)["l1"]
    assert line.withdrawn and line.entity_version == 2 and line.payload  # kept for the record
    assert await handlers.book(b.line("l1", "f1", version=2)) == STALE
    assert await handlers.book(b.line("l1", "f1", version=3)) == APPLIED  # submitted anew
    assert not rows(engine, t.demand_lines)["l1"].withdrawn


async def test_a_withdrawal_before_its_submission_leaves_a_tombstone(engine, handlers):
    assert await handlers.book(b.offer_withdrawn("o1", "p1", version=2)) == APPLIED
    assert await handlers.book(b.offer("o1", "p1", version=1)) == STALE  # arrived late
    offer = rows(engine, t.offers)["o1"]
    assert offer.withdrawn and offer.payload is None


async def test_networks_keep_their_own_entities(engine, handlers):
    await handlers.book(b.firm("f1", budget="10.00"))
    await handlers.book(b.firm("f1", budget="20.00", network="bergamo"))
    with engine.connect() as connection:
        budgets = dict(tuple(row) for row in connection.execute(
            select(t.firms.c.network_id, t.firms.c.budget_cents)))
    assert budgets == {"modena": 1000, "bergamo": 2000}
