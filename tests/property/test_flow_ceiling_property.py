"""The flow ceiling (matcher/model/flow_ceiling.py) never cuts off a plan: on tiny random
rounds it is at least the most priority-weighted unit-weeks any allocation that keeps
every rule serves, found by exhaustive enumeration (tests/support/brute_force.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings

from matcher.model.flow_ceiling import flow_counts_ceiling
from matcher.model.prepare import prepare
from matcher.round.from_snapshot import index_round
from tests.property.strategies import snapshots
from tests.support.brute_force import count_allocations, feasible_allocations


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots(max_lines=4, max_offers=3, max_firms=2))
def test_the_flow_ceiling_never_cuts_off_a_plan(snapshot):
    assume(count_allocations(snapshot) <= 2000)
    params = snapshot.parameters
    most = max((e.weighted_unit_weeks for e in feasible_allocations(snapshot, params)),
               default=None)
    assume(most is not None)
    idx = index_round(snapshot, params)
    counts = flow_counts_ceiling(prepare(idx.problem), time_limit=10.0)
    assert counts is not None
    assert counts / 100 >= most - 1e-6
