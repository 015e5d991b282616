"""Relays of several instances sharing one outbox table on PostgreSQL take turns.

Each relay has its own engine (as each instance has), and a publish that takes
a moment per record, so that relays which did not take turns would read the
same pending rows and publish each of them twice. They take turns: every
event goes out once, and one key's events in the order written.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import pytest
from sqlalchemy import MetaData

from services.common.database import make_engine
from services.common.outbox import Outbox, OutboxRelay, outbox_table
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres

RELAYS, EVENTS = 3, 120


@pytest.fixture
def table(postgres_url):
    metadata = MetaData()
    table = outbox_table(metadata, "turns")
    engine = make_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    metadata.create_all(engine)
    with engine.begin() as connection:
        # Four firms, each enrolled again and again: one key's events must stay in order.
        Outbox(table).add(connection, *(b.firm(f"firm{i % 4}", version=1 + i // 4)
                                        for i in range(EVENTS)))
    engine.dispose()
    return table


async def test_relays_sharing_a_table_publish_every_event_once_and_in_order(
        table, postgres_url):
    url = postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)
    published: list[tuple[str, int]] = []

    async def publish(topic, key, value, headers):
        await asyncio.sleep(0.002)  # the broker's acknowledgement takes a moment
        event = json.loads(value)
        published.append((event["event_id"], event["firm"]["firm_id"],
                          event["entity_version"]))

    engines = [make_engine(url) for _ in range(RELAYS)]
    relays = [OutboxRelay(Outbox(table), engine, publish, batch_size=40,
                          idle_interval_s=0.01) for engine in engines]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(relay.run(stop)) for relay in relays]
    try:
        async with asyncio.timeout(60):
            while len(published) < EVENTS:
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # time for a second copy to go out, if any would
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        for engine in engines:
            engine.dispose()
    twice = [event_id for event_id, n in Counter(e for e, _, _ in published).items() if n > 1]
    assert twice == []
    assert len(published) == EVENTS
    for firm in {f for _, f, _ in published}:
        versions = [v for _, f, v in published if f == firm]
        assert versions == sorted(versions), f"{firm}'s events out of order: {versions}"
