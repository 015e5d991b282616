"""Linking rows found where the relaxation breaks them (matcher/search/separation.py).

A part above ``build.LINKING_LIMIT`` pair-weeks is built without its linking rows;
the separation adds those its relaxation breaks. The rows must never cut off an
integral plan (the optimum of tiny rounds stays the brute force's), must lift the
weak bound to the strong one on a facility-location part that needs them, and the
loop must stop within the time it is given, keeping the last relaxation it solved.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math

import pytest
from ortools.linear_solver import pywraplp

import matcher
from matcher.backends import highs
from matcher.backends.raw import RawResult
from matcher.budget import TimeBudget
from matcher.model import build as build_module
from matcher.model.build import build
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import compute_scale
from matcher.model.prepare import prepare
from matcher.model.problem import ProblemData
from matcher.round.from_snapshot import index_round
from matcher.search import separation
from matcher.search.part import PartSolver
from matcher.solution import Status
from schemas.parameters import RoundParameters
from tests.support.brute_force import brute_force_optimum, count_allocations
from tests.unit.matcher.rounds import random_round

EXACT = RoundParameters(time_limit_s=20, relative_gap=0, workers=1)

# Six customers, four facilities each able to serve all of them: the weak relaxation
# opens each facility by a sliver (load / capacity), and pays a sliver of its fixed cost.
DEMANDS = [3, 2, 4, 1, 3, 2]
CAPACITIES = [40, 40, 40, 40]
FIXED = [60.0, 55.0, 70.0, 50.0]
UNIT_COSTS = [[1.0 + ((3 * i + 5 * j) % 7) for j in range(4)] for i in range(6)]


def facility_problem() -> ProblemData:
    return ProblemData.from_arrays(DEMANDS, CAPACITIES, FIXED, UNIT_COSTS)


def dump(m) -> dict:
    return copy.deepcopy(dataclasses.asdict(m))


def model_of(problem: ProblemData):
    prep = prepare(problem)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    m, c = build(prep, scale, EXACT)
    return prep, m, c


def relaxation(m):
    def relax(within: TimeBudget) -> RawResult:
        with m.overridden(integrality=False):
            return highs.solve(m, within, 0.0, 0)
    return relax


def test_the_loop_lifts_the_weak_bound_to_the_strong_one(monkeypatch):
    problem = facility_problem()
    _, strong_m, _ = model_of(problem)  # small: every linking row at build
    assert strong_m.rows_of("linking")
    strong = relaxation(strong_m)(TimeBudget(20.0)).bound
    monkeypatch.setattr(build_module, "LINKING_LIMIT", 0)
    prep, m, c = model_of(problem)
    assert not m.rows_of("linking")
    weak = relaxation(m)(TimeBudget(20.0)).bound
    assert weak < strong - 50.0  # the instance needs the rows: a fixed cost's worth
    rows_before = m.num_rows
    relaxed, report = separation.separate(m, prep, c, TimeBudget(20.0), relaxation(m))
    assert report.stopped == "none broken" and report.rounds >= 2
    assert report.bounds[0] == pytest.approx(weak) and report.bounds[-1] > weak + 50.0
    assert relaxed.bound == pytest.approx(strong, rel=1e-7)
    assert relaxed.bound <= brute_force_cost() + 1e-6  # a bound: no plan cut off
    assert m.num_rows == rows_before  # the model as it went in; the rows are the report's
    # Each row found is one of add_linking's, written by the same generator.
    full = {tuple(zip(*strong_m.row(i))) for i in strong_m.rows_of("linking")}
    assert {tuple(sorted(zip(r.cols, r.coefs))) for r in report.rows} <= full
    assert all(r.upper == 0.0 and r.family == "linking" for r in report.rows)


def test_a_started_part_takes_the_stronger_bound_and_keeps_its_model(monkeypatch):
    monkeypatch.setattr(build_module, "LINKING_LIMIT", 0)
    problem = facility_problem()
    prep = prepare(problem)
    part = PartSolver(problem, compute_scale(prep, pieces(prep, line_markets(prep))), EXACT)
    before = dump(part.m)
    part.start_greedy()
    part.start(TimeBudget(20.0), polish=False)
    assert part.separation is not None and part.separation.rows
    assert part.separation.bounds[-1] > part.separation.bounds[0]
    # Without a coverage term the relaxation minimised L: its bound is the part's.
    assert part.best.bound == pytest.approx(part.separation.bounds[-1])
    assert part.bound_kind == "relaxation"
    assert dump(part.m) == before  # the rows found stay out of the MIP's model
    part.improve(TimeBudget(20.0))
    result = part.result()
    assert result.status == Status.OPTIMAL
    assert math.isclose(result.objective, brute_force_cost(), rel_tol=1e-9)


def brute_force_cost() -> float:
    """The least cost of the facility instance, over every set of open facilities (the
    flows of a set are a transportation problem: solved here as an LP on its own)."""
    best = math.inf
    n, f = len(DEMANDS), len(CAPACITIES)
    for open_ in itertools.product([0, 1], repeat=f):
        if sum(c for c, o in zip(CAPACITIES, open_) if o) < sum(DEMANDS):
            continue
        solver = pywraplp.Solver.CreateSolver("GLOP")
        x = {(i, j): solver.NumVar(0, DEMANDS[i] if open_[j] else 0, "")
             for i in range(n) for j in range(f)}
        for i in range(n):
            solver.Add(sum(x[i, j] for j in range(f)) == DEMANDS[i])
        for j in range(f):
            solver.Add(sum(x[i, j] for i in range(n)) <= CAPACITIES[j])
        solver.Minimize(sum(UNIT_COSTS[i][j] * x[i, j] for i in range(n) for j in range(f)))
        assert solver.Solve() == pywraplp.Solver.OPTIMAL  # integral: a network matrix
        best = min(best, solver.Objective().Value() + sum(
            fc for fc, o in zip(FIXED, open_) if o))
    return best


# Tiny random rounds whose allocations the brute force can enumerate.
SEEDS = [s for s in range(60) if count_allocations(random_round(s, lines=4, offers=3, firms=2))
         <= 3000][:8]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_rows_found_never_cut_off_the_optimum(monkeypatch, seed):
    monkeypatch.setattr(build_module, "LINKING_LIMIT", 0)  # every part separates
    reports = []
    separate = separation.separate

    def spy(*args, **kwargs):
        relaxed, report = separate(*args, **kwargs)
        reports.append(report)
        return relaxed, report

    monkeypatch.setattr(separation, "separate", spy)
    snap = random_round(seed, lines=4, offers=3, firms=2)
    params = snap.parameters.model_copy(update={"relative_gap": 0.0, "workers": 1})
    result = matcher.solve_round(snap, params)
    best = brute_force_optimum(snap, params)
    assert best is not None
    assert result.objective == pytest.approx(best.objective, rel=1e-6, abs=1e-9)
    # The relaxation's bound, strengthened by the rows found, stays below the optimum.
    assert result.bound <= best.objective + 1e-6 * max(1.0, abs(best.objective))
    assert all(r.stopped for r in reports)  # (a part without a decision has none)


def test_some_tiny_round_needs_rows_from_the_loop(monkeypatch):
    # The test above means something only if the loop does add rows on such rounds.
    monkeypatch.setattr(build_module, "LINKING_LIMIT", 0)
    added = 0
    for seed in SEEDS:
        snap = random_round(seed, lines=4, offers=3, firms=2)
        problem = index_round(snap, snap.parameters).problem
        prep = prepare(problem)
        part = PartSolver(problem, compute_scale(prep, pieces(prep, line_markets(prep))),
                          EXACT)
        part.start(TimeBudget(20.0), polish=False)
        added += len(part.separation.rows) if part.separation else 0
    assert added > 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_loop_stops_when_another_round_would_not_fit(monkeypatch):
    monkeypatch.setattr(build_module, "LINKING_LIMIT", 0)
    prep, m, c = model_of(facility_problem())
    clock = FakeClock()
    solve = relaxation(m)
    given = []

    def slow(within: TimeBudget) -> RawResult:
        given.append(within.remaining())
        clock.now += 4.0  # each relaxation takes 4 s of the 10
        return solve(TimeBudget(20.0))

    relaxed, report = separation.separate(m, prep, c, TimeBudget(10.0, clock), slow)
    # After one round 6 s are left, less than twice what a round took: no second one.
    assert report.stopped == "time" and report.rounds == 1 and given == [10.0]
    assert relaxed.values is not None and report.rows  # found; kept for the MIP


def test_a_relaxation_that_does_not_finish_leaves_the_one_before(monkeypatch):
    monkeypatch.setattr(build_module, "LINKING_LIMIT", 0)
    prep, m, c = model_of(facility_problem())
    solve = relaxation(m)
    calls = []

    def second_fails(within: TimeBudget) -> RawResult:
        calls.append(1)
        if len(calls) == 2:
            return RawResult(Status.NO_SOLUTION, None, None, None)
        return solve(within)

    relaxed, report = separation.separate(m, prep, c, TimeBudget(20.0), second_fails)
    assert report.stopped == "no relaxation" and report.rounds == 1
    assert relaxed.bound == pytest.approx(report.bounds[0]) and relaxed.values is not None


def test_only_the_rounds_after_the_first_keep_to_their_share(monkeypatch):
    # The first relaxation is the one every part solves: it keeps the whole time.
    monkeypatch.setattr(build_module, "LINKING_LIMIT", 0)
    prep, m, c = model_of(facility_problem())
    clock = FakeClock()
    solve = relaxation(m)
    given = []

    def timed(within: TimeBudget) -> RawResult:
        given.append(within.remaining())
        clock.now += 1.0
        return solve(TimeBudget(20.0))

    budget = TimeBudget(10.0, clock)
    relaxed, report = separation.separate(m, prep, c, budget, timed,
                                          rounds=TimeBudget(5.0, clock))
    assert given[0] == 10.0 and all(g <= 4.0 for g in given[1:])
    assert report.rounds == len(given) and relaxed.values is not None
    assert clock.now <= 5.0 or report.rounds == 1
