"""Every part reports a bound, also when its time ran out before any solver proved one.

The bound then comes from the ceiling counted without a solver (matcher/model/ceiling.py):
each line's units, what its offers can carry week by week, what its firm's budget
buys. It must never cut off a plan (checked against the brute force on tiny rounds,
tests/property/test_part_bounds_property.py) and should be near the relaxation's.
"""

from __future__ import annotations

import pytest

import matcher
from matcher.backends import highs
from matcher.backends.raw import RawResult
from matcher.model.ceiling import box_bound, coverage_counts_ceiling
from matcher.model.prepare import prepare
from matcher.model.problem import Line, Offer, Pair, ProblemData, Tier
from matcher.search.part import PartSolver
from matcher.search.part_result import unbuilt
from matcher.search.quick import quick_part
from matcher.solution import Status
from matcher.solve import solve
from schemas.parameters import RoundParameters
from tests.unit.matcher.rounds import line, offer, snapshot


def out_of_time(*args, **kwargs) -> RawResult:
    """A solver call that ran out of time before it found or proved anything."""
    return RawResult(Status.NO_SOLUTION, None, None, None)


# Two lines of 4 children (weight 1, one week) and one camp of 3 places: 3 served at most.
CROWDED = ProblemData(
    lines=(Line(4, (0,)), Line(4, (0,))),
    offers=(Offer(3, (0,), tiers=(Tier(0, 10.0), Tier(2, 5.0))),),
    pairs=(Pair(0, 0), Pair(1, 0)),
)


def test_a_crowded_offer_caps_the_ceiling_at_its_capacity():
    assert coverage_counts_ceiling(prepare(CROWDED)) == 3 * 100


def test_a_budget_caps_the_ceiling_at_the_whole_units_it_buys():
    # 250 € buys 2 whole units at 100 € (the relaxation: 2.5); capacity is no limit.
    data = ProblemData(lines=(Line(10, (0,), firm=0, pays_budget=True),
                              Line(10, (0,), firm=0, pays_budget=True)),
                       offers=(Offer(30, (0,), tiers=(Tier(0, 100.0),)),),
                       pairs=(Pair(0, 0), Pair(1, 0)), budgets=(250.0,))
    assert coverage_counts_ceiling(prepare(data)) == 2 * 100
    # A split part passes the whole budget: its ceiling holds for the round.
    assert coverage_counts_ceiling(prepare(data), (1000.0,)) == 10 * 100


def test_each_line_is_counted_once_whatever_its_offers_and_tiers():
    # One line of 4, three offers with two tiers each: serving every column's upper bound
    # would count it six times over.
    data = ProblemData(lines=(Line(4, (0, 1), weight=2.0),),
                       offers=tuple(Offer(4, (0, 1), tiers=(Tier(0, 10.0), Tier(5, 8.0)))
                                    for _ in range(3)),
                       pairs=tuple(Pair(0, o) for o in range(3)))
    assert coverage_counts_ceiling(prepare(data)) == 4 * 2 * 200


def test_a_part_whose_solver_calls_all_ran_out_still_has_a_valid_bound(monkeypatch):
    monkeypatch.setattr(highs, "solve", out_of_time)
    params = RoundParameters(relative_gap=0.0, workers=1)
    from matcher.model.markets import line_markets, pieces
    from matcher.model.objective import compute_scale
    prep = prepare(CROWDED)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    part = PartSolver(CROWDED, scale, params)
    part.start_greedy()
    part.start(5.0)
    part.improve(5.0)
    result = part.result()
    assert result.bound_kind == "ceiling"
    # The optimum serves 3 units at 5 € (tier 2): L = -3 A + 15 + fairness >= the bound,
    # and the bound is what 3 units are worth.
    assert result.bound == pytest.approx(-3 * scale.coverage)
    assert result.bound <= result.objective


