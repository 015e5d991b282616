"""Stand-in optimisers for the service's tests (``module:function`` references).

The service runs whatever ``WELFARE_MATCHER_SOLVER`` names in its worker
process; these wrap the first-come-first-served baseline of the benchmarks,
which honours pins and exclusions, so the service's behaviour can be tested
apart from the optimiser's.
"""

from __future__ import annotations

import os
import time

from schemas.result import SolveStatus
from tests.benchmarks.greedy import solve_greedy

GREEDY = "tests.unit.matcher_service.standin:greedy"
SLOW = "tests.unit.matcher_service.standin:slow"
FAILING = "tests.unit.matcher_service.standin:failing"
INFEASIBLE = "tests.unit.matcher_service.standin:infeasible"


def greedy(snapshot, parameters):
    return solve_greedy(snapshot, parameters)


def slow(snapshot, parameters):
    """Takes ``WELFARE_TEST_SOLVE_S`` seconds (default 4): a round long enough to interrupt."""
    time.sleep(float(os.environ.get("WELFARE_TEST_SOLVE_S", "4")))
    return solve_greedy(snapshot, parameters)


def failing(snapshot, parameters):
    raise ArithmeticError("the model blew up")


def infeasible(snapshot, parameters):
    result = solve_greedy(snapshot, parameters)
    return result.model_copy(
        update={"status": SolveStatus.INFEASIBLE, "contracts": [], "objective": None})
