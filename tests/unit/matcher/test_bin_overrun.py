"""A bin's parts learn from each other how far a MIP call runs past its seconds
(matcher/search/parallel.py solve_bin, part.py): each part's guard for a call (phase 1,
phase 2, the repair) is at least the most that call has overrun in the bin. HiGHS's
presolve and root do not look at the clock: on the Modena 1k round's small parts a
phase-2 call given 0.2 s took 0.6 s, and a part never called before guessed 5 x its
start (0.2 s) and ended the round late.
"""

from __future__ import annotations

import matcher.search.parallel as parallel
from matcher.budget import TimeBudget
from matcher.search.part_result import PartResult
from matcher.solution import Status
from tests.unit.matcher.test_bin_time import one_part  # noqa: F401 (a fixture)


class FakeSolver:
    """A part that records the guards it is improved with; the first part's phase-2
    call overruns by 0.4 s, the others' calls by nothing."""

    made: list[FakeSolver] = []

    def __init__(self, data, scale, params, whole_budgets=None) -> None:
        self.floor: dict[str, float] = {}
        self.overran: dict[str, float] = {}
        self.seen: list[dict[str, float]] = []
        self.first = not FakeSolver.made
        FakeSolver.made.append(self)
        self.best = type("Best", (), {"bound": -1.0, "values": None, "objective": None})()

    done = False
    gap = float("inf")

    def start_greedy(self) -> None:
        pass

    def start(self, budget, polish=True) -> None:
        pass

    def improve(self, budget) -> None:
        self.seen.append(dict(self.floor))
        if self.first:
            self.overran["rest"] = 0.4

    def result(self) -> PartResult:
        return PartResult(Status.NO_SOLUTION, None, None, (), (), 0.0, 0.0, None)


def test_every_part_of_a_bin_keeps_the_most_each_call_overran(one_part, monkeypatch):
    part, scale, params = one_part
    FakeSolver.made = []
    monkeypatch.setattr(parallel, "PartSolver", FakeSolver)
    monkeypatch.setattr(parallel, "LP_SECONDS_PER_WEIGHT", 0.0)  # (every part is built)
    budget = TimeBudget(100.0, clock=lambda: 0.0)  # (the clock stands still)
    parallel.solve_bin([0, 1, 2], [part, part, part], scale, params, budget)
    first, *others = FakeSolver.made
    assert first.seen[0] == {}  # (improved first: no call made yet, its own guesses)
    assert others and all(solver.seen for solver in others)
    assert all(seen.get("rest", 0) >= 0.4 for solver in others for seen in solver.seen)
    assert all(seen.get("rest", 0) >= 0.4 for seen in first.seen[1:])
    # (only the call that overran: phase 1 and the repair learnt nothing)
    assert all(seen.get("coverage", 0) == 0 for solver in FakeSolver.made
               for seen in solver.seen)
