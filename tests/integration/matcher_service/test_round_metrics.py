"""Metrics that mean what they say: committed rounds, dry runs and awards waiting.

On a real database (SQLite and PostgreSQL), with the round runner solving in a
worker process and the book gauges counting from the matcher's tables.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from services.common.outbox import Outbox
from services.matcher.adapters import tables as t
from services.matcher.adapters.gauges import BookGauges
from services.matcher.service_layer.runner import RoundRunner
from services.matcher.adapters.worker import DEFAULT_SOLVER, SolverPool
from tests.integration.matcher_service.conftest import run_inline
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres


def value(gauge, *labels) -> float:
    return gauge.labels(*labels)._value.get()  # noqa: SLF001 - no public reader


async def run_rounds(engine, metrics, *round_ids: str) -> None:
    def finished() -> bool:
        with engine.connect() as connection:
            states = connection.execute(select(t.rounds.c.status).where(
                t.rounds.c.round_id.in_(round_ids))).scalars().all()
        return len(states) == len(round_ids) and all(
            s in ("completed", "failed") for s in states)

    pool = SolverPool(DEFAULT_SOLVER)
    runner = RoundRunner(engine, Outbox(t.outbox), pool, metrics, poll_s=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        async with asyncio.timeout(120):
            while not finished():
                assert not task.done(), task
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task
        pool.close()


async def test_a_dry_run_leaves_the_committed_rounds_series_alone(engine, handlers, metrics):
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("r1"))
    await run_rounds(engine, metrics, "r1")
    assert value(metrics.round_coverage, b.NETWORK) == 1.0
    demanded = value(metrics.round_demanded, b.NETWORK)
    assert demanded > 0

    # Demand no offer can serve: the dry run covers less than the committed round did.
    await handlers.book(b.line("ceramiche.sport", "ceramiche", units=50, category="concierge"))
    await handlers.start_round(b.start_round("what-if", dry_run=True))
    await run_rounds(engine, metrics, "what-if")

    assert value(metrics.dry_run_coverage, b.NETWORK) < 1.0
    assert value(metrics.round_coverage, b.NETWORK) == 1.0
    assert value(metrics.round_demanded, b.NETWORK) == demanded
    assert value(metrics.rounds, b.NETWORK, "optimal", "dry_run") == 1


async def test_awards_awaiting_an_answer_are_counted_until_answered(engine, handlers, metrics):
    gauges = BookGauges(engine, metrics)
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("dry", dry_run=True))
    run_inline(engine)
    gauges.refresh()
    assert value(metrics.awards_awaiting, b.NETWORK) == 0  # a dry run awards nothing

    await handlers.start_round(b.start_round("r1"))
    run_inline(engine)
    gauges.refresh()
    assert value(metrics.awards_awaiting, b.NETWORK) == 2  # aurora and gulliver
    assert value(metrics.awards_awaiting_oldest_age, b.NETWORK) >= 0

    await handlers.response(b.accepted("r1", "aurora"))
    gauges.refresh()
    assert value(metrics.awards_awaiting, b.NETWORK) == 1

    await handlers.response(b.declined("r1", "gulliver"))
    gauges.refresh()
    assert value(metrics.awards_awaiting, b.NETWORK) == 0
    assert value(metrics.awards_awaiting_oldest_age, b.NETWORK) == 0


async def test_the_age_of_the_oldest_waiting_award_runs_from_its_round(engine, handlers, metrics):
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("r1"))
    run_inline(engine)
    with engine.begin() as connection:  # as if the round had finished an hour ago
        finished = connection.execute(select(t.rounds.c.finished_at).where(
            t.rounds.c.round_id == "r1")).scalar()
        connection.execute(t.rounds.update().where(t.rounds.c.round_id == "r1").values(
            finished_at=finished - dt.timedelta(hours=1)))
    BookGauges(engine, metrics).refresh()
    assert value(metrics.awards_awaiting_oldest_age, b.NETWORK) >= 3600 - 60


async def test_only_current_awards_wait_and_a_carried_over_one_keeps_its_age(
        engine, handlers, metrics):
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("r1"))
    run_inline(engine)
    with engine.begin() as connection:  # as if r1 had finished an hour ago
        finished = connection.execute(select(t.rounds.c.finished_at).where(
            t.rounds.c.round_id == "r1")).scalar()
        connection.execute(t.rounds.update().where(t.rounds.c.round_id == "r1").values(
            finished_at=finished - dt.timedelta(hours=1)))
    # r2 keeps aurora's contract as it was and withdraws gulliver's (its offer left).
    await handlers.book(b.offer_withdrawn("gulliver.camp", "gulliver", 2))
    await handlers.start_round(b.start_round("r2"))
    run_inline(engine)
    gauges = BookGauges(engine, metrics)
    gauges.refresh()
    # Not r1's two plus r2's one: gulliver's award was withdrawn, aurora's is one award.
    assert value(metrics.awards_awaiting, b.NETWORK) == 1
    assert value(metrics.awards_awaiting_oldest_age, b.NETWORK) >= 3600 - 60
