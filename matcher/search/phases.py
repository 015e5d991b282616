"""Lexicographic solving in two phases, when the weights make L lexicographic.

Phase 1 maximises coverage alone (an integer objective: weighted unit-weeks
in hundredths), to the relative gap asked for. Phase 2 keeps at least that
coverage (one more row) and minimises the rest of L (fairness, cost,
change), starting from phase 1's solution. Both solvers find this far easier
than the weighted sum, whose coefficients span ten orders of magnitude, and
the cost is then optimised to the gap too, not drowned by coverage.

The reported objective is L of the final solution; its bound is
-A x (phase 1's bound on S) + (phase 2's bound on the rest when phase 1
proved its coverage optimal, else 0, the least the rest can be).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from matcher.backends.linear import INF, LinearModel, Row
from matcher.backends.raw import RawResult
from matcher.budget import Clock, TimeBudget
from matcher.model.objective import coverage_objective
from matcher.solution import Status

PHASE_ONE_SHARE = 0.7  # of the time left, at most, for coverage


def solve_two_phase(m: LinearModel, counts: dict[int, int], coverage_value: float,
                    gap: float, time_limit: float | TimeBudget, hint: list[float] | None,
                    ceiling: float | None,
                    run: Callable[[LinearModel, float, list[float] | None], RawResult],
                    clock: Clock = time.perf_counter) -> RawResult:
    """``coverage_value``: what one unit of ``counts`` is worth in L (A x w_cov / 100);
    ``ceiling``: a known bound on coverage (in counts), e.g. the relaxation's.
    Phase 2 gets what phase 1 left of ``time_limit`` (a phase 1 that proves early
    hands its time to phase 2). ``time_limit``: seconds or the budget to end by;
    ``run`` gets seconds, never more than is left."""
    budget = TimeBudget.of(time_limit, clock)
    # Each phase's objective and phase 2's coverage row hold for its call only
    # (LinearModel.overridden): the part's model, L and all, comes out as it went in.
    weighted, offset = m.cost, m.offset
    cols = sorted(counts)
    with m.overridden(objective=coverage_objective(counts, m.num_cols)):
        first = run(m, budget.share(PHASE_ONE_SHARE), hint)
    if first.values is None:
        return RawResult(first.status, None, None if first.bound is None
                         else coverage_value * first.bound, None)
    served = round(-first.objective)
    if first.bound is not None:
        ceiling = -first.bound if ceiling is None else min(ceiling, -first.bound)
    elif ceiling is None:
        ceiling = sum(counts[c] * m.upper[c] for c in cols)
    rest = [weighted[c] + coverage_value * counts.get(c, 0) for c in range(m.num_cols)]
    kept = Row(cols, [float(counts[c]) for c in cols], float(served), INF, "coverage_kept")
    with m.overridden(objective=(rest, offset), rows=[kept]):
        second = run(m, budget.remaining(), first.values)
        final = second if second.values is not None else _rest_of(first, m)
    reached = sum(counts[c] * round(final.values[c]) for c in cols)
    objective = final.objective - coverage_value * reached
    proven = first.status == Status.OPTIMAL and ceiling <= served + 0.5
    bound = -coverage_value * ceiling
    if proven and second.bound is not None:
        bound += max(second.bound, 0.0)
    bound = min(bound, objective)
    # Optimal means proven within the gap asked for, on L (schemas/result.py).
    within = objective - bound <= gap * abs(objective) * (1 + 1e-9) + 1e-9
    return RawResult(Status.OPTIMAL if within else Status.FEASIBLE, objective, bound,
                     final.values)


def _rest_of(first: RawResult, m: LinearModel) -> RawResult:
    """Phase 1's solution scored by the rest of L (phase 2 found nothing better in time)."""
    value = m.offset + sum(c * v for c, v in zip(m.cost, first.values))
    return RawResult(Status.FEASIBLE, value, None, first.values)
