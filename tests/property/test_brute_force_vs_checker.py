"""The brute force and the checker encode the rules separately; they must agree.

For every allocation of a tiny random round (feasible or not), the brute
force's ``evaluate`` accepts it exactly when the checker finds nothing wrong
with the result built from it. No optimiser needed.
"""

from __future__ import annotations

import itertools

from hypothesis import assume, given, settings

from schemas.result import SolverInfo, UnmetReason
from tests.benchmarks.greedy import build_result
from tests.property.strategies import snapshots
from tests.support.brute_force import allocations, count_allocations, evaluate
from tests.support.checker import check


@settings(max_examples=150, deadline=None)
@given(snapshots(max_lines=3, max_offers=2, max_firms=2))
def test_brute_force_feasibility_matches_the_checker(snapshot):
    assume(count_allocations(snapshot) <= 400)
    params = snapshot.parameters
    for allocation in itertools.islice(allocations(snapshot), 400):
        result = build_result(snapshot, params, allocation,
                              lambda line: UnmetReason.NO_CAPACITY_IN_WEEKS,
                              SolverInfo(name="brute-force", version="test"))
        problems = check(snapshot, result)
        feasible = evaluate(snapshot, params, allocation) is not None
        assert feasible == (problems == []), (allocation, problems)
