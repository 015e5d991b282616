"""No shared mutable model (issue 11, item 8): a part's model comes out of every stage
as it went in.

A part is started once and improved up to ``parallel.ROUNDS`` times on the same
LinearModel. The integrality repair used to fix the running and tier columns and
make the flows integer in that model and leave them so: every later improvement
then searched only plans with the same contracts open, and could even "prove" that
narrowed optimum. Each stage now changes the model inside
``LinearModel.overridden``, which puts back what it changed, on an exception too.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math

import pytest

from matcher.backends import highs
from matcher.backends.linear import INF, LinearModel, Row
from matcher.backends.raw import RawResult
from matcher.budget import TimeBudget
from matcher.model.build import run_backend
from matcher.model.integrality import fractional, integral_repair
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import compute_scale
from matcher.model.prepare import prepare
from matcher.model.problem import ProblemData
from matcher.round.from_snapshot import index_round
from matcher.search.part import PartSolver
from matcher.search.phases import solve_two_phase
from matcher.solution import Status
from schemas.parameters import RoundParameters
from tests.unit.matcher.rounds import random_round

EXACT = RoundParameters(time_limit_s=20, relative_gap=0, workers=1)

# Three customers, three facilities that could each serve them all: the optimum opens
# one facility (10 + 5 units x 1 = 15); with every facility open the best is 35.
DEMANDS, CAPACITIES, FIXED = [2, 2, 1], [5, 5, 5], [10.0, 10.0, 10.0]
UNIT_COSTS = [[1.0, 1.0, 1.0]] * 3


def dump(m: LinearModel) -> dict:
    """Everything the model holds: bounds, integrality, objective, every row."""
    return copy.deepcopy(dataclasses.asdict(m))


def facility_part() -> PartSolver:
    problem = ProblemData.from_arrays(DEMANDS, CAPACITIES, FIXED, UNIT_COSTS)
    prep = prepare(problem)
    return PartSolver(problem, compute_scale(prep, pieces(prep, line_markets(prep))), EXACT)


def brute_force_cost() -> float:
    """The least total cost over every integral plan (each customer's units split over
    the facilities every way), from the data alone: no model, no solver."""
    n = len(CAPACITIES)
    per_customer = [[s for s in itertools.product(range(d + 1), repeat=n) if sum(s) == d]
                    for d in DEMANDS]
    best = math.inf
    for plan in itertools.product(*per_customer):
        loads = [sum(split[j] for split in plan) for j in range(n)]
        if any(load > cap for load, cap in zip(loads, CAPACITIES)):
            continue
        cost = sum(FIXED[j] for j in range(n) if loads[j]) + sum(
            UNIT_COSTS[i][j] * split[j] for i, split in enumerate(plan) for j in range(n))
        best = min(best, cost)
    return best


def everything_open_split(part: PartSolver) -> list[float]:
    """A plan with every facility open and customer 0's units split 1.5 / 0.5: what
    HiGHS may hand back when its time limit comes first (feasible, not a vertex)."""
    m, c, data = part.m, part.c, part.prep.data
    values = [0.0] * m.num_cols
    for col in c.r.values():
        values[col] = 1.0
    share = {(0, 0): 1.5, (0, 1): 0.5, (1, 1): 2.0, (2, 2): 1.0}
    for k, cols_by_tier in c.x.items():
        pair = data.pairs[k]
        values[cols_by_tier[0][1]] = share.get((pair.line, pair.offer), 0.0)
    assert m.violations(values) == [] and fractional(c, values)
    return values


def test_an_override_puts_back_what_it_changed_even_on_an_exception():
    m = LinearModel()
    for _ in range(3):
        m.add_col(0, 4, True, 1.0)
    m.add_row([0, 1], [1.0, 1.0], 1.0, 3.0, "demand")
    before = dump(m)
    with pytest.raises(RuntimeError):
        with m.overridden(bounds={0: (2.0, 2.0)}, integrality=False,
                          objective=([0.0, -1.0, 0.0], 5.0), row_upper={0: 9.0},
                          rows=[Row([2], [1.0], 1.0, INF, "kept")]):
            with m.overridden(bounds={0: (1.0, 1.0)}, integrality={1: True}):
                assert m.lower[0] == m.upper[0] == 1.0 and m.integer == [False, True, False]
            assert m.lower[0] == 2.0 and m.integer == [False] * 3  # the inner one ended
            assert m.cost == [0.0, -1.0, 0.0] and m.offset == 5.0
            assert m.row_upper == [9.0, INF] and m.row_family == ["demand", "kept"]
            m.add_row([1], [1.0], 0.0, 1.0, "inside")  # added in the block: temporary too
            m.cost[0] = 7.0  # written into the override's objective, not the model's own
            raise RuntimeError("a solver call failed")
    assert dump(m) == before


def test_integral_repair_leaves_the_model_exactly_as_it_was():
    part = facility_part()
    m, c = part.m, part.c
    flows = [col for cols in c.x.values() for _, col in cols]
    assert not any(m.integer[col] for col in flows)  # relaxed at build: they are exact
    values = everything_open_split(part)
    before = dump(m)
    seen = []

    def run(model: LinearModel, limit: float) -> RawResult:
        # While the repair runs, its decisions are in the model ...
        seen.append((all(model.lower[col] == model.upper[col] == 1.0 for col in c.r.values()),
                     all(model.integer[col] for col in flows)))
        return run_backend(model, EXACT, limit)

    raw = RawResult(Status.FEASIBLE, part._score(values), None, values)
    fixed = integral_repair(m, c, raw, run, TimeBudget(20.0))
    assert seen == [(True, True)]
    assert not fractional(c, fixed.values) and math.isclose(fixed.objective, 35.0)
    assert dump(m) == before  # ... and after it, none of them


def test_a_part_improved_twice_after_an_integral_repair_reaches_the_optimum(monkeypatch):
    part = facility_part()
    before = dump(part.m)
    calls = []

    def first_call_cut_short(model, params, time_limit, hint=None):
        calls.append(hint)
        if len(calls) == 1:  # the first MIP call ends at its limit on a non-vertex plan
            values = everything_open_split(part)
            return RawResult(Status.FEASIBLE, part._score(values), None, values)
        return run_backend(model, params, time_limit, hint)

    monkeypatch.setattr("matcher.search.part.run_backend", first_call_cut_short)
    part.improve(TimeBudget(20.0))
    assert len(calls) == 2  # the cut-short call, then the repair
    assert math.isclose(part.best.objective, 35.0) and not part.done
    # Free to close facilities again. (With the repair's fixing left in the model, this
    # call found 35 and took it for proven: status optimal with a bound of 35.)
    part.improve(TimeBudget(20.0))
    optimum = brute_force_cost()
    assert optimum == 15.0
    result = part.result()
    assert result.status == Status.OPTIMAL
    assert math.isclose(result.objective, optimum) and math.isclose(result.bound, optimum)
    assert sum(1 for t in result.tiers if t >= 0) == 1  # one facility open
    assert dump(part.m) == before


def _round_part(whole_budgets: bool) -> PartSolver:
    snap = random_round(3, lines=10, offers=5, firms=3, relative_gap=0.0)
    problem = index_round(snap, snap.parameters).problem
    prep = prepare(problem)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    whole = tuple(2 * b for b in problem.budgets) if whole_budgets else None
    return PartSolver(problem, scale, snap.parameters, whole)


@pytest.mark.parametrize("whole_budgets", [False, True])
def test_starting_and_improving_a_round_leave_its_model_as_it_was(whole_budgets):
    # The start relaxes integrality, maximises coverage alone, widens budget rows to
    # the whole budgets and fixes the rounded plan's contracts; the two phases swap the
    # objective and add the coverage row: all of it for one call each.
    part = _round_part(whole_budgets)
    assert part.two_phase and part.c.r and part.c.z and part.c.budget_rows
    before = dump(part.m)
    part.start_greedy()
    part.start(TimeBudget(20.0), polish=True)
    assert dump(part.m) == before
    part.improve(TimeBudget(20.0))
    assert part.best.values is not None and dump(part.m) == before


def test_a_failed_solver_call_leaves_the_model_as_it_was(monkeypatch):
    part = _round_part(whole_budgets=True)
    before = dump(part.m)

    def fails(*args, **kwargs):
        raise RuntimeError("HiGHS fell over")

    monkeypatch.setattr(highs, "solve", fails)
    with pytest.raises(RuntimeError):
        part.start(TimeBudget(20.0))
    assert dump(part.m) == before
    calls = []

    def phase_two_fails(model, limit, hint):
        calls.append(model.num_rows)
        if len(calls) == 2:
            raise RuntimeError("phase 2 fell over")
        return RawResult(Status.OPTIMAL, -1.0, -1.0, [0.0] * model.num_cols)

    with pytest.raises(RuntimeError):
        solve_two_phase(part.m, part.counts, part.value, 0.0, 20.0, None, None,
                        phase_two_fails)
    assert calls[1] == calls[0] + 1  # phase 2 had its coverage row ...
    assert dump(part.m) == before  # ... and it is gone
