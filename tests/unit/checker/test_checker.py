"""The checker accepts a correct hand-built result and catches each broken rule.

Every case breaks one rule of a round, either in the result (a wrong figure) or
in the snapshot (the same result no longer fits the round); the checker must
name it. None of this needs the optimiser.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from schemas.result import SolveStatus, UnmetReason
from schemas.types import Category, Payer
from tests.support.checker import check, tier_for_volume
from tests.unit.checker import sample

W = sample.W


# ----------------------------------------------------------------- edit helpers


def _with(model, **update):
    return model.model_copy(update=update)


def contract(result, which, **update):
    return _with(result, contracts=[
        _with(c, **update) if c.offer_id == which else c for c in result.contracts
    ])


def cline(result, which_offer, which_line, **update):
    def edit(c):
        return _with(c, lines=[_with(x, **update) if x.line_id == which_line else x
                               for x in c.lines])
    return _with(result, contracts=[
        edit(c) if c.offer_id == which_offer else c for c in result.contracts
    ])


def unmet(result, line_id, **update):
    return _with(result, unmet=[
        _with(u, **update) if u.line_id == line_id else u for u in result.unmet
    ])


def firm(result, firm_id, **update):
    return _with(result, firms=[
        _with(f, **update) if f.firm_id == firm_id else f for f in result.firms
    ])


def totals(result, **update):
    return _with(result, totals=_with(result.totals, **update))


def snap_line(snapshot, line_id, **update):
    return _with(snapshot, demand_lines=[
        _with(x, **update) if x.line_id == line_id else x for x in snapshot.demand_lines
    ])


def snap_offer(snapshot, offer_id, **update):
    return _with(snapshot, offers=[
        _with(x, **update) if x.offer_id == offer_id else x for x in snapshot.offers
    ])


def snap_firm(snapshot, firm_id, **update):
    return _with(snapshot, firms=[
        _with(x, **update) if x.firm_id == firm_id else x for x in snapshot.firms
    ])


# ----------------------------------------------------------------- the good case


def test_correct_result_passes():
    assert check(sample.snapshot(), sample.result()) == []


def test_municipality_paid_lines_do_not_count_against_the_budget():
    # F2 spends exactly its 300.00 on L2; L4's 120.00 is the municipality's.
    snap = snap_line(sample.snapshot(), "L4", payer=Payer.FIRM)
    assert any("exceed its budget" in p for p in check(snap, sample.result()))


def test_infeasible_result_without_contracts_passes():
    res = _with(sample.result(), status=SolveStatus.INFEASIBLE, contracts=[])
    assert check(sample.snapshot(), res) == []


@pytest.mark.parametrize(
    ("volume", "tier"), [(0, 0), (1, 0), (39, 0), (40, 1), (41, 1), (10_000, 1)]
)
def test_all_units_tier_boundaries(volume, tier):
    offer = next(o for o in sample.snapshot().offers if o.offer_id == "O1")
    assert tier_for_volume(offer, volume) == tier


# ----------------------------------------------------------------- broken results

S, R = sample.snapshot, sample.result

BROKEN = {
    # identity
    "other round": (S, lambda: _with(R(), round_id="r2"), "round_id"),
    "other network": (S, lambda: _with(R(), network_id="bologna"), "network_id"),
    "malformed hash": (S, lambda: _with(R(), input_hash="ABC"), "input_hash"),
    "hash of another input": (S, lambda: _with(R(), input_hash="0" * 64), "not the hash"),
    "hash of other parameters": (
        S, lambda: _with(R(), parameters=_with(R().parameters, cost_weight=2.0)), "not the hash"),
    "seed differs": (S, lambda: _with(R(), seed=7), "seed 7"),
    "bound above the objective": (
        S, lambda: _with(R(), objective=-10.0, bound=0.0, gap=0.0), "above the objective"),
    "gap disagrees with objective and bound": (
        S, lambda: _with(R(), objective=-10.0, bound=-11.0, gap=0.0), "gap 0.0 !="),
    "optimal outside the gap asked for": (
        S, lambda: _with(R(), objective=-10.0, bound=-11.0, gap=0.1), "status optimal but gap"),
    "optimal without a bound": (
        S, lambda: _with(R(), bound=None, gap=None), "without a bound"),
    "optimal without an objective": (S, lambda: _with(R(), objective=None), "without an objective"),
    "contracts without solution": (
        S, lambda: _with(R(), status=SolveStatus.NO_SOLUTION), "status no_solution"),
    # contracts and references
    "unknown offer": (S, lambda: contract(R(), "O2", offer_id="O9"), "unknown offer"),
    "two contracts for one offer": (
        S, lambda: _with(R(), contracts=R().contracts + [R().contracts[1]]), "more than one contract"),
    "wrong provider": (S, lambda: contract(R(), "O2", provider_id="P9"), "provider"),
    "unknown line": (S, lambda: cline(R(), "O2", "L4", line_id="L9"), "unknown line"),
    "wrong firm on a line": (S, lambda: cline(R(), "O2", "L4", firm_id="F1"), "line's firm"),
    # compatibility
    "category": (lambda: snap_offer(S(), "O2", category=Category.BABYSITTING), R, "category"),
    "municipality outside the area": (
        lambda: snap_offer(S(), "O1", municipalities=["036023"]), R, "not in the offer's area"),
    "weeks outside the offer": (
        lambda: snap_offer(S(), "O1", weeks=W[:3]), R, "not in the offer's weeks"),
    "required tag not offered": (lambda: snap_offer(S(), "O1", tags=[]), R, "required tags"),
    "price above the line's maximum": (
        lambda: snap_line(S(), "L3", max_unit_price_eur=D("14.99")), R, "above the line's maximum"),
    # continuity
    "served in fewer weeks": (S, lambda: cline(R(), "O1", "L1", unit_weeks=3), "x 2 weeks"),
    # weekly load
    "over capacity": (lambda: snap_offer(S(), "O1", capacity_per_week=11), R, "above capacity"),
    "under the minimum group": (
        lambda: snap_offer(S(), "O1", min_group_per_week=10), R, "below the minimum group"),
    "running weeks disagree": (
        S, lambda: contract(R(), "O1", running_weeks=W[:3]), "running_weeks"),
    "weekly load disagrees": (
        S, lambda: contract(R(), "O1", weekly_load={W[0]: 12, W[1]: 12, W[2]: 8, W[3]: 9}),
        "weekly_load says 8"),
    # tiers and prices
    "wrong tier for the volume": (S, lambda: _tier0(R()), "volume 42 is tier 1"),
    "volume disagrees": (S, lambda: contract(R(), "O1", volume_unit_weeks=41), "volume_unit_weeks"),
    "nonexistent tier": (S, lambda: contract(R(), "O1", tier_index=5), "does not exist"),
    "contract price not the tier's": (
        S, lambda: contract(R(), "O1", unit_price_eur=D("16.00")), "tier price"),
    "one firm pays another price": (
        S, lambda: cline(R(), "O1", "L1", unit_price_eur=D("14.00")), "the contract's price"),
    # costs
    "line cost off by a cent": (S, lambda: cline(R(), "O1", "L3", cost_eur=D("239.99")), "cost 239.99"),
    "contract unit cost": (S, lambda: contract(R(), "O1", unit_cost_eur=D("629.00")), "unit_cost_eur"),
    "fixed cost": (S, lambda: contract(R(), "O1", fixed_cost_eur=D("300.00")), "fixed_cost_eur"),
    # lines, budgets, pins, exclusions
    "pinned flag": (S, lambda: cline(R(), "O1", "L2", pinned=False), "pinned flag"),
    "served above demand": (lambda: snap_line(S(), "L1", units=2), R, "only 2 demanded"),
    "budget exceeded": (
        lambda: snap_firm(S(), "F2", welfare_budget_eur=D("299.99")), R, "exceed its budget"),
    "pinned units dropped": (
        lambda: _with(S(), pinned=[_with(S().pinned[0], units=6)]), R, "6 pinned"),
    "pinned on another offer": (
        lambda: _with(S(), pinned=[_with(S().pinned[0], offer_id="O3")]), R, "0 units kept"),
    "excluded pair matched": (
        lambda: _with(S(), excluded=S().excluded + [_with(S().excluded[0], line_id="L1",
                                                            offer_id="O1")]),
        R, "excluded pair line L1 / offer O1"),
    # unmet
    "unmet record missing": (
        S, lambda: _with(R(), unmet=R().unmet[1:]), "served 5 + unmet 0 != demanded 6"),
    "unmet unit-weeks": (S, lambda: unmet(R(), "L2", unit_weeks=3), "unit_weeks 3"),
    "unmet firm": (S, lambda: unmet(R(), "L2", firm_id="F1"), "unmet line L2: firm"),
    "no provider claimed where one serves": (
        S, lambda: unmet(R(), "L2", reason=UnmetReason.NO_PROVIDER_IN_AREA), "serves 036005"),
    "tag reason without tags": (
        S, lambda: unmet(R(), "L2", reason=UnmetReason.TAG_NOT_OFFERED), "no tag required"),
    "budget reason on a municipality line": (
        lambda: snap_line(S(), "L2", payer=Payer.MUNICIPALITY),
        lambda: unmet(R(), "L2", reason=UnmetReason.BUDGET_SPENT), "not paid from the firm"),
    # firm outcomes
    "firm served": (S, lambda: firm(R(), "F1", served_unit_weeks=21), "firm F1: served"),
    "firm demanded": (S, lambda: firm(R(), "F1", demanded_unit_weeks=22), "firm F1: demanded"),
    "firm coverage": (S, lambda: firm(R(), "F1", coverage=0.5), "firm F1: coverage"),
    "firm cost": (S, lambda: firm(R(), "F2", cost_eur=D("400.00")), "firm F2: cost"),
    "firm budget": (S, lambda: firm(R(), "F2", budget_eur=D("1.00")), "firm F2: budget"),
    "firm outcome missing": (S, lambda: _with(R(), firms=R().firms[:1]), "no outcome"),
    # totals
    "totals served": (S, lambda: totals(R(), served_unit_weeks=45), "totals: served"),
    "totals demanded": (S, lambda: totals(R(), demanded_unit_weeks=50), "totals: demanded"),
    "totals coverage": (S, lambda: totals(R(), coverage=0.9), "totals: coverage"),
    "totals weighted coverage": (
        S, lambda: totals(R(), weighted_coverage=46 / 51), "weighted coverage"),
    "totals unit cost": (S, lambda: totals(R(), unit_cost_eur=D("700.00")), "totals: unit cost"),
    "totals fixed cost": (S, lambda: totals(R(), fixed_cost_eur=D("0.00")), "totals: fixed cost"),
    "totals total cost": (S, lambda: totals(R(), total_cost_eur=D("1150.01")), "totals: total"),
}


def _tier0(result):
    """O1 billed at tier 0 (20.00) throughout, every figure made consistent with it."""
    result = contract(result, "O1", tier_index=0, unit_price_eur=D("20.00"))
    for line_id in ("L1", "L2", "L3"):
        c = next(x for x in result.contracts[0].lines if x.line_id == line_id)
        result = cline(result, "O1", line_id, unit_price_eur=D("20.00"),
                       cost_eur=c.unit_weeks * D("20.00"))
    return result


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_result_is_caught(case):
    make_snapshot, make_result, expected = BROKEN[case]
    problems = check(make_snapshot(), make_result())
    assert any(expected in p for p in problems), problems