def test_a_round_whose_parts_got_no_solver_time_reports_ceilings(monkeypatch):
    monkeypatch.setattr(highs, "solve", out_of_time)
    snap = snapshot([line("a", "f1", 4), line("b", "f2", 4, municipality="036005")],
                    [offer("camp", 3), offer("other", 2, area=("036005",))])
    result = matcher.solve_round(snap, snap.parameters)
    assert result.bound is not None and result.gap is not None
    assert result.part_bounds is not None
    assert (result.part_bounds.ceiling, result.part_bounds.none) == (2, 0)
    # 5 of the 8 units at most: the ceiling proves exactly what the greedy serves.
    assert result.coverage_ceiling == pytest.approx(5 / 8)
    assert result.totals.weighted_coverage == pytest.approx(5 / 8)


def test_solved_parts_say_their_bound_came_from_a_solver():
    snap = snapshot([line("a", "f1", 4)], [offer("camp", 3, min_group=2)])
    result = matcher.solve_round(snap, snap.parameters)
    assert result.part_bounds is not None
    assert result.part_bounds.ceiling + result.part_bounds.none == 0
    assert result.part_bounds.mip + result.part_bounds.relaxation == result.parts


def test_parts_answered_without_a_model_bound_by_the_ceiling():
    params = RoundParameters()
    from matcher.model.markets import line_markets, pieces
    from matcher.model.objective import compute_scale
    prep = prepare(CROWDED)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    for result in (quick_part(CROWDED, scale, params), unbuilt(CROWDED, scale, params)):
        assert result.bound_kind == "ceiling"
        assert result.bound == pytest.approx(-3 * scale.coverage)


def test_a_model_without_coverage_is_bounded_by_its_columns():
    # Facility location: every unit must be served, L is the cost (>= 0 here).
    data = ProblemData.from_arrays([2, 3], [5, 5], [10.0, 20.0], [[1.0, 2.0], [3.0, 1.0]])
    from matcher.model.build import build
    from matcher.model.markets import line_markets, pieces
    from matcher.model.objective import compute_scale
    prep = prepare(data)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    m, _ = build(prep, scale, RoundParameters())
    least = box_bound(m)
    assert least is not None and least <= solve(data).objective + 1e-9


@pytest.mark.parametrize("seed", range(40))
def test_where_only_the_budget_binds_the_ceiling_is_the_enumerated_optimum(seed):
    import itertools
    import random

    rng = random.Random(seed)
    n = rng.randint(1, 4)
    lines = tuple(Line(rng.randint(1, 4), tuple(range(rng.randint(1, 3))),
                       weight=rng.choice([1.0, 2.0, 3.5]), firm=0, pays_budget=True)
                  for _ in range(n))
    prices = [float(rng.choice([30, 45, 70, 100])) for _ in range(n)]
    # One offer per line, with room for every unit: only the firm's budget binds.
    offers = tuple(Offer(10, (0, 1, 2), tiers=(Tier(0, p),)) for p in prices)
    data = ProblemData(lines=lines, offers=offers,
                       pairs=tuple(Pair(i, i) for i in range(n)),
                       budgets=(float(rng.randint(0, 800)),))
    best = 0
    for units in itertools.product(*(range(ln.units + 1) for ln in lines)):
        cost = sum(u * len(ln.weeks) * p for u, ln, p in zip(units, lines, prices))
        if cost <= data.budgets[0] + 1e-9:
            best = max(best, sum(u * round(ln.weight * 100) * len(ln.weeks)
                                 for u, ln in zip(units, lines)))
    assert coverage_counts_ceiling(prepare(data)) == best


def test_a_pin_priced_out_of_every_tier_carries_nothing():
    # The pinned pair stays usable (prepare.py) but has no tier the line accepts.
    data = ProblemData(lines=(Line(2, (0,), max_price=50.0),),
                       offers=(Offer(5, (0,), tiers=(Tier(0, 80.0),)),),
                       pairs=(Pair(0, 0, pinned=1),))
    assert coverage_counts_ceiling(prepare(data)) == 0
