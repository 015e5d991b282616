"""A part's first solution: the LP relaxation, rounded, repaired, then its flows re-optimised."""

from __future__ import annotations

from typing import NamedTuple

from matcher.backends import highs
from matcher.backends.linear import LinearModel
from matcher.budget import TimeBudget
from matcher.model.objective import coverage_objective
from matcher.model.prepare import Prepared
from matcher.model.variables import Columns
from matcher.search import separation
from matcher.search.heuristic import round_relaxation
from matcher.search.separation import Separation
from schemas.parameters import RoundParameters

SEPARATION_SHARE = 0.5  # of the relaxation's time, for the separation's rounds


class Start(NamedTuple):
    values: list[float] | None  # the relaxation rounded, repaired (and polished)
    ceiling: float | None  # the relaxation's bound on coverage, in counts
    separation: Separation | None  # the separation's report (None without ``separate``)
    relaxed: list[float] | None  # the relaxation's own values (rins.py)


def first_solution(prep: Prepared, c: Columns, m: LinearModel, counts: dict[int, int],
                   params: RoundParameters, time_limit: float | TimeBudget,
                   whole_budgets: tuple[float, ...] | None = None, polish: bool = True,
                   separate: bool = False) -> Start:
    """A good start, the relaxation's bound on coverage (in counts), or None, the
    separation's report (None without ``separate``) and the relaxation's values.

    The LP relaxation is rounded and repaired (heuristic.py); then, with the
    rounded solution's running weeks and tiers fixed, the flows are optimised
    again (a small, easy MIP; ``polish``). With optional lines both maximise coverage
    alone: that is what the start must be good at, and it is well scaled.
    With ``whole_budgets`` (a part whose firms' budgets are split, see
    decompose.py) the relaxation is solved with the whole budgets, so that its
    bound holds for the round.
    ``separate`` (a part built without its linking rows, build.all_linking): the
    relaxation is strengthened, for its bound and its rounding, by the linking rows
    it breaks (separation.py): the first relaxation has its time as ever, the
    rounds after it must end within ``SEPARATION_SHARE`` of it.
    ``time_limit`` (seconds, or the budget to end by): the relaxation gets 70 % of
    it (all of it without ``polish``), the polish what is then left.
    """
    if not c.x or not any(m.integer):
        return Start(None, None, None, None)
    budget = TimeBudget.of(time_limit)
    coverage = coverage_objective(counts, m.num_cols) if counts else None
    whole = (None if whole_budgets is None
             else {row: whole_budgets[firm] for firm, row in c.budget_rows.items()})
    share = budget.part(0.7) if polish else budget
    found = None
    # Every change below is for one call and undone after it (LinearModel.overridden):
    # the part's model must come out as it went in, for the improvements that follow.
    with m.overridden(objective=coverage, integrality=False, row_upper=whole):
        if separate:
            relaxed, found = separation.separate(
                m, prep, c, share, lambda within: highs.solve(m, within, 0.0, params.seed),
                rounds=share.part(SEPARATION_SHARE))
        else:
            relaxed = highs.solve(m, share, 0.0, params.seed)
    with m.overridden(objective=coverage):
        rounded = None if relaxed.values is None else round_relaxation(prep, c, m, relaxed.values)
        if rounded is not None and polish:
            decided = list(c.r.values()) + list(c.z.values())
            with m.overridden(bounds={col: (float(round(rounded[col])),) * 2 for col in decided}):
                better = highs.solve(m, budget, params.relative_gap, params.seed, rounded)
            if better.values is not None:
                rounded = better.values
    if relaxed.values is None:
        return Start(None, None, found, None)
    ceiling = -relaxed.bound if counts and relaxed.bound is not None else None
    return Start(rounded, ceiling, found, relaxed.values)
