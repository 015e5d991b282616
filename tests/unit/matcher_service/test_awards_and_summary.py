"""From a result to awards and summary: pure functions, no I/O."""

from __future__ import annotations

from decimal import Decimal

from schemas.snapshot import RoundSnapshot, SnapshotFirm, SnapshotLine, SnapshotOffer
from services.matcher.domain.awards import awards
from services.matcher.domain.ids import award_event_id, contract_id, input_hash, round_event_id
from services.matcher.domain.summary import summarise
from tests.unit.matcher_service import builders as b
from matcher import solve_round as solve


def snapshot(round_id: str = "r1") -> RoundSnapshot:
    events = b.small_book()
    lines = [SnapshotLine(**e.line.model_dump(), firm_id=e.firm_id)
             for e in events if type(e).__name__ == "DemandSubmitted"]
    offers = [SnapshotOffer(**e.offer.model_dump(), provider_id=e.provider_id)
              for e in events if type(e).__name__ == "CapacityOffered"]
    firms = [SnapshotFirm(firm_id=e.firm.firm_id, welfare_budget_eur=e.firm.welfare_budget_eur)
             for e in events if type(e).__name__ == "FirmEnrolled"]
    return RoundSnapshot(network_id=b.NETWORK, round_id=round_id, first_week="2027-W24",
                         last_week="2027-W36", firms=firms, demand_lines=lines, offers=offers)


def test_one_award_per_provider_with_stable_ids():
    snap = snapshot()
    result = solve(snap, snap.parameters)
    events = awards(snap, result)
    assert [e.provider_id for e in events] == ["aurora", "gulliver"]
    gulliver = events[1]
    assert gulliver.contract_id == "r1:gulliver" == contract_id("r1", "gulliver")
    assert gulliver.event_id == award_event_id("r1:gulliver")
    assert awards(snap, result)[1].event_id == gulliver.event_id  # the same on a re-run
    (camp,) = gulliver.offers
    assert {(x.line_id, x.units) for x in camp.lines} == {("ceramiche.camp", 6),
                                                         ("tessile.camp", 4)}
    assert all(x.weeks == b.SUMMER for x in camp.lines)
    assert camp.unit_price_eur == Decimal("100.00")


def test_summary_counts_unmet_units_by_reason():
    snap = snapshot()
    far = snap.demand_lines[0].model_copy(update={"line_id": "far", "municipality": "036001"})
    snap = snap.model_copy(update={"demand_lines": [*snap.demand_lines, far]})
    summary = summarise(solve(snap, snap.parameters))
    assert summary.unmet_units_by_reason == {"no_provider_in_area": 6}
    assert summary.contracts == 2
    assert 0 < summary.coverage < 1
    assert {f.firm_id for f in summary.firms} == {"ceramiche", "tessile"}


def test_ids_are_deterministic_and_fit_the_contracts():
    assert round_event_id("r1", "RoundStarted") == round_event_id("r1", "RoundStarted")
    assert round_event_id("r1", "RoundStarted") != round_event_id("r1", "RoundCompleted")
    long = contract_id("r" * 100, "p" * 100)
    assert len(long) <= 100 and long == contract_id("r" * 100, "p" * 100)
    assert input_hash(snapshot()) == input_hash(snapshot()) != input_hash(snapshot("r2"))
