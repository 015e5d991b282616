"""The same plan gives the same figures, to the last digit (issue 11: a time-limited
replay of one plan once reported -106006880129.69829 and ...26).

A part's objective is its plan's own score (quick.score_units, summed exactly), not
whatever figure the solver that found the plan computed; the round's objective and
bound are the parts' summed exactly (math.fsum), so no order of addition shows.
"""

from __future__ import annotations

import random


from matcher.backends import highs
from matcher.backends.raw import RawResult
from matcher.model.problem import ProblemData
from matcher.round.from_snapshot import index_round
from matcher.search.decompose import Part
from matcher.search.part import PartSolver
from matcher.search.part_result import PartResult
from matcher.solution import Status
from matcher.solve import _merge, solve
from tests.unit.matcher.rounds import random_round


def _problem(seed: int) -> ProblemData:
    snap = random_round(seed, lines=10, offers=5)
    return index_round(snap, snap.parameters).problem


def test_a_plan_scores_the_same_whatever_figure_the_solver_gave_for_it(monkeypatch):
    problem = _problem(3)
    plain = solve(problem)
    real = highs.solve

    def rounding_differently(*args, **kwargs) -> RawResult:
        # The same answer, its objective computed in another order: off in the last bits.
        raw = real(*args, **kwargs)
        if raw.objective is None:
            return raw
        return RawResult(raw.status, raw.objective * (1 + 1e-12), raw.bound, raw.values)

    def scoring_differently(self, values):
        return real_score(self, values) * (1 + 1e-12)

    real_score = PartSolver._score
    monkeypatch.setattr(highs, "solve", rounding_differently)
    monkeypatch.setattr(PartSolver, "_score", scoring_differently)
    noisy = solve(problem)
    assert noisy.units == plain.units  # the same plan ...
    assert noisy.objective == plain.objective  # ... the same figure, exactly


def _result(objective: float, bound: float, pairs: int) -> PartResult:
    return PartResult(Status.FEASIBLE, objective, bound, (0,) * pairs, (), 0.0, 0.0, "mip")


def test_the_round_sums_its_parts_exactly_in_any_order():
    problem = ProblemData(lines=(), offers=(), pairs=())
    rng = random.Random(1)
    # Figures of very different sizes, as a round's parts have (L is about -1e11):
    # a plain sum of these depends on the order of addition.
    figures = [(-rng.uniform(1e9, 1e11), -rng.uniform(1e9, 1e11) - 1e10) for _ in range(60)]
    figures += [(rng.uniform(0.1, 1.0), 0.0) for _ in range(60)]
    parts = [Part((), (), (), problem) for _ in figures]
    sums = set()
    for _ in range(20):
        rng.shuffle(figures)
        results = [_result(o, b, 0) for o, b in figures]
        merged = _merge(problem, parts, results, 0.0, "highs", 0.0, 0.0)
        sums.add((merged.objective, merged.bound))
    assert len(sums) == 1
