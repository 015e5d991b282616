"""The greedy baseline of the benchmarks always gives a result the checker accepts.

This also exercises the checker on many random rounds before the optimiser
does. No optimiser needed.
"""

from __future__ import annotations

from hypothesis import given, settings

from tests.benchmarks.greedy import solve_greedy
from tests.property.strategies import snapshots
from tests.support.checker import check


@settings(max_examples=300, deadline=None)
@given(snapshots(max_lines=6, max_offers=4, max_firms=3))
def test_greedy_result_passes_the_checker(snapshot):
    result = solve_greedy(snapshot)
    assert check(snapshot, result) == []
