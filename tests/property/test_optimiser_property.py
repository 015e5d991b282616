"""Properties of the optimiser on small random rounds.

- Every result passes the independent checker (tests/support/checker.py).
- On tiny rounds, solved with a relative gap of 0, the objective equals the
  brute-force optimum (tests/support/brute_force.py, which enumerates every
  allocation and scores it by the objective documented in matcher/model/objective.py);
  the coverage term, which the objective puts first exactly, is the greatest
  any feasible allocation reaches; and the allocation the optimiser returns
  scores that optimum too (not only the number it reports).
- Asked for a gap of 0, the optimiser proves optimality on tiny rounds.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, event, example, given, settings
from hypothesis import strategies as st

import matcher
from schemas.result import SolveStatus
from tests.property import regressions
from tests.property.strategies import snapshots
from tests.support.brute_force import (
    brute_force_optimum,
    count_allocations,
    objective_scales,
    objective_value,
    terms,
)
from tests.support.checker import check

TOLERANCE = 1e-6  # relative, on the objective


def exact(snapshot, **overrides):
    """The round's parameters, asking for a proven optimum (gap 0), one worker."""
    return snapshot.parameters.model_copy(update={
        "relative_gap": 0.0, "time_limit_s": 20.0, "workers": 1, **overrides})


def allocation_of(result):
    return {(line.line_id, c.offer_id): line.units for c in result.contracts for line in c.lines}


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


@settings(max_examples=60, deadline=None)
@given(snapshots(max_lines=6, max_offers=4, max_firms=3), st.sampled_from(["auto", "cpsat", "highs"]),
       st.booleans())
def test_every_result_passes_the_checker(snapshot, solver, decompose):
    params = snapshot.parameters.model_copy(update={
        "solver": solver, "decompose": decompose, "workers": 1, "time_limit_s": 20.0})
    result = matcher.solve_round(snapshot, params)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE), result.status
    assert check(snapshot, result) == []


WEIGHTS = st.fixed_dictionaries({
    "priority_weights": st.sampled_from([
        [1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 1.0, 1.0, 1.0, 1.0], [0.5, 1.25, 2.0, 4.0, 10.0]]),
    "fairness_weight": st.sampled_from([1.0, 0.0, 3.0]),
    "cost_weight": st.sampled_from([1.0, 0.5]),
    "change_weight": st.sampled_from([1.0, 0.0]),
})


@settings(max_examples=100, deadline=None)
@given(snapshots(max_lines=4, max_offers=3, max_firms=2), st.sampled_from(["highs", "cpsat"]),
       st.booleans(), WEIGHTS)
@example(snapshot=regressions.one_line(), solver="cpsat", decompose=False, weights={})
@example(snapshot=regressions.two_markets(), solver="highs", decompose=True, weights={})
def test_objective_equals_the_brute_force_optimum(snapshot, solver, decompose, weights):
    assume(count_allocations(snapshot) <= 2000)
    params = exact(snapshot, solver=solver, decompose=decompose, **weights)
    result = matcher.solve_round(snapshot, params)
    assert check(snapshot, result) == []
    best = brute_force_optimum(snapshot, params)
    assert best is not None  # the strategies only pin what can be kept
    event(f"{min(best.feasible, 10)}{'+' if best.feasible >= 10 else ''} feasible allocations")
    event("some served" if best.served else "nothing servable")
    scales = objective_scales(snapshot, params)
    ours = terms(snapshot, params, scales, allocation_of(result))
    assert ours.served == best.served, "coverage is first in the objective, exactly"
    assert close(objective_value(params, scales, ours), best.objective), (ours, best)
    assert close(result.objective, best.objective), (result.objective, best.objective, best)


@pytest.mark.parametrize(("solver", "decompose"), [
    ("highs", False),
    ("highs", True),  # the two-markets example once lost the parts' cost bound (fixed)
    ("cpsat", False),  # the one-line example once came back 'feasible' (CP-SAT bound, fixed)
    ("cpsat", True),
])
@settings(max_examples=40, deadline=None)
@given(snapshot=snapshots(max_lines=4, max_offers=3, max_firms=2))
@example(snapshot=regressions.one_line())
@example(snapshot=regressions.two_markets())
def test_gap_zero_is_proven_optimal(snapshot, solver, decompose):
    assume(count_allocations(snapshot) <= 2000)
    result = matcher.solve_round(snapshot, exact(snapshot, solver=solver, decompose=decompose))
    assert result.status == SolveStatus.OPTIMAL, (result.status, result.objective, result.bound)
    assert result.gap is not None and result.gap <= 1e-9
