"""The round runner on a real database, solving in a worker process."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import select

from schemas.topics import decode
from services.common.outbox import Outbox
from services.matcher.adapters import round_store as store
from services.matcher.adapters import tables as t
from services.matcher.adapters.book import DUPLICATE
from services.matcher.domain.ids import award_event_id, round_event_id
from services.matcher.adapters.queries import get_round, list_rounds
from services.matcher.service_layer.runner import RoundRunner
from services.matcher.adapters.worker import DEFAULT_SOLVER, SolverPool
from tests.unit.matcher_service import builders as b
from tests.unit.matcher_service.standin import FAILING, INFEASIBLE, SLOW

pytestmark = pytest.mark.postgres


def outbox_events(engine) -> list:
    o = t.outbox.c
    with engine.connect() as connection:
        rows = connection.execute(select(o.topic, o.value).order_by(o.id)).all()
    return [decode(row.topic, row.value) for row in rows]


def status(engine, round_id: str) -> str | None:
    with engine.connect() as connection:
        return connection.execute(
            select(t.rounds.c.status).where(t.rounds.c.round_id == round_id)).scalar()


async def run_until_finished(runner: RoundRunner, engine, *round_ids: str) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        async with asyncio.timeout(120):
            while any(status(engine, r) not in ("completed", "failed") for r in round_ids):
                assert not task.done(), task
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task


@pytest.fixture
def runner_for(engine, metrics):
    pools = []

    def make(solver: str = DEFAULT_SOLVER, **options) -> RoundRunner:
        pools.append(SolverPool(solver))
        return RoundRunner(engine, Outbox(t.outbox), pools[-1], metrics, poll_s=0.1, **options)

    yield make
    for pool in pools:
        pool.close()


async def test_a_round_stores_its_results_and_queues_its_events_in_one_go(
        engine, handlers, runner_for, metrics):
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("r1"))
    await run_until_finished(runner_for(), engine, "r1")

    events = outbox_events(engine)
    assert [type(e).__name__ for e in events] == [
        "RoundStarted", "ContractAwarded", "ContractAwarded", "RoundCompleted"]
    started, aurora, gulliver, completed = events
    assert started.event_id == round_event_id("r1", "RoundStarted")
    assert (started.demand_lines, started.offers) == (3, 2)
    assert aurora.event_id == award_event_id("r1:aurora") and aurora.contract_id == "r1:aurora"
    assert completed.input_hash == started.input_hash and not completed.repair
    assert completed.summary.coverage == 1.0

    detail = get_round(engine, "r1")
    assert (detail.status, detail.kind, detail.outcome, detail.attempts) == (
        "completed", "plain", completed.summary.status, 1)
    assert [c.contract_id for c in detail.contracts] == ["r1:aurora", "r1:gulliver"]
    camp = detail.contracts[1].offers[0]
    assert camp.offer_id == "gulliver.camp" and {x.line_id for x in camp.lines} == {
        "ceramiche.camp", "tessile.camp"}
    assert detail.unmet == [] and {f.firm_id for f in detail.firms} == {"ceramiche", "tessile"}
    assert detail.timings.solve_s > 0 and detail.summary == completed.summary
    assert [v.round_id for v in list_rounds(engine, network=b.NETWORK)] == ["r1"]
    assert metrics.rounds.labels(b.NETWORK, completed.summary.status, "plain")._value.get() == 1
    assert metrics.round_coverage.labels(b.NETWORK)._value.get() == 1.0


async def test_a_dry_run_stores_and_reports_but_awards_nothing(engine, handlers, runner_for):
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("dry", dry_run=True))
    await run_until_finished(runner_for(), engine, "dry")
    assert [type(e).__name__ for e in outbox_events(engine)] == ["RoundStarted", "RoundCompleted"]
    detail = get_round(engine, "dry")
    assert detail.contracts and not any(c.awarded for c in detail.contracts)


async def test_a_second_command_for_a_known_round_id_is_a_duplicate(engine, handlers):
    await handlers.start_round(b.start_round("r1"))
    assert await handlers.start_round(b.again(b.start_round("r1"), dry_run=True)) == DUPLICATE
    assert list_rounds(engine)[0].dry_run is False


async def test_an_optimiser_that_raises_fails_the_round_with_the_reason(
        engine, handlers, runner_for, metrics):
    await handlers.start_round(b.start_round("r1"))
    await run_until_finished(runner_for(FAILING), engine, "r1")
    *_, failed = outbox_events(engine)
    assert type(failed).__name__ == "RoundFailed"
    assert "ArithmeticError: the model blew up" in failed.reason
    assert get_round(engine, "r1").failure_reason == failed.reason
    assert metrics.rounds.labels(b.NETWORK, "failed", "plain")._value.get() == 1


async def test_infeasible_is_a_completed_round_not_a_failure(engine, handlers, runner_for):
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("r1"))
    await run_until_finished(runner_for(INFEASIBLE), engine, "r1")
    *_, completed = outbox_events(engine)
    assert type(completed).__name__ == "RoundCompleted"
    assert completed.summary.status == "infeasible"


async def test_a_round_left_running_is_run_again_from_its_stored_snapshot(
        engine, handlers, runner_for):
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("r1"))
    crashed = runner_for(lease_s=0.5)
    claimed = await asyncio.to_thread(crashed._claim)
    await asyncio.to_thread(crashed._start, claimed)  # ... and then it died
    await handlers.book(b.line("late", "tessile"))  # the book moves on meanwhile

    await asyncio.sleep(0.6)  # the dead runner's lease runs out
    await run_until_finished(runner_for(), engine, "r1")
    events = outbox_events(engine)
    assert [type(e).__name__ for e in events].count("RoundStarted") == 1
    started, *_, completed = events
    assert completed.input_hash == started.input_hash  # the very same input
    detail = get_round(engine, "r1")
    assert detail.attempts == 2 and detail.demand_lines == 3
    assert all(x.line_id != "late" for c in detail.contracts for o in c.offers for x in o.lines)


async def test_a_round_that_keeps_dying_is_given_up(engine, handlers, runner_for):
    await handlers.start_round(b.start_round("r1"))
    for attempt in range(2):
        dying = runner_for(lease_s=0.01)
        assert (await asyncio.to_thread(dying._claim)).attempts == attempt + 1
        await asyncio.sleep(0.02)
    await run_until_finished(runner_for(max_attempts=2), engine, "r1")
    assert "gave up after 2 attempts" in get_round(engine, "r1").failure_reason


async def test_a_network_runs_one_round_at_a_time_in_request_order(engine, handlers):
    for round_id, network in (("m1", "modena"), ("m2", "modena"), ("b1", "bergamo")):
        await handlers.start_round(b.start_round(round_id, network=network))
    with engine.begin() as connection:
        now = time.time()
        first = store.claim_next(connection, "a", now, 30)
        second = store.claim_next(connection, "b", now, 30)
        third = store.claim_next(connection, "c", now, 30)
    assert (first.round_id, second.round_id, third) == ("m1", "b1", None)


async def test_parameters_travel_with_the_round(engine, handlers):
    await handlers.start_round(b.start_round("r1", time_limit_s=7, seed=3))
    detail = get_round(engine, "r1")
    assert (detail.parameters.time_limit_s, detail.parameters.seed) == (7, 3)
    assert json.loads(detail.model_dump_json())["status"] == "requested"


async def test_stopping_mid_solve_hands_the_round_over_at_once(
        engine, handlers, runner_for, monkeypatch):
    monkeypatch.setenv("WELFARE_TEST_SOLVE_S", "60")
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("r1"))
    stop = asyncio.Event()
    slow = runner_for(SLOW)
    task = asyncio.create_task(slow.run(stop))
    async with asyncio.timeout(60):
        while get_round(engine, "r1").started_at is None:
            await asyncio.sleep(0.1)
    stop.set()
    async with asyncio.timeout(10):  # not the 60 s of the solve: the worker is ended
        await task
    assert status(engine, "r1") == "running"
    with engine.connect() as connection:
        lease = connection.execute(select(t.rounds.c.lease_until)).scalar()
    assert lease == 0  # released: another runner takes over now, not when it expires
    await run_until_finished(runner_for(lease_s=30), engine, "r1")
    assert get_round(engine, "r1").attempts == 2
