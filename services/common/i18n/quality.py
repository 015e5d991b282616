"""The quality of a solve, in words, without an unexplained percentage.

A result's ``gap`` is that of the whole objective L (matcher/model/objective.py),
whose coverage term outweighs the others by construction; as a share of L it
reads as nonsense to an operator ("optimal, proven gap 0.4%", "gap 567%").
What an operator needs is how much more could be served: that comes from the
bound on coverage. Where the caller has the snapshot it passes the proven
ceiling itself (services/cli/coverage_bound.py); otherwise it is estimated
from L: with coverage first, the rest of L is never negative and worth less
than one unit-week, so ``weighted coverage x (1 + gap)`` over-states the
ceiling, never under-states it, and "at most N% more" stays true.
The whole objective's gap is said apart, and only when it means something.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.result import SolveStatus
from services.common.i18n import formats
from services.common.i18n.catalogue import Texts

PROVEN = 1e-9  # below this a gap is rounding, not a shortfall
WEAK = 1.0  # a ceiling more than double what was served: say the bound is weak


@dataclass(frozen=True)
class SolveFigures:
    status: str
    objective: float | None
    bound: float | None
    gap: float | None  # of the whole objective
    tolerance: float  # the relative gap asked for
    weighted_coverage: float | None  # served, as a share of priority-weighted demand
    coverage_ceiling: float | None = None  # the most any plan reaches, when known exactly

    @classmethod
    def of_detail(cls, detail: dict) -> SolveFigures:
        """From the operator API's round detail (or a RoundSummary-like dict)."""
        parameters = detail.get("parameters") or {}
        return cls(status=detail.get("outcome") or detail.get("status") or "",
                   objective=detail.get("objective"), bound=detail.get("bound"),
                   gap=detail.get("gap"), tolerance=parameters.get("relative_gap", 0.005),
                   weighted_coverage=detail.get("weighted_coverage"))

    def ceiling(self) -> float | None:
        if self.coverage_ceiling is not None:
            return self.coverage_ceiling
        if (self.bound is None or self.gap is None or self.objective is None
                or self.objective >= 0 or self.weighted_coverage is None):
            return None  # nothing earned yet: L's gap says nothing about coverage
        return min(1.0, self.weighted_coverage * (1 + self.gap))


def describe(t: Texts, f: SolveFigures) -> str:
    """One sentence on how good the plan is."""
    if f.status == SolveStatus.INFEASIBLE:
        return t._("no plan keeps every accepted contract within the round's rules")
    if f.status == SolveStatus.NO_SOLUTION:
        return t._("the time limit came before any plan was found")
    if f.status == SolveStatus.OPTIMAL:
        if not f.gap or f.gap <= PROVEN:
            return t._("the best possible plan")
        return t._("a plan proven within the tolerance asked for ({tolerance}) of the best "
                   "possible", tolerance=formats.percent(t, f.tolerance))
    if f.bound is None:
        return t._("quality not proven within the time: no bound was found, so how much "
                   "more could be served is not known")
    ceiling, served = f.ceiling(), f.weighted_coverage or 0.0
    if ceiling is None:
        return t._("quality not proven within the time: how much more could be served "
                   "is not known")
    if served <= 0:
        return t._("quality not proven within the time: nothing was served, and no plan "
                   "reaches more than {ceiling} priority-weighted coverage",
                   ceiling=formats.percent(t, ceiling))
    gain = ceiling / served - 1
    if gain <= PROVEN:
        return t._("no plan could serve more; cost and fairness were not proven the best "
                   "within the time")
    if gain > WEAK:
        return t._("quality not proven within the time, and the bound is weak: it only "
                   "proves that no plan reaches more than {ceiling} priority-weighted "
                   "coverage (this one: {served})",
                   ceiling=formats.percent(t, ceiling), served=formats.percent(t, served))
    return t._("quality not proven within the time: at most {gain} more could be served "
               "(priority-weighted coverage {served}, at most {ceiling})",
               gain=formats.percent(t, gain, digits=0 if gain >= 0.1 else 1),
               served=formats.percent(t, served), ceiling=formats.percent(t, ceiling))


def objective_gap(t: Texts, f: SolveFigures) -> str | None:
    """The whole objective's gap, apart, when it means something: when the coverage
    ceiling is known on its own (else the estimate above already is this gap, and
    saying both would repeat one figure as two), and as a share of an objective
    that coverage has made negative, between 0.01% and 100%."""
    if f.coverage_ceiling is None or f.gap is None or f.objective is None:
        return None
    if f.objective >= 0 or not 1e-4 <= f.gap <= 1:
        return None
    return t._("gap on the whole objective (coverage, fairness, cost and change "
               "together): {gap}", gap=formats.percent(t, f.gap, digits=2))
