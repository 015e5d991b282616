"""The Lagrangean bound of a facility-location part (matcher/search/lagrangean.py).

At any prices the Lagrangean function is at most the part's optimum (checked against
the MIP solved exactly on small random instances); the week's cover is the least worth
that carries the demand (against every subset); on a round built to need it (two
offers that must both run) the bound is above the LP's and at the optimum; on cap41 it
is within 1 % of the published optimum and never above it; the shape is read only where
it holds; and a part tries it once, at its first improvement, its bound kept.
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

import matcher.search.lagrangean as lagrangean
import matcher.search.part as part_module
from matcher.backends import highs
from matcher.backends.raw import RawResult
from matcher.budget import TimeBudget
from matcher.model.build import build
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import compute_scale
from matcher.model.prepare import prepare
from matcher.model.problem import Line, Offer, Pair, ProblemData
from matcher.round.from_snapshot import index_round
from matcher.search.lagrangean import FacilityLocation, _cover
from matcher.search.part import PartSolver, _below
from matcher.solution import Status
from schemas.parameters import RoundParameters
from tests.support import orlib
from tests.unit.matcher.rounds import random_round

PARAMS = RoundParameters(relative_gap=0.0, workers=1)


def _model(problem: ProblemData):
    prep = prepare(problem)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    m, c = build(prep, scale, PARAMS)
    return prep, c, m, scale


def _random_location(rng: random.Random) -> ProblemData:
    customers, facilities = rng.randint(2, 7), rng.randint(2, 4)
    demands = [rng.randint(1, 6) for _ in range(customers)]
    capacities = [rng.randint(3, 12) for _ in range(facilities)]
    while sum(capacities) < sum(demands):
        capacities[rng.randrange(facilities)] += 3
    costs = [[rng.choice([rng.uniform(1, 20), rng.uniform(1, 20), math.inf])
              for _ in range(facilities)] for _ in range(customers)]
    for row in costs:  # every customer has some facility
        if all(math.isinf(x) for x in row):
            row[rng.randrange(facilities)] = rng.uniform(1, 20)
    return ProblemData.from_arrays(demands, capacities,
                                   [rng.choice([0.0, rng.uniform(5, 60)]) for _ in capacities],
                                   costs)


def _optimum(m) -> float | None:
    raw = highs.solve(m, 30.0, 0.0, 0)
    return raw.objective


@pytest.mark.parametrize("seed", range(30))
def test_at_any_prices_the_lagrangean_function_is_at_most_the_optimum(seed):
    rng = random.Random(seed)
    problem = _random_location(rng)
    prep, c, m, _ = _model(problem)
    shape = FacilityLocation.of(prep, c, m)
    optimum = _optimum(m)
    if optimum is None:  # (capacities that no split of the demand fits)
        assert shape is None or shape.bound(TimeBudget(1.0), 1e9).value > -math.inf
        return
    assert shape is not None
    tried = [shape.start_prices, np.zeros(len(problem.lines)),
             shape.start_prices + rng.uniform(0, 30)]
    tried += [shape.start_prices + np.array([rng.uniform(-5, 40) for _ in problem.lines])
              for _ in range(20)]
    for prices in tried:
        value, served = shape.value(prices)
        assert value <= optimum + 1e-6 * max(1.0, abs(optimum))
        assert (served >= -1e-9).all()
    found = shape.bound(TimeBudget(2.0), optimum * 1.05 + 1.0)
    assert found.value <= optimum + 1e-6 * max(1.0, abs(optimum))
    assert found.steps >= 1


@pytest.mark.parametrize("seed", range(40))
def test_the_cover_is_the_least_worth_of_offer_weeks_that_carry_the_need(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 7)
    worth = np.array([rng.uniform(-10, 50) for _ in range(n)])
    capacity = np.array([float(rng.choice([2, 4, 6, 10])) for _ in range(n)])
    need = rng.uniform(0, capacity.sum())
    chosen, cost = _cover(worth, capacity, need)
    best = min(sum(worth[i] for i in subset)
               for r in range(n + 1) for subset in itertools.combinations(range(n), r)
               if sum(capacity[i] for i in subset) >= need - 1e-9)
    assert cost == pytest.approx(best)
    assert set(np.unique(chosen)) <= {0.0, 1.0}
    assert capacity @ chosen >= need - 1e-9
    assert worth @ chosen == pytest.approx(cost)


@pytest.mark.parametrize("seed", range(20))
def test_a_cover_too_large_for_its_table_takes_its_lp_which_is_lower(seed, monkeypatch):
    rng = random.Random(seed)
    n = rng.randint(2, 7)
    worth = np.array([rng.uniform(0, 50) for _ in range(n)])
    capacity = np.array([float(rng.choice([2, 4, 6, 10])) for _ in range(n)])
    need = rng.uniform(1, capacity.sum())
    _, exact = _cover(worth, capacity, need)
    monkeypatch.setattr(lagrangean, "MAX_COVER_WORK", 0)
    chosen, cost = _cover(worth, capacity, need)
    assert cost <= exact + 1e-9
    assert capacity @ chosen >= need - 1e-9
    assert ((chosen >= 0) & (chosen <= 1)).all()
    assert worth @ chosen == pytest.approx(cost)


def _must_both_run() -> ProblemData:
    # Two offers of 10 places, 100 to run each; 11 units must be served. The LP runs the
    # second at a tenth (100 + 10 + 11 x 1 = 121); both must run: 200 + 11 = 211.
    return ProblemData.from_arrays([6, 5], [10, 10], [100.0, 100.0], [[1.0, 1.0], [1.0, 1.0]])


def test_where_the_demand_needs_two_offers_the_bound_rises_to_the_optimum():
    prep, c, m, _ = _model(_must_both_run())
    with m.overridden(integrality=False):
        relaxed = highs.solve(m, 10.0, 0.0, 0).bound
    optimum = _optimum(m)
    assert (relaxed, optimum) == (pytest.approx(121.0), pytest.approx(211.0))
    shape = FacilityLocation.of(prep, c, m)
    found = shape.bound(TimeBudget(5.0), optimum)
    assert found.value == pytest.approx(211.0)
    assert found.stopped == "proved"


def test_on_cap41_the_bound_is_within_one_percent_below_the_optimum():
    instance = orlib.load("cap41")
    optimum = orlib.published_optima()["cap41"].optimum
    prep, c, m, _ = _model(orlib.to_problem(instance))
    shape = FacilityLocation.of(prep, c, m)
    found = shape.bound(TimeBudget(10.0), optimum * 1.01)
    assert optimum * 0.99 <= found.value <= optimum + 1e-6
    assert found.stopped in ("converged", "proved", "balanced")


def test_the_shape_is_read_only_where_it_holds():
    problem = orlib.to_problem(orlib.load("cap41"))
    assert FacilityLocation.of(*_model(problem)[:3]) is not None
    snap = random_round(3)  # optional lines, tiers, minimum groups, budgets
    assert FacilityLocation.of(*_model(index_round(snap, snap.parameters).problem)[:3]) is None
    base = _must_both_run()
    variants = {
        "optional lines": ProblemData.from_arrays([6, 5], [10, 10], [100.0, 100.0],
                                                  [[1.0, 1.0], [1.0, 1.0]], must_serve=False),
        "a minimum group": ProblemData(base.lines, (Offer(10, (0,), min_group=3,
                                                          fixed_cost=100.0),
                                                    base.offers[1]), base.pairs),
        "a line of two weeks": ProblemData(
            (Line(6, (0, 1), must_serve=True), base.lines[1]),
            (Offer(10, (0, 1), fixed_cost=100.0), Offer(10, (0, 1), fixed_cost=100.0)),
            base.pairs),
        "a pinned unit": ProblemData(base.lines, base.offers,
                                     (Pair(0, 0, extra_cost=1.0, pinned=1),) + base.pairs[1:]),
    }
    for name, problem in variants.items():
        assert FacilityLocation.of(*_model(problem)[:3]) is None, name


def _part(problem: ProblemData) -> PartSolver:
    prep = prepare(problem)
    return PartSolver(problem, compute_scale(prep, pieces(prep, line_markets(prep))), PARAMS)


def test_a_part_takes_the_bound_once_at_its_first_improvement(monkeypatch):
    optimum = orlib.published_optima()["cap41"].optimum
    solver = _part(orlib.to_problem(orlib.load("cap41")))
    solver.start_greedy()
    before = solver.best.bound
    calls = []
    real = FacilityLocation.bound

    def counted(self, budget, target, relative_gap=0.0):
        calls.append(target)
        return real(self, budget, target, relative_gap)

    monkeypatch.setattr(FacilityLocation, "bound", counted)
    solver._lagrangean(TimeBudget(5.0))
    assert calls == [solver.best.objective]
    assert solver.best.bound > before
    assert optimum * 0.99 <= solver.best.bound <= optimum + 1e-6
    assert solver.bound_kind == "relaxation"
    solver.improve(TimeBudget(1.0))
    solver.improve(TimeBudget(1.0))
    assert len(calls) == 1


def test_a_welfare_part_keeps_its_bound():
    snap = random_round(5)
    solver = _part(index_round(snap, snap.parameters).problem)
    solver.start_greedy()
    solver.start(TimeBudget(5.0))
    before = (solver.best.bound, solver.bound_kind)
    solver._lagrangean(TimeBudget(1.0))
    assert (solver.best.bound, solver.bound_kind) == before
    assert solver.lagrangean_tried


@pytest.mark.parametrize("seed", range(30))
def test_what_the_bound_settles_leaves_every_plan_better_than_the_upper_one(seed):
    rng = random.Random(seed)
    prep, c, m, _ = _model(_random_location(rng))
    shape, optimum = FacilityLocation.of(prep, c, m), _optimum(m)
    if shape is None or optimum is None:
        return
    found = shape.bound(TimeBudget(2.0), optimum * 1.2 + 1.0)
    for upper in (optimum + 1e-6 * max(1.0, abs(optimum)), optimum * 1.01 + 0.01):
        settled = shape.settled(found.prices, upper)
        assert set(settled) <= set(c.r.values())
        with m.overridden(bounds={col: (v, v) for col, v in settled.items()}):
            assert _optimum(m) == pytest.approx(optimum, rel=1e-7, abs=1e-6)


def test_where_both_offers_must_run_the_bound_settles_both():
    prep, c, m, _ = _model(_must_both_run())
    shape = FacilityLocation.of(prep, c, m)
    found = shape.bound(TimeBudget(5.0), 211.0)
    assert shape.settled(found.prices, 212.0) == {c.r[0, 0]: 1.0, c.r[1, 0]: 1.0}
    assert shape.settled(found.prices, 1e6) == {c.r[0, 0]: 1.0, c.r[1, 0]: 1.0}  # (or 10 < 11)


def test_where_one_offer_is_enough_the_bound_settles_which():
    # 9 units, two offers of 10, at 100 and 150 to run: the first runs (109); at the prices
    # that prove it the second is worth 50 less than nothing: a plan below 110 runs the
    # first (without it, 159) and not the second (159 as well).
    prep, c, m, _ = _model(ProblemData.from_arrays([5, 4], [10, 10], [100.0, 150.0],
                                                   [[1.0, 1.0], [1.0, 1.0]]))
    shape = FacilityLocation.of(prep, c, m)
    found = shape.bound(TimeBudget(5.0), 109.0)
    assert found.value == pytest.approx(109.0)
    settled = shape.settled(found.prices, 110.0)
    assert settled == {c.r[0, 0]: 1.0, c.r[1, 0]: 0.0}
    assert shape.settled(found.prices, 158.0) == settled
    assert shape.settled(found.prices, 160.0) == {}  # (below 160, the second may run instead)


def test_on_cap41_the_bound_settles_offers_and_the_optimum_stays():
    optimum = orlib.published_optima()["cap41"].optimum
    prep, c, m, _ = _model(orlib.to_problem(orlib.load("cap41")))
    shape = FacilityLocation.of(prep, c, m)
    found = shape.bound(TimeBudget(10.0), optimum * 1.01)
    settled = shape.settled(found.prices, optimum * 1.001)
    assert len(settled) >= len(c.r) // 4
    with m.overridden(bounds={col: (v, v) for col, v in settled.items()}):
        assert _optimum(m) == pytest.approx(optimum, rel=1e-6)


def test_a_mip_among_the_settled_plans_bounds_the_part_by_the_best_plan_at_most():
    assert _below(RawResult(Status.FEASIBLE, 90.0, 95.0, [1.0]), 92.0) == RawResult(
        Status.FEASIBLE, 90.0, 92.0, [1.0])
    assert _below(RawResult(Status.INFEASIBLE, None, None, None), 92.0) == RawResult(
        Status.NO_SOLUTION, None, None, None)
    assert _below(RawResult(Status.FEASIBLE, 95.0, 80.0, [1.0]), 92.0).bound == 80.0


def test_nothing_is_settled_against_the_best_plan_itself():
    """A best plan whose figure says less than its columns cost (the doubt of a rounding)
    keeps its own running: only what it agrees with is settled."""
    solver = _part(ProblemData.from_arrays([5, 4], [10, 10], [100.0, 150.0],
                                           [[1.0, 1.0], [1.0, 1.0]]))
    solver.start_greedy()
    solver._lagrangean(TimeBudget(5.0))
    both = highs.solve(solver.m, 10.0, 0.0, 0).values
    first, second = solver.c.r[0, 0], solver.c.r[1, 0]
    assert solver._settled() == {first: (1.0, 1.0), second: (0.0, 0.0)}
    both[second] = 1.0  # the second running too, and the figure of the first alone
    solver.best = RawResult(Status.FEASIBLE, 109.0, solver.best.bound, both)
    assert solver._settled() == {first: (1.0, 1.0)}


def test_an_improvement_searches_only_among_what_the_bound_left(monkeypatch):
    """cap41 from a plan 0.01-1 % above its optimum (one more facility open than the
    optimum's): the whole MIP is called with the settled run columns fixed, the model
    comes out as it went in, and the part reaches its optimum."""
    optimum = orlib.published_optima()["cap41"].optimum
    solver = _part(orlib.to_problem(orlib.load("cap41")))
    best = highs.solve(solver.m, 30.0, 0.0, 0).values
    closed = min((col for col in solver.c.r.values() if round(best[col]) == 0),
                 key=solver.m.cost.__getitem__)
    with solver.m.overridden(bounds={closed: (1.0, 1.0)}):
        worse = highs.solve(solver.m, 30.0, 0.0, 0).values
    solver._offer(RawResult(Status.FEASIBLE, solver._score(worse), None, worse))
    assert optimum * 1.0001 < solver.best.objective < optimum * 1.01
    seen = []
    real = part_module.run_backend

    def spy(model, params, time_limit, hint=None):
        if model.num_cols == solver.m.num_cols:  # (the whole model, not a neighbourhood)
            seen.append(sum(model.lower[col] == model.upper[col]
                            for col in solver.c.r.values()))
        return real(model, params, time_limit, hint)

    monkeypatch.setattr(part_module, "run_backend", spy)
    before = (list(solver.m.lower), list(solver.m.upper))
    solver.improve(TimeBudget(20.0))
    assert solver.located is not None and solver._settled()
    assert seen and max(seen) >= len(solver.c.r) // 4  # whole-model calls with runs fixed
    assert (solver.m.lower, solver.m.upper) == before
    assert solver.best.objective == pytest.approx(optimum, rel=1e-6)
