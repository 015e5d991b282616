"""The flow ceiling (matcher/model/flow_ceiling.py): never below what a plan serves,
below the counted ceiling where lines of many weeks meet single weeks, and the bound a
part answered without a model reports when it has the time."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.model.ceiling import coverage_counts_ceiling
from matcher.model.flow_ceiling import FlowRelaxation, flow_counts_ceiling
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import compute_scale
from matcher.model.prepare import prepare
from matcher.model.variables import weight_units
from matcher.round.from_snapshot import index_round
from matcher.search.part_result import unbuilt
from matcher.search.quick import quick_part
from matcher.solve import solve
from tests.unit.matcher.rounds import (OTHER_TOWN, TOWN, W27, W28, line, offer, random_round,
                                      snapshot)

# Two camps of 5 places, both running weeks 27 and 28. Line a (5 children, both weeks)
# may go to either; b (week 27) only to the first, c (week 28) only to the second. Each
# camp's week can be filled, so counting each side apart finds room for everyone; but a
# child of a stays in one camp both weeks, and every place a takes is one b or c loses.
THIRD_TOWN = "036001"
CROSSED = snapshot(
    [line("a", "f1", 5, weeks=(W27, W28), priority=2, municipality=TOWN),
     line("b", "f2", 5, weeks=(W27,), priority=1, municipality=OTHER_TOWN),
     line("c", "f3", 5, weeks=(W28,), priority=1, municipality=THIRD_TOWN)],
    [offer("first", 5, weeks=(W27, W28), area=(TOWN, OTHER_TOWN)),
     offer("second", 5, weeks=(W27, W28), area=(TOWN, THIRD_TOWN))])


def _prep(snap):
    idx = index_round(snap, snap.parameters)
    return idx, prepare(idx.problem)


def _counts(prep, units) -> int:
    """S x 100 of a plan given as units per pair."""
    data = prep.data
    return sum(weight_units(data.lines[data.pairs[k].line].weight)
               * len(data.lines[data.pairs[k].line].weeks) * u
               for k, u in enumerate(units) if u and not data.lines[data.pairs[k].line].must_serve)


def test_it_finds_what_counting_each_side_apart_misses():
    _idx, prep = _prep(CROSSED)
    a, b, c = (weight_units(prep.data.lines[i].weight) for i in range(3))
    # Counted: every line its units (a 2 weeks, b and c one each), every week full.
    assert coverage_counts_ceiling(prep) == 5 * (2 * a + b + c)
    # The flows: x_a1 + x_a2 = s <= 5, b <= 5 - x_a1, c <= 5 - x_a2: a's s children cost
    # the cheaper of b and c, so all of a if 2a beats that, else none of a.
    best = 5 * 2 * a + 5 * max(b, c) if 2 * a >= min(b, c) else 5 * (b + c)
    assert flow_counts_ceiling(prep, time_limit=10.0) == best
    assert best < coverage_counts_ceiling(prep)
    # and it is what the optimum serves here (no groups, no tiers, no budgets to bind)
    sol = solve(prep.data, CROSSED.parameters)
    assert _counts(prep, sol.units) == best


@pytest.mark.parametrize("seed", range(12))
def test_it_never_cuts_off_the_optimum(seed):
    snap = random_round(seed, lines=12, offers=6)
    _idx, prep = _prep(snap)
    sol = solve(prep.data, snap.parameters)  # gap 0: coverage first, proven
    assert sol.status.value == "optimal"
    flows = flow_counts_ceiling(prep, time_limit=10.0)
    assert flows is not None and flows >= _counts(prep, sol.units)


@pytest.mark.parametrize("seed", range(6))
def test_any_prices_give_a_ceiling_and_the_lps_give_the_least(seed):
    """Weak duality, the reason the figure kept is D at the LP's prices, not the LP's
    own objective: D at any prices >= 0 is at least D at the LP's."""
    _idx, prep = _prep(random_round(seed, lines=12, offers=6, tight_budgets=True))
    relaxed = FlowRelaxation(prep, prep.data.budgets)
    if not relaxed.pairs:
        return
    from matcher.budget import TimeBudget

    weeks, firms = relaxed.lp_prices(TimeBudget(10.0), seed=0)
    least = relaxed.dual(weeks, firms)
    rng = np.random.default_rng(seed)
    for _ in range(20):
        other = relaxed.dual(np.maximum(weeks + rng.normal(0, 50, len(weeks)), 0),
                             np.maximum(firms + rng.normal(0, 0.5, len(firms)), 0))
        assert other >= least - 1e-6 * max(1.0, abs(least))


def test_a_quick_part_reports_the_flow_bound_when_it_has_the_time():
    idx, prep = _prep(CROSSED)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    params = CROSSED.parameters
    counted = quick_part(idx.problem, scale, params)
    flows = quick_part(idx.problem, scale, params, flows=10.0)
    assert counted.bound_kind == "ceiling" and flows.bound_kind == "flows"
    assert flows.bound > counted.bound  # we minimise L: a higher bound is a tighter one
    assert flows.units == counted.units  # the plan is the greedy's either way
    # still a bound: the part's proven optimum is no lower
    assert solve(prep.data, params).objective >= flows.bound - 1e-6
    # and with no time for it the counted ceiling stands
    assert quick_part(idx.problem, scale, params, flows=0.0).bound_kind == "ceiling"
    assert unbuilt(idx.problem, scale, params).bound == counted.bound
