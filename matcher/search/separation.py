"""Linking rows added where the relaxation breaks them: a separation loop.

A part of more than ``build.LINKING_LIMIT`` pair-weeks is built without its
linking rows (``constraints.add_linking``: all of them make its LP too slow),
and its relaxation then has the weak bound of facility location: an offer-week
may run at a sliver and carry every unit. The loop solves the relaxation, finds
the linking rows its solution breaks (a flow above its top x the offer-week's
run), adds the most broken ones, at most ``CUTS_PER_ROUND``, and solves again,
while the bound rises and the time allows. On OR-Library capa-10000 (100,000
pair-weeks) the weak bound is 11.7 M, all rows give 17.9 M in 180 s of LP, and
four rounds of 1,000 rows (five relaxations) give 16.1 M in 32 s (2 loaded cores; each is
solved from scratch, the backend keeping no basis between calls).

The rows found hold for every integral plan of the part, whatever the objective
or the budgets of the relaxation they were found in; yet they stay out of the
MIP's model. Kept in it (measured on capa-10000, 120 s, 5,000 rows), HiGHS spent
its time on the root of the larger model and its cuts and found no plan better
than the greedy start (43.1 M, against 19.7 M without them); left out, the MIP
finds the plan it found before and the part keeps the stronger bound (15.5 M
against 13.8 M): ``PartSolver`` keeps the better of the relaxation's bound and
the MIP's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from matcher.backends.linear import LinearModel, Row
from matcher.backends.raw import RawResult
from matcher.budget import TimeBudget
from matcher.model.constraints import linking_candidates, linking_rows, linking_top
from matcher.model.prepare import Prepared
from matcher.model.variables import Columns

CUTS_PER_ROUND = 2_000  # rows added per round, the most broken first
MIN_RISE = 1e-4  # a round that raised the bound by less (relative) ends the loop
TOLERANCE = 1e-6  # units a flow may exceed its linking row by
NEXT_ROUND = 2.0  # another round needs this many times the last one's time left


@dataclass
class Separation:
    """What the loop did: relaxations solved, rows found, the bound after each round,
    the seconds of the first (the relaxation as it is built), and why it stopped
    ("none broken", "no rise", "time", "no relaxation")."""

    rounds: int = 0
    first_s: float = 0.0
    rows: list[Row] = field(default_factory=list)
    bounds: list[float] = field(default_factory=list)
    stopped: str = ""


class BrokenLinks:
    """The linking rows of a part as arrays, to find in one pass those a solution breaks."""

    def __init__(self, prep: Prepared, c: Columns) -> None:
        self.pair_weeks = list(linking_candidates(prep, c))
        owners, cols = [], []
        for n, (k, _) in enumerate(self.pair_weeks):
            for _, col in c.x[k]:
                owners.append(n)
                cols.append(col)
        self.owners = np.array(owners, dtype=np.int64)
        self.cols = np.array(cols, dtype=np.int64)
        self.top = np.array([linking_top(prep, k) for k, _ in self.pair_weeks], dtype=float)
        self.run = np.array([c.r[prep.data.pairs[k].offer, w] for k, w in self.pair_weeks],
                            dtype=np.int64)

    def broken(self, values: list[float]) -> list[tuple[int, int]]:
        """The (pair, week) whose row ``values`` break, the most broken first."""
        if not self.pair_weeks:
            return []
        v = np.asarray(values, dtype=float)
        flow = np.bincount(self.owners, weights=v[self.cols], minlength=len(self.pair_weeks))
        excess = flow - self.top * v[self.run]
        found = np.flatnonzero(excess > TOLERANCE)
        order = found[np.argsort(-excess[found], kind="stable")]
        return [self.pair_weeks[n] for n in order]


def separate(m: LinearModel, prep: Prepared, c: Columns, budget: TimeBudget,
             relax: Callable[[TimeBudget], RawResult], rounds: TimeBudget | None = None
             ) -> tuple[RawResult, Separation]:
    """The relaxation, strengthened round by round, and the report.

    The first relaxation (the one every part solves) gets ``budget``; the rounds
    after it must end by ``rounds`` (default: ``budget``), and one is begun only
    with ``NEXT_ROUND`` times the last one's time left of it.
    ``relax`` solves the relaxation of ``m`` as it is at the call (the caller's
    overrides around it), ending by the budget it is given. ``m`` comes out with the
    rows it went in with: the rows found are in the report (the last round's too,
    found but not solved again). The result is the last relaxation solved; one that
    did not finish leaves the one before.
    """
    rounds = rounds or budget
    links = BrokenLinks(prep, c)
    report = Separation()
    rows_before = m.num_rows
    added: set[tuple[int, int]] = set()
    best: RawResult | None = None
    try:
        while True:
            called = budget.clock()
            raw = relax(budget if report.rounds == 0 else rounds)
            took = budget.clock() - called
            if report.rounds == 0:
                report.first_s = took
            if raw.values is None or raw.bound is None:
                report.stopped = "no relaxation"
                return best or raw, report
            best = raw
            report.rounds += 1
            report.bounds.append(raw.bound)
            broken = [pw for pw in links.broken(raw.values) if pw not in added]
            rows = list(linking_rows(prep, c, broken[:CUTS_PER_ROUND]))
            report.rows.extend(rows)
            added.update(broken[:CUTS_PER_ROUND])
            if not broken:
                report.stopped = "none broken"
            elif len(report.bounds) > 1 and (report.bounds[-1] - report.bounds[-2]
                                              < MIN_RISE * max(abs(report.bounds[-2]), 1.0)):
                report.stopped = "no rise"
            elif rounds.remaining() < NEXT_ROUND * took:
                report.stopped = "time"
            if report.stopped:
                return best, report
            for row in rows:
                m.add_row(*row)
    finally:
        while m.num_rows > rows_before:
            m.pop_row()
