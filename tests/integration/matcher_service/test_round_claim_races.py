"""Claiming rounds from several processes at once, on PostgreSQL.

Each claimer is a thread with its own connection, as each matcher instance
has its own: what is tested is what the database lets through, not Python's
locks. Two claimers must never both hold one round, and a network's rounds
are taken one at a time in request order.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

import pytest
from sqlalchemy import event, update

from services.common.database import database_url as url_of
from services.common.database import make_engine
from services.common.migrations import upgrade
from services.common.settings import Settings
from services.matcher.adapters import round_store as store
from services.matcher.adapters import tables as t
from services.matcher.bootstrap import MIGRATIONS, NAME
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres

r = t.rounds.c


@pytest.fixture
def pg(postgres_url):
    engine = make_engine(url_of(Settings(database_url=postgres_url), "matcher"))
    upgrade(engine, MIGRATIONS, NAME)
    yield engine
    engine.dispose()


def _request(engine, *round_ids_by_network: tuple[str, str]) -> None:
    with engine.begin() as connection:
        for network, round_id in round_ids_by_network:
            store.request_round(connection, b.start_round(round_id, network=network))
            time.sleep(0.002)  # distinct request times: the order is the test's


def _finish(engine, round_id: str, owner: str) -> None:
    with engine.begin() as connection:
        done = connection.execute(update(t.rounds).where(*store._ours(round_id, owner))
                                  .values(status=store.COMPLETED, lease_until=None))
        assert done.rowcount == 1, f"{owner} finished {round_id} it no longer held"


def test_two_claimers_racing_never_both_take_a_round(pg):
    races, taken = 60, defaultdict(list)
    for race in range(races):
        _request(pg, ("net", f"r{race}"))
        barrier = threading.Barrier(2)

        def claim(owner: str) -> None:
            barrier.wait(10)
            with pg.begin() as connection:
                claimed = store.claim_next(connection, owner, time.time(), 30.0)
            if claimed is not None:
                taken[claimed.round_id].append(owner)

        threads = [threading.Thread(target=claim, args=(f"instance-{n}",)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(taken[f"r{race}"]) == 1, f"race {race}: {taken[f'r{race}']}"
        _finish(pg, f"r{race}", taken[f"r{race}"][0])


def test_claimers_take_each_networks_rounds_one_at_a_time_in_order(pg):
    networks, per_network, claimers = 3, 5, 4
    requested = [(f"net{n}", f"net{n}-r{k}") for k in range(per_network) for n in range(networks)]
    _request(pg, *requested)
    order = defaultdict(list)  # network -> rounds in the order they were taken
    holding: dict[str, str] = {}  # network -> round held now
    violations: list[str] = []
    guard = threading.Lock()  # guards the test's own bookkeeping only
    barrier = threading.Barrier(claimers)

    def work(owner: str) -> None:
        barrier.wait(10)
        idle_since = None
        while True:
            with pg.begin() as connection:
                claimed = store.claim_next(connection, owner, time.time(), 30.0)
            if claimed is None:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > 1.0:
                    return
                time.sleep(0.005)
                continue
            idle_since = None
            with guard:
                other = holding.get(claimed.network_id)
                if other is not None:
                    violations.append(f"{owner} took {claimed.round_id} while {other} ran")
                holding[claimed.network_id] = claimed.round_id
                order[claimed.network_id].append(claimed.round_id)
            time.sleep(0.01)  # "solving"
            with guard:
                holding.pop(claimed.network_id, None)
            _finish(pg, claimed.round_id, owner)

    threads = [threading.Thread(target=work, args=(f"instance-{n}",)) for n in range(claimers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert violations == []
    for n in range(networks):
        assert order[f"net{n}"] == [f"net{n}-r{k}" for k in range(per_network)]


def test_a_lease_renewed_while_another_claimer_looks_is_not_taken(pg):
    """The runner renews its lease between a claimer's read and its write: the
    claimer read an expired lease, but the round is its runner's again."""
    _request(pg, ("net", "r1"))
    with pg.begin() as connection:
        assert store.claim_next(connection, "first", time.time() - 60, 30.0) is not None
    # The lease ran out 30 s ago; "first" is alive and renews it right now.
    renewed = threading.Event()

    def renew() -> None:
        with pg.begin() as connection:
            assert store.renew_lease(connection, "r1", "first", time.time() + 30)
        renewed.set()

    connection = pg.connect()

    def after_read(conn, cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "matcher_rounds" in statement:
            threading.Thread(target=renew).start()
            assert renewed.wait(10)

    event.listen(connection, "after_cursor_execute", after_read)
    try:
        with connection.begin():
            stolen = store.claim_next(connection, "second", time.time(), 30.0)
    finally:
        event.remove(connection, "after_cursor_execute", after_read)
        connection.close()
    assert stolen is None
    with pg.begin() as connection:  # and "first" still holds it
        assert store.renew_lease(connection, "r1", "first", time.time() + 30)
