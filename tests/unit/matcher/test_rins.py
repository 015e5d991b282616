"""RINS (matcher/search/rins.py, PartSolver._rins): the MIP with every integer column
fixed where the relaxation and the best solution agree, once per part, at the start of
its first improvement. Its plan keeps every rule, is kept only where it scores better,
never beats the part's optimum, lends the part no bound, and its fixing holds for its
call only.
"""

from __future__ import annotations

import pytest

import matcher.search.part as part_module
from matcher.backends.linear import LinearModel
from matcher.budget import TimeBudget
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import compute_scale
from matcher.model.prepare import prepare
from matcher.model.rules import broken_rules
from matcher.round.from_snapshot import index_round
from matcher.search.part import PartSolver
from matcher.search.part_result import read_flows
from matcher.search.rins import agreeing
from tests.unit.matcher.rounds import random_round
from tests.unit.matcher.test_scoped_model import dump


def test_only_integer_columns_where_the_two_agree_are_fixed_at_the_solutions_value():
    m = LinearModel()
    for integer in (True, True, False, True):
        m.add_col(0.0, 5.0, integer)
    relaxed = [2.0, 1.5, 3.0, 1e-9]
    best = [2.0, 1.0, 3.0, 0.0]
    # 0 agrees; 1 does not; 2 agrees but is continuous; 3 agrees within the tolerance
    assert agreeing(m, relaxed, best) == {0: (2.0, 2.0), 3: (0.0, 0.0)}


def _started(seed: int = 0, lines: int = 20, offers: int = 8) -> PartSolver:
    """A part of a random round with its rounded relaxation as its best solution."""
    snap = random_round(seed, lines=lines, offers=offers, firms=4, relative_gap=0.0)
    problem = index_round(snap, snap.parameters).problem
    prep = prepare(problem)
    part = PartSolver(problem, compute_scale(prep, pieces(prep, line_markets(prep))),
                      snap.parameters)
    part.start(TimeBudget(20.0), polish=False)
    assert part.relaxed is not None and part.best.values is not None and part.two_phase
    return part


def _rins_alone(part: PartSolver) -> None:
    part._rins(lambda limit: part_module.run_backend(part.m, part.params, limit,
                                                     part.best.values), TimeBudget(20.0))


def test_it_serves_more_than_the_rounding_within_every_rule_and_no_more_than_the_optimum():
    part = _started()
    rounded, bound, kind = part.best.objective, part.best.bound, part.bound_kind
    before = dump(part.m)
    _rins_alone(part)
    # (this round's rounding: -1,206,217; RINS: -2,639,320 with every rule kept)
    assert part.best.objective < rounded - 1.0
    units, _ = read_flows(part.prep, part.c, part.best)
    plan = {k: u for k, u in enumerate(units) if u or part.prep.usable[k]}
    assert broken_rules(part.prep, plan) == []
    assert not part.m.violations(part.best.values)
    assert dump(part.m) == before  # (the fixing and the objective held for the call only)
    assert (part.best.bound, part.bound_kind) == (bound, kind)  # (a restricted MIP's bound)
    assert part.relaxed is None  # (once)
    whole = _started()
    whole.relaxed = None  # (the whole MIP, to the optimum, without RINS)
    whole.improve(TimeBudget(60.0))
    assert whole.done
    assert part.best.objective >= whole.best.objective - 1e-6 * abs(whole.best.objective)


def test_a_plan_that_scores_no_better_is_not_kept(monkeypatch):
    part = _started()
    best = part.best
    worse = [0.0] * part.m.num_cols  # (serving nothing: worse)
    monkeypatch.setattr(part_module, "run_backend", lambda m, params, limit, hint=None:
                        part_module.RawResult(part_module.Status.FEASIBLE, 0.0, None, worse))
    _rins_alone(part)
    assert part.best.values is best.values and part.best.objective == best.objective


def test_the_first_improvement_runs_it_on_coverage_with_at_most_its_share(monkeypatch):
    part = _started(3, lines=12, offers=6)
    seen = []
    real = part_module.run_backend

    def record(m, params, budget, hint=None):
        fixed = sum(1 for low, up in zip(m.lower, m.upper) if low == up)
        seen.append((fixed, budget.remaining(), list(m.cost)))
        return real(m, params, budget, hint)

    monkeypatch.setattr(part_module, "run_backend", record)
    part.improve(TimeBudget(10.0))
    first, *rest = seen
    assert first[0] > max(r[0] for r in rest)  # (the agreeing columns fixed)
    assert first[1] <= part_module.RINS_SHARE * 10.0 + 1e-9
    coverage = [-float(part.counts.get(col, 0)) for col in range(part.m.num_cols)]
    assert first[2] == coverage
    seen.clear()
    part.improve(TimeBudget(10.0))
    assert all(fixed < first[0] for fixed, _, _ in seen)  # (no second RINS)


@pytest.mark.parametrize("seed", range(6))
def test_a_whole_part_through_rins_and_the_mip_keeps_every_rule(seed):
    part = _started(seed, lines=12, offers=6)
    part.improve(TimeBudget(20.0))
    result = part.result()
    plan = {k: u for k, u in enumerate(result.units) if u or part.prep.usable[k]}
    assert broken_rules(part.prep, plan) == []
