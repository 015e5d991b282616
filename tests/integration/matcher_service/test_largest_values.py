"""The largest values the contracts allow are stored whole, on both databases, and a
round that cannot be stored fails saying why (never "the runner stopped or crashed")."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from schemas import limits
from schemas.capacity import CapacityOffer, CapacityOffered, PriceTier
from schemas.demand import DemandLine, DemandSubmitted
from schemas.topics import decode
from schemas.types import istat_codes, weeks_between
from services.common.outbox import Outbox
from services.matcher.adapters import tables as t
from services.matcher.adapters.queries import get_round
from services.matcher.service_layer.runner import RoundRunner
from services.matcher.adapters.worker import DEFAULT_SOLVER, SolverPool
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres

WEEKS = weeks_between("2027-W01", "2029-W02")[: limits.MAX_WEEKS]
TAGS = [f"tag-{i:02d}" for i in range(limits.MAX_TAGS)]
MAX_PRICE = str(limits.MAX_UNIT_PRICE_EUR)


def biggest_line(line_id: str, category: str = "childcare", payer: str = "municipality",
                 version: int = 1) -> DemandSubmitted:
    return DemandSubmitted(
        network_id=b.NETWORK, entity_version=version, firm_id="tessile",
        line=DemandLine(line_id=line_id, category=category, municipality=b.TOWN, weeks=WEEKS,
                        units=limits.MAX_UNITS, max_unit_price_eur=MAX_PRICE, priority=5,
                        required_tags=TAGS, payer=payer, respondents=limits.MAX_EMPLOYEES))


def biggest_offer() -> CapacityOffered:
    step = limits.MAX_TIER_VOLUME // (limits.MAX_TIERS - 1)
    tiers = [PriceTier(min_volume=min(i * step, limits.MAX_TIER_VOLUME),
                       unit_price_eur=MAX_PRICE) for i in range(limits.MAX_TIERS)]
    return CapacityOffered(
        network_id=b.NETWORK, entity_version=limits.INT32_MAX, provider_id="aurora",
        offer=CapacityOffer(offer_id="everywhere", category="childcare",
                            municipalities=sorted(istat_codes())[: limits.MAX_MUNICIPALITIES],
                            weeks=WEEKS, capacity_per_week=limits.MAX_CAPACITY_PER_WEEK,
                            price_tiers=tiers, tags=TAGS,
                            fixed_cost_per_week_eur=str(limits.MAX_FIXED_COST_PER_WEEK_EUR)))


async def run_until_finished(runner: RoundRunner, engine, round_id: str) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        async with asyncio.timeout(180):
            while get_round(engine, round_id).status not in ("completed", "failed"):
                assert not task.done(), task
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task


@pytest.fixture
def runner(engine, metrics):
    pool = SolverPool(DEFAULT_SOLVER)
    yield RoundRunner(engine, Outbox(t.outbox), pool, metrics, poll_s=0.1)
    pool.close()


def round_events(engine) -> list:
    o = t.outbox.c
    with engine.connect() as connection:
        rows = connection.execute(select(o.topic, o.value).order_by(o.id)).all()
    return [decode(row.topic, row.value) for row in rows]


async def test_the_largest_allowed_values_store_and_the_round_completes(
        engine, handlers, runner):
    assert len(WEEKS) == limits.MAX_WEEKS
    await handlers.book(b.firm("tessile", budget=str(limits.MAX_BUDGET_EUR)))
    await handlers.book(b.provider("aurora"))
    await handlers.book(biggest_offer())
    await handlers.book(biggest_line("served", version=limits.INT32_MAX))
    # Lines nobody offers: together they demand more unit-weeks than a 32-bit integer holds.
    unmet = limits.INT32_MAX // (limits.MAX_UNITS * limits.MAX_WEEKS) + 1
    for i in range(unmet):
        await handlers.book(biggest_line(f"unmet-{i:03d}", category="concierge", payer="firm"))
    await handlers.start_round(b.start_round("big", first=WEEKS[0], last=WEEKS[-1],
                                             time_limit_s=20))
    await run_until_finished(runner, engine, "big")

    detail = get_round(engine, "big")
    assert detail.status == "completed", detail.failure_reason
    served = [x for c in detail.contracts for o in c.offers for x in o.lines]
    assert [(x.line_id, x.units) for x in served] == [("served", limits.MAX_UNITS)]
    with engine.connect() as connection:
        row = connection.execute(select(t.rounds.c.demanded_unit_weeks,
                                        t.rounds.c.total_cost_cents)
                                 .where(t.rounds.c.round_id == "big")).one()
    assert row.demanded_unit_weeks == (unmet + 1) * limits.MAX_UNITS * limits.MAX_WEEKS
    assert row.demanded_unit_weeks > limits.INT32_MAX
    cost_cents = limits.MAX_UNITS * limits.MAX_WEEKS * int(limits.MAX_UNIT_PRICE_EUR * 100)
    assert row.total_cost_cents >= cost_cents


async def test_a_result_that_cannot_be_stored_fails_the_round_with_the_real_error(
        engine, handlers, runner, monkeypatch):
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("r1"))

    def overflowing(*_args, **_kwargs):
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr("services.matcher.adapters.round_store.complete_round", overflowing)
    await run_until_finished(runner, engine, "r1")

    detail = get_round(engine, "r1")
    assert detail.status == "failed" and detail.attempts == 1  # not tried again and again
    assert detail.failure_reason == ("storing the result failed: OverflowError: Python int "
                                     "too large to convert to SQLite INTEGER")
    *_, failed = round_events(engine)
    assert type(failed).__name__ == "RoundFailed" and failed.reason == detail.failure_reason
    assert "crashed" not in failed.reason
