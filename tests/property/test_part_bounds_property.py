"""The bound a part gives without any solver never cuts off a plan (matcher/model/ceiling.py).

Every solver call is made to run out of time before it finds or proves anything,
so each part's bound is the ceiling counted without a solver; on tiny random rounds
it must stay at or below the brute-force optimum of L (we minimise L), and the
coverage ceiling it proves at or above the most coverage any plan reaches.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings

import matcher
from matcher.backends import highs
from matcher.backends.raw import RawResult
from matcher.solution import Status
from schemas.result import SolveStatus
from tests.property.strategies import snapshots
from tests.support.brute_force import brute_force_optimum, count_allocations


def out_of_time(*args, **kwargs) -> RawResult:
    return RawResult(Status.NO_SOLUTION, None, None, None)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(snapshots(max_lines=4, max_offers=3, max_firms=2, with_pins=False))
def test_the_ceiling_bound_never_cuts_off_the_optimum(monkeypatch, snapshot):
    assume(count_allocations(snapshot) <= 2000)
    params = snapshot.parameters.model_copy(update={"workers": 1, "time_limit_s": 20.0})
    best = brute_force_optimum(snapshot, params)
    assume(best is not None)
    with monkeypatch.context() as patched:
        patched.setattr(highs, "solve", out_of_time)
        result = matcher.solve_round(snapshot, params)
    if result.status == SolveStatus.NO_SOLUTION:
        return  # (a round the greedy start cannot serve has no figures to bound)
    assert result.bound is not None
    assert result.part_bounds is not None and result.part_bounds.none == 0
    assert result.part_bounds.ceiling == result.parts
    assert result.bound <= best.objective + 1e-6 * max(1.0, abs(best.objective))
    demand = sum(params.priority_weights[ln.priority - 1] * ln.units * len(ln.weeks)
                 for ln in snapshot.demand_lines)
    if demand:
        assert result.coverage_ceiling >= best.served / demand - 1e-9
