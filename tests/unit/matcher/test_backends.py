"""What the solver backends report when the time runs out before any solution."""

from __future__ import annotations

from matcher.backends import cpsat
from matcher.backends.linear import LinearModel


def _knapsacks(columns: int = 20000) -> LinearModel:
    """Many small knapsacks: far more than CP-SAT can even load in a millisecond."""
    m = LinearModel()
    for _ in range(columns):
        m.add_col(0, 10, True)
    m.cost = [-1.5] * columns
    for first in range(0, columns, 7):
        cols = list(range(first, min(first + 9, columns)))
        m.add_row(cols, [1.0] * len(cols), 0.0, 13.0, "capacity")
    return m


def test_cpsat_without_a_solution_claims_no_bound():
    # CP-SAT says 0.0 for its bound when stopped before any solution; taken as a
    # bound, it "proved" a round optimal whose objective was far below it.
    raw = cpsat.solve(_knapsacks(), time_limit=0.001, gap=0.0, seed=1)
    assert raw.values is None
    assert raw.bound is None


def test_cpsat_with_time_reports_a_valid_bound():
    raw = cpsat.solve(_knapsacks(700), time_limit=20.0, gap=0.0, seed=1)
    assert raw.values is not None and raw.bound is not None
    assert raw.bound <= raw.objective + 1e-6
