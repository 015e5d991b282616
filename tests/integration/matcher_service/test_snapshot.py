"""Freezing the book: window, firms, pins and exclusions from responses, previous round."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from schemas.parameters import RoundParameters
from services.matcher.adapters import tables as t
from services.matcher.adapters.book import APPLIED, STALE
from services.matcher.service_layer.responses import InvalidResponse
from services.matcher.adapters.snapshot import RoundSpec, build_snapshot
from tests.integration.matcher_service.conftest import run_inline
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres


def snapshot(engine, first="2027-W24", last="2027-W36", network=b.NETWORK):
    with engine.connect() as connection:
        return build_snapshot(connection, RoundSpec(network, "probe", first, last,
                                                    RoundParameters()))


async def feed(handlers, events):
    for event in events:
        assert await handlers.book(event) == APPLIED


async def test_the_window_holds_lines_entirely_inside_it_and_offers_running_in_it(
        engine, handlers):
    await feed(handlers, [
        b.firm("f1", budget="500.00"), b.firm("f2"), b.firm("idle"),
        b.line("inside", "f1", weeks=["2027-W27", "2027-W28"]),
        b.line("straddles", "f1", weeks=["2027-W28", "2027-W29"]),
        b.line("gone", "f1"), b.line_withdrawn("gone", "f1", version=2),
        b.line("no-firm", "nobody"),
        b.line("other-network", "f1", network="bergamo"),
        b.offer("early", "p1", weeks=["2027-W20", "2027-W27"]),
        b.offer("late", "p1", weeks=["2027-W29", "2027-W30"]),
        b.offer("around", "p1", weeks=["2027-W20", "2027-W35"]),  # no week inside
        b.offer("withdrawn", "p1"), b.offer_withdrawn("withdrawn", "p1", version=2),
    ])
    snap = snapshot(engine, "2027-W25", "2027-W28")
    assert [x.line_id for x in snap.demand_lines] == ["inside"]
    assert [(f.firm_id, str(f.welfare_budget_eur)) for f in snap.firms] == [("f1", "500.00")]
    assert [o.offer_id for o in snap.offers] == ["early"]
    assert snap.demand_lines[0].firm_id == "f1" and snap.offers[0].provider_id == "p1"
    assert snapshot(engine, "2027-W25", "2027-W28") == snap  # same book, same snapshot


async def test_responses_pin_accepted_lines_and_exclude_declined_pairs(engine, handlers):
    await feed(handlers, b.small_book())
    await handlers.start_round(b.start_round("r1"))
    assert run_inline(engine) == "r1"
    assert snapshot(engine).previous and not snapshot(engine).pinned

    assert await handlers.response(b.accepted("r1", "gulliver")) == APPLIED
    assert await handlers.response(
        b.declined("r1", "aurora", pairs=[("tessile.care", "aurora.care")])) == APPLIED
    snap = snapshot(engine)
    assert {(p.line_id, p.offer_id, p.units) for p in snap.pinned} == {
        ("ceramiche.camp", "gulliver.camp", 6), ("tessile.camp", "gulliver.camp", 4)}
    assert {(p.line_id, p.offer_id) for p in snap.excluded} == {("tessile.care", "aurora.care")}
    assert {(p.line_id, p.offer_id, p.units) for p in snap.previous} == {
        ("ceramiche.camp", "gulliver.camp", 6), ("tessile.camp", "gulliver.camp", 4),
        ("tessile.care", "aurora.care", 10)}


async def test_a_later_response_replaces_an_earlier_one(engine, handlers):
    await feed(handlers, b.small_book())
    await handlers.start_round(b.start_round("r1"))
    run_inline(engine)
    assert await handlers.response(b.accepted("r1", "gulliver", version=2)) == APPLIED
    assert await handlers.response(b.declined("r1", "gulliver", version=2)) == STALE
    assert await handlers.response(b.declined("r1", "gulliver", version=3)) == APPLIED
    snap = snapshot(engine)
    assert not snap.pinned  # the whole contract declined: its pins are gone
    assert {(p.line_id, p.offer_id) for p in snap.excluded} == {
        ("ceramiche.camp", "gulliver.camp"), ("tessile.camp", "gulliver.camp")}


async def test_previous_is_the_last_committed_round_not_a_dry_run(engine, handlers):
    await feed(handlers, b.small_book())
    await handlers.start_round(b.start_round("r1"))
    run_inline(engine)
    await feed(handlers, [b.line("ceramiche.camp", "ceramiche", units=2, version=2)])
    await handlers.start_round(b.start_round("dry", dry_run=True))
    run_inline(engine)
    previous = {(p.line_id, p.units) for p in snapshot(engine).previous}
    assert ("ceramiche.camp", 6) in previous  # r1's, not the dry run's 2


async def test_answers_that_do_not_match_a_stored_award_are_refused(engine, handlers):
    await feed(handlers, b.small_book())
    await handlers.start_round(b.start_round("dry", dry_run=True))
    run_inline(engine)
    with pytest.raises(InvalidResponse, match="unknown contract"):
        await handlers.response(b.accepted("r9", "gulliver"))
    with pytest.raises(InvalidResponse, match="dry run"):
        await handlers.response(b.accepted("dry", "gulliver"))
    await handlers.start_round(b.start_round("r1"))
    run_inline(engine)
    with pytest.raises(InvalidResponse, match="does not hold"):
        await handlers.response(b.declined("r1", "gulliver", pairs=[("tessile.care", "x")]))
    with engine.connect() as connection:  # nothing of the refused answers was kept
        assert not connection.execute(select(t.contract_responses)).all()
