"""CP-SAT on the same LinearModel.

CP-SAT is integer-only: every column becomes an integer (the continuous ones
here, change and fairness shortfalls, take integer values at an optimum
anyway, their rows having integer data), and each row is multiplied by its
``scale`` (100 for euro rows, so cents) and rounded. The objective stays in
floating point; CP-SAT scales it itself. One worker keeps the search
deterministic; more workers are faster but not reproducible.
"""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from matcher.backends.linear import LinearModel
from matcher.backends.raw import RawResult, status_from
from matcher.budget import TimeBudget

BIG = 2**40  # a finite stand-in for an infinite row or column bound


def _bound(value: float, up: bool) -> int:
    if math.isinf(value):
        return BIG if up else -BIG
    return math.floor(value + 1e-9) if up else math.ceil(value - 1e-9)


def build(m: LinearModel) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    model = cp_model.CpModel()
    cols = [model.new_int_var(_bound(lo, False), _bound(up, True), "")
            for lo, up in zip(m.lower, m.upper)]
    for i in range(m.num_rows):
        row_cols, coefs = m.row(i)
        scale = m.row_scale[i]
        ints = [round(a * scale) for a in coefs]
        lower, upper = m.row_lower[i] * scale, m.row_upper[i] * scale
        expr = cp_model.LinearExpr.weighted_sum([cols[c] for c in row_cols], ints)
        model.add_linear_constraint(expr, _bound(lower, False), _bound(upper, True))
    nonzero = [c for c in range(m.num_cols) if m.cost[c] != 0.0]
    objective = cp_model.LinearExpr.weighted_sum([cols[c] for c in nonzero],
                                                 [m.cost[c] for c in nonzero])
    model.minimize(objective + m.offset)
    return model, cols


def solve(m: LinearModel, time_limit: float | TimeBudget, gap: float, seed: int,
          hint: list[float] | None = None, workers: int = 1) -> RawResult:
    """``time_limit``: seconds, or the budget the call must end by (building counts)."""
    budget = TimeBudget.of(time_limit)
    model, cols = build(m)
    if hint is not None:
        for col, value in zip(cols, hint):
            model.add_hint(col, round(value))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.95 * budget.remaining() - 0.02, 0.01)
    solver.parameters.relative_gap_limit = gap
    solver.parameters.absolute_gap_limit = 1e-9
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    code = solver.solve(model)
    name = solver.status_name(code)
    has_solution = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    values = [float(v) for v in solver.values(cols)] if has_solution else None
    objective = solver.objective_value if has_solution else None
    # Without a solution CP-SAT reports 0.0 as its bound (seen with UNKNOWN after a
    # short limit): that is no bound at all, and would have passed for a proof.
    bound = solver.best_objective_bound if has_solution else None
    if bound is not None and not math.isfinite(bound):
        bound = None
    if code == cp_model.OPTIMAL:
        # With a floating-point objective CP-SAT may report a bound far below an
        # objective it has proven optimal (within the gap); the status is what counts.
        proven = objective - gap * abs(objective)
        bound = proven if bound is None else max(bound, proven)
    return RawResult(status_from(name, has_solution), objective, bound, values)
