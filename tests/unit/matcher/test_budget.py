"""TimeBudget on a fake clock: shares never exceed what is left, and time handed back."""

from __future__ import annotations

import pytest

from matcher.backends.raw import RawResult, Status
from matcher.budget import TimeBudget
from matcher.linear import LinearModel
from matcher.phases import PHASE_ONE_SHARE, solve_two_phase


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_shares_never_exceed_what_is_left():
    clock = FakeClock()
    budget = TimeBudget(10.0, clock)
    for step, fraction in [(0.0, 0.5), (3.0, 0.9), (4.0, 1.5), (2.5, -1.0), (5.0, 0.3)]:
        clock.now += step
        assert 0.0 <= budget.share(fraction) <= budget.remaining() <= 10.0
    assert budget.remaining() == 0.0 and budget.expired()  # 14.5 s passed: none left


def test_a_part_ends_by_its_parents_deadline():
    clock = FakeClock()
    budget = TimeBudget(10.0, clock)
    clock.now += 4.0
    part = budget.part(0.5)
    assert part.deadline == clock.now + 3.0 <= budget.deadline
    assert budget.part(7.0).deadline == budget.deadline  # a fraction above 1 is clamped
    assert TimeBudget.until(budget.deadline, clock).remaining() == budget.remaining()


def _two_phases(phase_one_takes: float):
    """solve_two_phase on a one-column model, with a run that spends time on the clock."""
    clock = FakeClock()
    limits = []

    def run(m, limit, hint):
        limits.append(limit)
        clock.now += min(limit, phase_one_takes) if len(limits) == 1 else limit
        return RawResult(Status.OPTIMAL, -1.0 if len(limits) == 1 else 0.0, -1.0, [1.0])

    m = LinearModel()
    m.add_col(0, 1, True)
    solve_two_phase(m, {0: 1}, 1.0, 0.0, 10.0, None, None, run, clock)
    return limits, clock.now - 100.0


def test_phase_two_gets_what_phase_one_left():
    limits, spent = _two_phases(phase_one_takes=1.0)  # phase 1 proves early ...
    assert limits[0] == PHASE_ONE_SHARE * 10.0
    assert limits[1] == 9.0  # ... and hands its time to phase 2
    assert spent <= 10.0
    limits, spent = _two_phases(phase_one_takes=100.0)  # phase 1 takes all it may
    assert limits[1] == pytest.approx((1 - PHASE_ONE_SHARE) * 10.0) and spent <= 10.0
