"""The matcher process killed with SIGKILL mid-ingest and mid-round, then restarted.

Kills the whole process group (the service and its solver worker), as the
death of a container would; nothing gets to clean up.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest
from sqlalchemy import select

from schemas.topics import ASSIGNMENTS, ROUND_EVENTS
from services.common.database import database_url, make_engine
from services.matcher.adapters import tables as t
from services.matcher.domain.ids import award_event_id
from services.matcher.adapters.queries import get_round
from services.matcher.adapters.worker import DEFAULT_SOLVER
from tests.integration.matcher_service.service import (
    MatcherProcess,
    count,
    events_of,
    has,
    publish,
    read_topic,
    round_status,
    wait_for,
)
from tests.unit.matcher_service import builders as b
from tests.unit.matcher_service.standin import SLOW

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

LINES, FIRMS = 3000, 30


@pytest.fixture
def matcher_process(settings, tmp_path):
    started: list[MatcherProcess] = []

    def start(**options) -> MatcherProcess:
        process = MatcherProcess(settings, tmp_path / "matcher.log", **options).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def engine(settings):
    engine = make_engine(database_url(settings, "matcher"))
    yield engine
    engine.dispose()


async def test_killed_mid_ingest_it_loses_no_demand(settings, matcher_process, engine):
    firms = [b.firm(f"firm{i:02d}") for i in range(FIRMS)]
    lines = [b.line(f"line{i:04d}", f"firm{i % FIRMS:02d}", units=1 + i % 4)
             for i in range(LINES)]
    # Later versions of every tenth line, after the first ones on the same partitions.
    updates = [b.line(f"line{i:04d}", f"firm{i % FIRMS:02d}", units=9, version=2)
               for i in range(0, LINES, 10)]
    await publish(settings.kafka_bootstrap, *firms, *lines, *updates)

    # Small batches and a tight watch, so that the kill lands between the first
    # few hundred applied events and the last: a whole 2,000-record batch can be
    # applied between two polls of an ordinary wait.
    first = matcher_process(solver=DEFAULT_SOLVER, ingest_batch_records=10)
    await first.ready()
    async with asyncio.timeout(90):
        while count(engine, t.processed_events) < 300:
            await asyncio.sleep(0.005)
    first.kill()
    applied = count(engine, t.processed_events)
    assert applied < FIRMS + LINES + len(updates), "killed too late to test anything"

    second = matcher_process(solver=DEFAULT_SOLVER)
    await second.ready()
    await wait_for(lambda: count(engine, t.processed_events) == FIRMS + LINES + len(updates),
                   what="ingestion to finish", timeout_s=300)
    with engine.connect() as connection:
        book = {row.line_id: row for row in connection.execute(select(t.demand_lines))}
    assert len(book) == LINES
    updated = {f"line{i:04d}" for i in range(0, LINES, 10)}
    assert all(row.entity_version == (2 if line_id in updated else 1)
               for line_id, row in book.items())
    assert all('"units":9' in book[line_id].payload for line_id in updated)

    await publish(settings.kafka_bootstrap, b.offer("camp", "coop", capacity=20_000),
                  b.start_round("after", dry_run=True))
    records = await read_topic(settings.kafka_bootstrap, ROUND_EVENTS,
                               has("RoundCompleted", "after"))
    assert events_of(records)[0].demand_lines == LINES


async def test_killed_mid_round_it_completes_the_round_under_the_same_event_ids(
        settings, matcher_process, engine, monkeypatch):
    monkeypatch.setenv("WELFARE_TEST_SOLVE_S", "8")
    options = {"solver": SLOW, "round_lease_s": 3}
    first = matcher_process(**options)
    await first.ready()
    await publish(settings.kafka_bootstrap, *b.small_book())
    await wait_for(lambda: count(engine, t.demand_lines) == 3, what="the book")
    await publish(settings.kafka_bootstrap, b.start_round("r1"))
    await wait_for(lambda: _snapshot_stored(engine, "r1"), what="the round to start")
    # While it solves, the consumers keep their groups and go on ingesting.
    await publish(settings.kafka_bootstrap, b.firm("newcomer"))
    await wait_for(lambda: count(engine, t.firms) == 3, what="ingestion during the solve")
    assert round_status(engine, "r1") == "running"
    first.kill()
    assert round_status(engine, "r1") == "running"

    second = matcher_process(**options)
    await second.ready()
    await wait_for(lambda: round_status(engine, "r1") == "completed", what="the round",
                   timeout_s=120)
    assert get_round(engine, "r1").attempts == 2

    awards = events_of(await read_topic(settings.kafka_bootstrap, ASSIGNMENTS,
                                        lambda r: len(r) >= 2))
    ids = defaultdict(set)
    for award in awards:
        ids[award.contract_id].add(award.event_id)
    assert ids == {"r1:aurora": {award_event_id("r1:aurora")},
                   "r1:gulliver": {award_event_id("r1:gulliver")}}
    events = events_of(await read_topic(settings.kafka_bootstrap, ROUND_EVENTS,
                                        has("RoundCompleted", "r1")))
    assert len({e.event_id for e in events if type(e).__name__ == "RoundStarted"}) == 1
    assert len({e.input_hash for e in events}) == 1  # started and completed: one input


def _snapshot_stored(engine, round_id: str) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(t.rounds.c.input_hash).where(
            t.rounds.c.round_id == round_id)).scalar() is not None
