"""The core on hand-checkable facility-location cases (no snapshot involved)."""

from __future__ import annotations

import math

from matcher import ProblemData, Status, solve
from schemas.parameters import RoundParameters

EXACT = RoundParameters(time_limit_s=20, relative_gap=0, workers=1)


def test_two_customers_two_facilities():
    # Opening only facility 1 (80) and serving both there costs 10*2.5 + 20*1 = 45: 125.
    # Opening only facility 0 (100): 10*1 + 20*3 = 70: 170. Both: 180 + 10 + 20 = 210.
    problem = ProblemData.from_arrays([10, 20], [30, 30], [100.0, 80.0], [[1.0, 2.5], [3.0, 1.0]])
    solution = solve(problem, EXACT)
    assert solution.status == Status.OPTIMAL
    assert solution.units == (0, 10, 0, 20)
    assert math.isclose(solution.total_cost(problem), 125.0)
    assert math.isclose(solution.objective, 125.0)
    assert solution.gap == 0.0


def test_capacity_forces_a_split():
    # Facility 1 holds 25 of the 30 units; the other 5 go to facility 0.
    problem = ProblemData.from_arrays([10, 20], [25, 25], [100.0, 80.0], [[1.0, 2.5], [3.0, 1.0]])
    solution = solve(problem, EXACT)
    assert solution.status == Status.OPTIMAL
    assert solution.served(problem) == [10, 20]
    assert math.isclose(solution.total_cost(problem), 210.0)


def test_infeasible_is_a_value():
    problem = ProblemData.from_arrays([10, 20], [5, 5], [1.0, 1.0], [[1.0, 1.0], [1.0, 1.0]])
    solution = solve(problem, EXACT)
    assert solution.status == Status.INFEASIBLE
    assert solution.objective is None and sum(solution.units) == 0


def test_a_customer_nobody_can_serve_is_infeasible():
    problem = ProblemData.from_arrays([1], [5], [1.0], [[math.inf]])
    assert solve(problem, EXACT).status == Status.INFEASIBLE
