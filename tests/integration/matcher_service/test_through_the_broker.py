"""The matcher service end to end on the embedded broker, SQLite and PostgreSQL.

Events go in with a plain Kafka producer; round events and awards come back
from the topics; the service runs as ``bootstrap.build`` makes it.
"""

from __future__ import annotations

import json

import httpx
import pytest

from schemas.topics import (
    ASSIGNMENTS,
    CAPACITY,
    DEAD_LETTER,
    DEMAND,
    PROVIDER_RESPONSES,
    ROUND_EVENTS,
)
from services.matcher.adapters import tables as t
from services.matcher.domain.ids import award_event_id
from services.matcher.adapters.queries import get_round
from tests.integration.matcher_service.service import (
    count,
    events_of,
    has,
    metric,
    publish,
    publish_raw,
    read_topic,
    running_matcher,
    wait_for,
)
from tests.unit.matcher_service import builders as b

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


async def test_a_round_awards_once_per_provider_and_a_dry_run_awards_nothing(settings):
    bootstrap = settings.kafka_bootstrap
    book = b.small_book()
    async with running_matcher(settings) as matcher:
        await publish(bootstrap, *book)
        await wait_for(lambda: count(matcher.engine, t.demand_lines) == 3, what="the book")

        # The same events again, and an older version of a line under a new event id.
        await publish(bootstrap, *book, b.again(b.line("ceramiche.camp", "ceramiche", units=1)))
        await wait_for(lambda: _ignored(matcher, DEMAND, "stale", 1), what="the stale line")
        await wait_for(lambda: _ignored(matcher, DEMAND, "duplicate", 5), what="duplicates")
        await wait_for(lambda: _ignored(matcher, CAPACITY, "duplicate", 4), what="duplicates")
        assert count(matcher.engine, t.processed_events) == len(book) + 1

        await publish(bootstrap, b.start_round("r1"))
        records = await read_topic(bootstrap, ROUND_EVENTS, has("RoundCompleted", "r1"))
        started, completed = events_of(records)
        assert (started.demand_lines, started.offers) == (3, 2)  # the duplicates changed nothing
        assert completed.summary.coverage == 1.0 and not completed.dry_run

        awards = events_of(await read_topic(bootstrap, ASSIGNMENTS, lambda r: len(r) >= 2))
        assert {(a.provider_id, a.event_id) for a in awards} == {
            ("aurora", award_event_id("r1:aurora")), ("gulliver", award_event_id("r1:gulliver"))}
        camp = next(a for a in awards if a.provider_id == "gulliver").offers[0]
        assert {(x.line_id, x.units) for x in camp.lines} == {("ceramiche.camp", 6),
                                                             ("tessile.camp", 4)}

        await publish(bootstrap, b.start_round("dry", dry_run=True))
        records = await read_topic(bootstrap, ROUND_EVENTS, has("RoundCompleted", "dry"))
        assert events_of(records)[-1].dry_run
        assert len(await read_topic(bootstrap, ASSIGNMENTS, lambda r: len(r) >= 2)) == 2
        assert get_round(matcher.engine, "dry").contracts  # stored and reported all the same

        assert await metric(matcher.url, "welfare_rounds_total", network="modena",
                            outcome=completed.summary.status, kind="plain") == 1
        assert await metric(matcher.url, "welfare_rounds_total", network="modena",
                            kind="dry_run") == 1
        await wait_for(lambda: _gauge(matcher, "welfare_book_demand_lines", 2,
                                      network="modena", category="childcare"),
                       what="the book gauge")
        await wait_for(lambda: _gauge(matcher, "welfare_outbox_backlog_messages", 0),
                       what="the outbox to drain")
        async with httpx.AsyncClient() as client:
            ready = await client.get(f"{matcher.url}/ready")
        assert ready.json() == {"ready": True, "database": True, "kafka": True}


