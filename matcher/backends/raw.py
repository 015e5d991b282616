"""What every backend hands back: a status, the objective, a bound, the column values."""

from __future__ import annotations

from dataclasses import dataclass

from matcher.solution import Status


@dataclass(frozen=True)
class RawResult:
    status: Status
    objective: float | None
    bound: float | None
    values: list[float] | None


def status_from(reason: str, has_solution: bool) -> Status:
    """Map a MathOpt or CP-SAT termination name to ours."""
    if reason == "OPTIMAL":
        return Status.OPTIMAL
    if reason in ("INFEASIBLE", "INFEASIBLE_OR_UNBOUNDED", "MODEL_INVALID") and not has_solution:
        return Status.INFEASIBLE
    return Status.FEASIBLE if has_solution else Status.NO_SOLUTION
