"""Each call of a part's improvement is guarded apart (matcher/search/part.py): the
time kept from a call for what it may run past it is 5 x the part's start until that
call has been measured; nothing once it has only ended in time; at least the guess and
the most it ran past once it has. HiGHS's root does not look at the clock in phase 2
(on the 100-line round's largest part phase 2 given 0.27 s took 0.43 s) while phase 1
ended in time: one guard for all, kept at the guess, left a 2 s round's last 0.4 s
unused.

The part runs on a fake clock, and the solver is a fake that takes what the test says.
"""

from __future__ import annotations

import types

import pytest

import matcher.search.part as part_module
from matcher.backends.raw import RawResult
from matcher.budget import TimeBudget
from matcher.search.part import MIN_CALL_S, PartSolver
from matcher.solution import Status
from tests.unit.matcher.test_bin_time import one_part  # noqa: F401 (a fixture)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def solver(one_part, monkeypatch):
    part, scale, params = one_part
    clock = Clock()
    monkeypatch.setattr(part_module, "time", types.SimpleNamespace(perf_counter=clock))
    solver = PartSolver(part.problem, scale, params)
    assert solver.two_phase  # (phase 1, phase 2 and the repair)
    solver.guess = 0.4  # (as if its start had taken 0.08 s)
    return solver, clock


def fake_backend(clock: Clock, past: dict[str, float], calls: list[tuple[str, float]]):
    """A solver call that records the seconds it was given and takes them, plus what
    ``past`` says for its call (phase 1 and phase 2 told apart by their rows); its
    answer serves nothing."""

    def run(model, params, budget, hint=None):
        call = "rest" if model.rows_of("coverage_kept") else "coverage"
        given = budget.remaining()
        calls.append((call, given))
        clock.now += given + past.get(call, 0.0)
        return RawResult(Status.FEASIBLE, 0.0, None, [0.0] * model.num_cols)

    return run


def test_a_call_never_measured_keeps_the_guess(solver):
    part, _ = solver
    assert part.guard("coverage") == part.guard("rest") == part.guard("repair") == 0.4


def test_a_call_that_ended_in_time_is_given_all_its_time_the_next_time(solver, monkeypatch):
    part, clock = solver
    calls: list[tuple[str, float]] = []
    monkeypatch.setattr(part_module, "run_backend", fake_backend(clock, {}, calls))
    part.improve(TimeBudget(2.0, clock=clock))
    assert calls[0] == ("coverage", pytest.approx(min(0.7 * 2.0, 2.0 - 0.4)))
    assert part.guard("coverage") == part.guard("rest") == 0.0
    calls.clear()
    part.improve(TimeBudget(2.0, clock=clock))
    assert calls[0] == ("coverage", pytest.approx(0.7 * 2.0))  # nothing kept from it
    assert calls[1] == ("rest", pytest.approx(0.3 * 2.0))


def test_a_call_that_ran_past_keeps_at_least_the_guess_and_what_it_overran(solver,
                                                                          monkeypatch):
    part, clock = solver
    calls: list[tuple[str, float]] = []
    monkeypatch.setattr(part_module, "run_backend",
                        fake_backend(clock, {"rest": 0.6}, calls))
    part.improve(TimeBudget(3.0, clock=clock))
    assert [call for call, _ in calls] == ["coverage", "rest"]
    assert part.guard("coverage") == 0.0  # (phase 1 ended in time)
    assert part.guard("rest") == pytest.approx(0.6)  # (more than the guess)
    calls.clear()
    part.improve(TimeBudget(3.0, clock=clock))
    phase_one, phase_two = calls
    assert phase_one[1] == pytest.approx(0.7 * 3.0)
    assert phase_two[1] == pytest.approx(0.3 * 3.0 - 0.6)  # its own guard kept from it


def test_a_call_that_ran_past_a_little_still_keeps_the_guess(solver, monkeypatch):
    part, clock = solver
    monkeypatch.setattr(part_module, "run_backend",
                        fake_backend(clock, {"rest": 0.1}, []))
    part.improve(TimeBudget(3.0, clock=clock))
    assert part.guard("rest") == pytest.approx(0.4)


def test_the_bins_floor_guards_a_call_whatever_the_part_measured(solver, monkeypatch):
    part, clock = solver
    calls: list[tuple[str, float]] = []
    monkeypatch.setattr(part_module, "run_backend", fake_backend(clock, {}, calls))
    part.improve(TimeBudget(2.0, clock=clock))
    part.floor = {"rest": 0.5}
    assert part.guard("rest") == 0.5 and part.guard("coverage") == 0.0


def test_a_call_left_less_than_the_least_call_is_not_made(solver, monkeypatch):
    part, clock = solver
    calls: list[tuple[str, float]] = []
    monkeypatch.setattr(part_module, "run_backend", fake_backend(clock, {}, calls))
    part.improve(TimeBudget(0.4 + MIN_CALL_S / 2, clock=clock))  # (the guess: 0.4)
    assert calls == []
