"""TimeBudget on a fake clock: shares never exceed what is left, and time handed back."""

from __future__ import annotations

import pytest

from matcher.backends.linear import LinearModel
from matcher.backends.raw import RawResult
from matcher.budget import TimeBudget
from matcher.search.phases import PHASE_ONE_SHARE, solve_two_phase
from matcher.solution import Status


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


def test_before_keeps_time_back_and_within_caps_a_share():
    clock = FakeClock()
    budget = TimeBudget(10.0, clock)
    search = budget.before(2.5)
    assert search.deadline == budget.deadline - 2.5 and search.start == budget.start
    assert budget.before(50.0).remaining() == 0.0  # more kept back than there is: none left
    clock.now += 3.0
    assert budget.within(4.0).deadline == clock.now + 4.0
    assert budget.within(40.0).deadline == budget.deadline  # never past the deadline
    assert TimeBudget.of(budget) is budget and TimeBudget.of(2.0, clock).remaining() == 2.0
    assert budget.elapsed() == 3.0


class Ticking:
    """A clock that moves ``step`` seconds each time it is read: the solve's time runs
    out after a fixed number of looks at it, however fast the machine is."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_a_solve_out_of_time_returns_feasible_with_a_time_limit_note(monkeypatch):
    # Issue 11: the round cannot be proven within its budget (gap 0, tight budgets,
    # minimum groups): the solve stops when the budget says, with a checked plan, and
    # every solver call was handed a piece of that one budget, ending by its deadline.
    from matcher import solve_round
    from matcher.backends import highs
    from tests.support.checker import check
    from tests.unit.matcher.rounds import random_round

    snap = random_round(0, lines=60, offers=12, firms=6, relative_gap=0.0)
    clock = Ticking(0.01)
    budget = TimeBudget(0.3, clock)
    calls = []
    solve = highs.solve

    def spy(m, limit, *args, **kwargs):
        calls.append(limit)
        return solve(m, limit, *args, **kwargs)

    monkeypatch.setattr(highs, "solve", spy)
    result = solve_round(snap, budget=budget)
    assert result.status.value == "feasible"
    assert "the time limit came before the gap was proven" in result.message
    assert result.contracts and check(snap, result) == []
    assert calls and all(isinstance(c, TimeBudget) and c.clock is clock
                         and c.deadline <= budget.deadline for c in calls)


def test_a_budget_already_spent_still_returns_a_checked_plan():
    # A budget counted from the process's start may be gone before the solve begins
    # (welfare solve at a short limit): the plan is then the quick one, still kept to
    # every rule, and the result says the time limit came first.
    from matcher import solve_round
    from tests.support.checker import check
    from tests.unit.matcher.rounds import random_round

    snap = random_round(1, lines=30, offers=8, firms=4, relative_gap=0.0)
    clock = FakeClock()
    result = solve_round(snap, budget=TimeBudget(0.0, clock))
    assert result.status.value == "feasible"
    assert "time limit" in result.message and check(snap, result) == []
