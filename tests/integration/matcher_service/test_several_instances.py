"""Three matcher processes in one consumer group on one PostgreSQL share the work.

Real processes on the embedded broker: rounds of three networks run at the
same time on different instances; the instance running one of them is
SIGKILLed mid-solve and another finishes that round once its lease expires;
every demand event is applied once; every award goes out once.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter

import pytest
from sqlalchemy import select

from aiokafka.admin import AIOKafkaAdminClient

from schemas.topics import ASSIGNMENTS, DEMAND
from services.common.database import database_url, make_engine
from services.common.settings import Settings
from services.matcher.adapters import tables as t
from services.matcher.subscribers import GROUPS
from tests.integration.matcher_service.service import (
    MatcherProcess,
    count,
    events_of,
    publish,
    read_topic,
    wait_for,
)
from tests.unit.matcher_service import builders as b
from tests.unit.matcher_service.standin import SLOW

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

NETWORKS = ("modena", "carpi", "sassuolo")
LINES_PER_NETWORK = 40
FIRMS_PER_NETWORK = 20
PROVIDERS = 15  # per network, 6 places each: about 80 units of demand fill most
INSTANCES = 3
LEASE_S = 3
SOLVE_S = 8  # long enough to kill an instance mid-solve


@pytest.fixture
def pg_settings(kafka_bootstrap, postgres_url) -> Settings:
    return Settings(kafka_bootstrap=kafka_bootstrap, kafka_idempotent_producer=False,
                    kafka_session_timeout_ms=3000, kafka_heartbeat_interval_ms=300,
                    kafka_request_timeout_ms=3000, database_url=postgres_url)


@pytest.fixture
def engine(pg_settings):
    engine = make_engine(database_url(pg_settings, "matcher"))
    yield engine
    engine.dispose()


@pytest.fixture
def instances(pg_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("WELFARE_TEST_SOLVE_S", str(SOLVE_S))
    started = [MatcherProcess(pg_settings, tmp_path / f"matcher-{n}.log", solver=SLOW,
                              round_lease_s=LEASE_S, relay_idle_interval_s=0.05) for n in range(INSTANCES)]
    yield started
    for process in started:
        process.stop()


def _book(network: str) -> list:
    # Many small offers, so many contracts and awards: relays that did not take
    # turns would be caught publishing the same rows.
    firms = [b.firm(f"{network}-firm{i}", network=network) for i in range(FIRMS_PER_NETWORK)]
    lines = [b.line(f"{network}-line{i:03d}", f"{network}-firm{i % FIRMS_PER_NETWORK}",
                    units=1 + i % 3,
                    network=network) for i in range(LINES_PER_NETWORK)]
    providers = [b.provider(f"{network}-coop{i}", network=network) for i in range(PROVIDERS)]
    offers = [b.offer(f"{network}-camp{i}", f"{network}-coop{i}", capacity=6, network=network)
              for i in range(PROVIDERS)]
    return [*firms, *providers, *offers, *lines]


def _rounds(engine) -> dict:
    with engine.connect() as connection:
        return {row.round_id: row for row in connection.execute(select(t.rounds))}


def _pid(owner: str | None) -> int | None:
    found = re.match(r"^[^:]*:(\d+):", owner or "")
    return int(found.group(1)) if found else None


async def test_three_instances_share_rounds_survive_a_kill_and_publish_each_award_once(
        pg_settings, instances, engine):
    # Started together: the migrations take turns (services/common/migrations.py).
    for process in instances:
        process.start()
    for process in instances:
        await process.ready()

    # Demand ingestion is shared: the three are members of the demand topic's
    # group, among which Kafka spreads its partitions (6, keyed by firm).
    await wait_for(lambda: _members(pg_settings.kafka_bootstrap, GROUPS[DEMAND]),
                   what="three members in the demand group", timeout_s=30)

    books = [event for network in NETWORKS for event in _book(network)]
    await publish(pg_settings.kafka_bootstrap, *books)
    await wait_for(lambda: count(engine, t.processed_events) == len(books),
                   what="every event of the three books", timeout_s=60)
    assert count(engine, t.demand_lines) == LINES_PER_NETWORK * len(NETWORKS)

    rounds = {network: f"{network}-r1" for network in NETWORKS}
    await publish(pg_settings.kafka_bootstrap,
                  *(b.start_round(round_id, network=network)
                    for network, round_id in rounds.items()))

    def all_running() -> dict | None:
        seen = _rounds(engine)
        running = {rid: row for rid, row in seen.items()
                   if row.status == "running" and row.input_hash is not None}
        return running if len(running) == len(rounds) else None

    running = await wait_for(all_running, what="the three rounds solving at once",
                             timeout_s=60)
    owners = {row.lease_owner for row in running.values()}
    assert len(owners) >= 2, f"the rounds ran on one instance only: {owners}"

    # SIGKILL the instance solving the first network's round, mid-solve.
    victim_round = rounds[NETWORKS[0]]
    victim_pid = _pid(running[victim_round].lease_owner)
    victim = next(p for p in instances if p.process and p.process.pid == victim_pid)
    victim.kill()

    await wait_for(lambda: all(row.status == "completed" for row in _rounds(engine).values()),
                   what="every round completed", timeout_s=90)
    finished = _rounds(engine)
    assert finished[victim_round].attempts == 2
    assert _pid(finished[victim_round].lease_owner) not in (None, victim_pid)
    assert all(finished[rid].attempts == 1 for rid in rounds.values() if rid != victim_round)

    # Every demand event was applied once (the inbox holds one row per event id),
    # and nothing was ingested again after the kill.
    assert count(engine, t.processed_events) == len(books) + len(rounds)
    assert count(engine, t.demand_lines) == LINES_PER_NETWORK * len(NETWORKS)

    expected = sum(row.contracts for row in finished.values())
    assert expected >= 10 * len(NETWORKS)
    awards = events_of(await read_topic(pg_settings.kafka_bootstrap, ASSIGNMENTS,
                                        lambda records: len(records) >= expected))
    # Another look after the relays had time to send anything twice.
    await asyncio.sleep(2)
    again = events_of(await read_topic(pg_settings.kafka_bootstrap, ASSIGNMENTS,
                                       lambda records: len(records) >= len(awards)))
    ids = Counter(str(award.event_id) for award in again)
    assert [event_id for event_id, n in ids.items() if n > 1] == []
    assert len(ids) == expected


async def _members(bootstrap: str, group: str) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    groups = described[0].groups  # (error, group, state, protocol type, protocol, members)
    return bool(groups) and groups[0][2] == "Stable" and len(groups[0][5]) == INSTANCES
