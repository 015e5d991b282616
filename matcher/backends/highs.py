"""HiGHS through OR-Tools MathOpt, fed a ModelProto built in bulk.

Building the proto from the LinearModel's arrays is far faster than adding
variables and expressions one Python object at a time. HiGHS runs on one
thread with a fixed seed, so the same model gives the same answer.
"""

from __future__ import annotations

import datetime as dt
import math

from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt

from matcher.backends.linear import LinearModel
from matcher.backends.raw import RawResult, status_from
from matcher.budget import TimeBudget
from matcher.solution import Status


def to_proto(m: LinearModel) -> model_pb2.ModelProto:
    proto = model_pb2.ModelProto(name="round")
    n = m.num_cols
    proto.variables.ids.extend(range(n))
    proto.variables.lower_bounds.extend(m.lower)
    proto.variables.upper_bounds.extend(m.upper)
    proto.variables.integers.extend(m.integer)
    nonzero = [c for c in range(n) if m.cost[c] != 0.0]
    proto.objective.linear_coefficients.ids.extend(nonzero)
    proto.objective.linear_coefficients.values.extend(m.cost[c] for c in nonzero)
    proto.objective.offset = m.offset
    proto.linear_constraints.ids.extend(range(m.num_rows))
    proto.linear_constraints.lower_bounds.extend(m.row_lower)
    proto.linear_constraints.upper_bounds.extend(m.row_upper)
    matrix = proto.linear_constraint_matrix
    for i in range(m.num_rows):
        matrix.row_ids.extend([i] * (m.row_start[i + 1] - m.row_start[i]))
    matrix.column_ids.extend(m.row_cols)
    matrix.coefficients.extend(m.row_coefs)
    return proto


def solve(m: LinearModel, time_limit: float | TimeBudget, gap: float, seed: int,
          hint: list[float] | None = None) -> RawResult:
    """``time_limit``: seconds, or the budget the call must end by. Building the
    model counts: HiGHS gets what is left once it is built."""
    budget = TimeBudget.of(time_limit)
    model = mathopt.Model.from_model_proto(to_proto(m))
    params = mathopt.SolveParameters(
        # HiGHS checks its clock between steps, and reading the values back takes
        # time too: aim a little early.
        time_limit=dt.timedelta(seconds=max(0.9 * budget.remaining() - 0.05, 0.01)),
        relative_gap_tolerance=gap,
        absolute_gap_tolerance=1e-9,
        random_seed=seed,
    )
    model_params = None
    if hint is not None:
        values = {model.get_variable(c): value for c, value in enumerate(hint)}
        model_params = mathopt.ModelSolveParameters(
            solution_hints=[mathopt.SolutionHint(variable_values=values)])
    try:
        result = mathopt.solve(model, mathopt.SolverType.HIGHS, params=params,
                               model_params=model_params)
    except Exception:  # noqa: BLE001 - HiGHS reports numerical trouble as an error
        if hint is not None:  # a start HiGHS will not take must not cost the solve
            return solve(m, budget, gap, seed)
        return RawResult(Status.NO_SOLUTION, None, None, None)
    reason = result.termination.reason
    bounds = result.termination.objective_bounds
    values = None
    if result.has_primal_feasible_solution():
        by_var = result.variable_values()
        values = [0.0] * m.num_cols
        for var, value in by_var.items():
            values[var.id] = value
    bound = bounds.dual_bound if math.isfinite(bounds.dual_bound) else None
    objective = bounds.primal_bound if values is not None else None
    return RawResult(status_from(reason.name, values is not None), objective, bound, values)