async def test_a_repair_round_keeps_accepted_lines_and_avoids_declined_pairs(settings):
    bootstrap = settings.kafka_bootstrap
    async with running_matcher(settings) as matcher:
        await publish(bootstrap, *b.small_book(), b.provider("serena"),
                      b.offer("serena.care", "serena", category="home_care", price="150.00"))
        await wait_for(lambda: count(matcher.engine, t.offers) == 3, what="the book")
        await publish(bootstrap, b.start_round("r1"))
        await read_topic(bootstrap, ROUND_EVENTS, has("RoundCompleted", "r1"))
        first = get_round(matcher.engine, "r1")
        assert {c.provider_id for c in first.contracts} == {"aurora", "gulliver"}  # cheaper

        await publish(bootstrap, b.accepted("r1", "gulliver"),
                      b.declined("r1", "aurora", pairs=[("tessile.care", "aurora.care")]))
        await wait_for(lambda: count(matcher.engine, t.contract_responses) == 2,
                       what="the responses")
        # More demand for the camp, so that the repair round has something to change.
        await publish(bootstrap, b.line("ceramiche.camp2", "ceramiche", units=3))
        await publish(bootstrap, b.start_round("r2"))
        records = await read_topic(bootstrap, ROUND_EVENTS, has("RoundCompleted", "r2"))
        assert events_of(records)[-1].repair

        repair = get_round(matcher.engine, "r2")
        assert repair.kind == "repair" and (repair.pinned, repair.excluded) == (2, 1)
        served = {(x.line_id, o.offer_id): x for c in repair.contracts for o in c.offers
                  for x in o.lines}
        assert served["ceramiche.camp", "gulliver.camp"].pinned
        assert served["tessile.camp", "gulliver.camp"].pinned
        assert ("tessile.care", "aurora.care") not in served
        assert ("tessile.care", "serena.care") in served
        assert ("ceramiche.camp2", "gulliver.camp") in served
        contracts = {c.contract_id: c for c in get_round(matcher.engine, "r1").contracts}
        assert contracts["r1:gulliver"].response == "accepted"
        assert contracts["r1:aurora"].declined_pairs[0].offer_id == "aurora.care"


async def test_poison_messages_are_dead_lettered_once_and_lag_returns_to_zero(settings):
    bootstrap = settings.kafka_bootstrap
    async with running_matcher(settings) as matcher:
        await publish_raw(bootstrap, DEMAND, b"{this is not json", key=b"f1")
        invalid = json.loads(b.offer("o1", "p1").model_dump_json())
        invalid["offer"]["capacity_per_week"] = 0
        await publish_raw(bootstrap, CAPACITY, json.dumps(invalid).encode(), key=b"p1")
        # Valid, but no stored award matches it: the handler fails on every attempt.
        unknown = b.accepted("never-run", "p1")
        await publish_raw(bootstrap, PROVIDER_RESPONSES, unknown.model_dump_json().encode(),
                          key=b"p1")
        # ... and the consumers carry on with what follows.
        await publish(bootstrap, b.firm("f1"), b.offer("o2", "p1"))
        await wait_for(lambda: count(matcher.engine, t.offers) == 1
                       and count(matcher.engine, t.firms) == 1, what="the good events")

        letters = await read_topic(bootstrap, DEAD_LETTER, lambda r: len(r) >= 3)
        headers = {dict(r.headers)[b"dlq-original-topic".decode()].decode(): dict(r.headers)
                   for r in letters}
        assert set(headers) == {DEMAND, CAPACITY, PROVIDER_RESPONSES}
        assert headers[DEMAND]["dlq-attempts"] == b"1"
        assert b"Invalid JSON" in headers[DEMAND]["dlq-error"]
        assert headers[CAPACITY]["dlq-error"].startswith(b"offer.capacity_per_week")
        assert headers[PROVIDER_RESPONSES]["dlq-attempts"] == b"3"
        assert b"unknown contract never-run:p1" in headers[PROVIDER_RESPONSES]["dlq-error"]
        assert all(h["dlq-original-offset"] == b"0" and "dlq-original-partition" in h
                   for h in headers.values())
        assert await metric(matcher.url, "welfare_dead_letters_total",
                            topic=PROVIDER_RESPONSES) == 1

        for topic, group in ((DEMAND, "matcher.demand"), (CAPACITY, "matcher.capacity"),
                             (PROVIDER_RESPONSES, "matcher.provider-responses")):
            await wait_for(lambda: _gauge(matcher, "welfare_consumer_lag_messages", 0,
                                          topic=topic, group=group), what=f"{topic} lag 0")
        # Exactly once each: nothing more arrives while the consumers keep running.
        assert len(await read_topic(bootstrap, DEAD_LETTER, _settled_after(3))) == 3


def _settled_after(seconds: float):
    import time
    deadline = time.monotonic() + seconds

    def check(_records) -> bool:
        return time.monotonic() > deadline
    return check


async def _ignored(matcher, topic: str, reason: str, at_least: int) -> bool:
    value = await metric(matcher.url, "welfare_events_ignored_total", topic=topic, reason=reason)
    return (value or 0) >= at_least


async def _gauge(matcher, name: str, expected: float, **labels: str) -> bool:
    return await metric(matcher.url, name, **labels) == expected
