"""A Lagrangean bound for a part that is a capacitated facility location.

Such a part (every line must be served, in one week; each offer-week a capacity
and a cost to run; nothing else: no tiers, minimum groups, budgets, pins,
fairness or change) has an LP relaxation far below its optimum when it is too
large for its linking rows. On OR-Library capa-10000 (100,000 pairs) the LP
without them is 36 % below the optimum; with the rows the separation finds in
its time (separation.py), 10 %; with all of them, 2.9 %, after minutes of LP.

Relaxing the demand rows instead, with a price per unit of each line (lambda),
leaves one small problem per offer-week and one per week:

- an offer-week that runs takes the units whose cost is below their line's
  price, the cheapest first, up to its capacity (a continuous knapsack): it is
  worth running where that gain exceeds its cost to run;
- since every line must be served, the offer-weeks that run must be able to
  carry the week's demand (a 0-1 knapsack over them, which the LP lacks).

For any prices, the sum is a lower bound on the part's objective; the prices are
then moved along the subgradient (each line's units left unserved, or served
twice) with Polyak's step, aiming a little above the best bound so far (AIM) or
at the best plan's cost if that is lower, and the best bound seen is kept. Alone on
an idle core, from the part's model (``python -m tests.benchmarks.bench_lagrangean``):
capa-10000 0.048 % below its optimum in 2.2 s (818 steps), capb-7000 0.35 % in 2.0 s,
capc-6500 0.094 % in 1.5 s.

The same prices settle offer-weeks (``settled``): one whose running the other way
alone lifts the function above the best plan's cost runs (or not) in every better
plan, so the search and the MIP need not look there. With a plan 0.5 % above the
optimum this settles 45-74 of the 100 facilities of capa-10000, capb-7000, capc-6500.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from matcher.backends.linear import LinearModel
from matcher.budget import TimeBudget
from matcher.model.prepare import Prepared
from matcher.model.variables import Columns

ROW_FAMILIES = {"demand", "capacity", "linking"}  # a part with other rows is not this shape
START_STEP = 2.0  # Polyak's step factor at first; halved after STALL steps without a rise
STALL = 30
LEAST_STEP = 0.005  # below this the prices barely move: the search ends
# Each step aims at most this far (relative) above the best bound so far, or at the best
# plan's objective if nearer: a first plan far above the optimum (capa-10000's greedy,
# 2.3 x) makes steps that overshoot (0.23 % below the optimum at the end, against
# 0.055 % aiming at a plan 4.7 % above it).
AIM = 0.01
# The week's 0-1 knapsack is solved exactly by dynamic programming over capacity (in
# units of the capacities' greatest common divisor) while that is at most this many
# array elements (items x states); past it, its LP (one item taken in part), which
# gives a lower bound too.
MAX_COVER_WORK = 2_000_000


@dataclass(frozen=True)
class Bound:
    """The best bound found (on the part's objective), the steps taken and why they
    ended: "proved" (within the gap of the best plan), "converged" (the step fell
    below LEAST_STEP), "time", "balanced" (every line served once: the bound is the
    optimum of the relaxation)."""

    value: float
    steps: int
    stopped: str
    prices: np.ndarray  # per line, per unit: those of the best bound


class FacilityLocation:
    """The part as offer-weeks (each with its pairs, capacity and cost to run) and lines
    (each with its units), as arrays; ``of`` builds it, or says the part is not one."""

    def __init__(self, offset: float, pair_line: np.ndarray, pair_group: np.ndarray,
                 pair_cost: np.ndarray, pair_upper: np.ndarray, line_units: np.ndarray,
                 line_week: np.ndarray, group_capacity: np.ndarray, group_cost: np.ndarray,
                 group_run: np.ndarray, group_week: np.ndarray) -> None:
        """Per pair: its line, offer-week (group), cost and most units; per line: units
        and week; per group: capacity, cost to run, its run column (-1 where running is
        no decision: it runs for free) and week."""
        self.offset = offset
        self.pair_line, self.pair_group = pair_line, pair_group
        self.pair_cost, self.pair_upper = pair_cost, pair_upper
        self.line_units = line_units.astype(float)
        self.group_cost, self.group_run = group_cost, group_run
        self.group_optional = group_run >= 0
        self.group_week = group_week
        groups = len(group_capacity)
        # What a group can carry: its capacity, or all its pairs can take if less.
        carried = np.bincount(pair_group, weights=pair_upper, minlength=groups)
        self.group_capacity = np.minimum(group_capacity.astype(float), carried)
        self.week_demand = np.bincount(line_week, weights=self.line_units)
        # Per line, at first, its cheapest unit: the price at which some offer takes it.
        self.start_prices = np.full(len(line_units), np.inf)
        np.minimum.at(self.start_prices, pair_line, pair_cost)

    @classmethod
    def of(cls, prep: Prepared, c: Columns, m: LinearModel) -> FacilityLocation | None:
        """The part read as a facility location, or None where it has anything else
        (rows of other families, tiers, previous units, fairness, optional lines, lines
        of several weeks), or cannot carry its demand (it has no plan: no bound is
        needed)."""
        data = prep.data
        if c.z or c.d or c.s or not c.x or not set(m.row_family) <= ROW_FAMILIES:
            return None
        if any(not line.must_serve or len(line.weeks) != 1 for line in data.lines):
            return None
        if any(len(cols) != 1 for cols in c.x.values()):
            return None
        if len(c.x) + len(c.r) != m.num_cols:  # (a column this reading would not price)
            return None
        groups = {ow: n for n, ow in enumerate(sorted({
            (data.pairs[k].offer, data.lines[data.pairs[k].line].weeks[0]) for k in c.x}))}
        pairs = sorted(c.x)
        cols = np.array([c.x[k][0][1] for k in pairs], dtype=np.int64)
        lower = np.asarray(m.lower, dtype=float)
        if lower[cols].any():
            return None
        cost, upper = np.asarray(m.cost, dtype=float), np.asarray(m.upper, dtype=float)
        line_of = np.array([data.pairs[k].line for k in pairs], dtype=np.int64)
        weeks = sorted({line.weeks[0] for line in data.lines})
        week_index = {w: n for n, w in enumerate(weeks)}
        runs = [c.r.get(ow) for ow in groups]
        capacity = np.array([data.offers[o].capacity for o, _ in groups], dtype=float)
        shape = cls(
            m.offset, line_of,
            np.array([groups[data.pairs[k].offer, data.lines[data.pairs[k].line].weeks[0]]
                      for k in pairs], dtype=np.int64),
            cost[cols], upper[cols],
            np.array([line.units for line in data.lines], dtype=np.int64),
            np.array([week_index[line.weeks[0]] for line in data.lines], dtype=np.int64),
            capacity, np.array([0.0 if r is None else cost[r] for r in runs]),
            np.array([-1 if r is None else r for r in runs], dtype=np.int64),
            np.array([week_index[w] for _, w in groups], dtype=np.int64))
        if np.isinf(shape.start_prices).any():  # a line no offer serves
            return None
        carry = np.bincount(shape.group_week, weights=shape.group_capacity,
                            minlength=len(weeks))
        if (carry < shape.week_demand - 1e-9).any():
            return None
        return shape

    def value(self, prices: np.ndarray) -> tuple[float, np.ndarray]:
        """The Lagrangean function at ``prices`` (per line, per unit) and the units each
        line is served in its solution (the subgradient is the units minus those)."""
        return self._solve(prices)[:2]

    def settled(self, prices: np.ndarray, upper: float) -> dict[int, float]:
        """Run columns whose value no plan costing less than ``upper`` can change: those
        whose other value alone lifts the Lagrangean function at ``prices`` above it
        (fixing by the bound, for the MIP's search). Each week's cover is solved again
        with the offer-week's running forced the other way; one that ran in part (the
        cover's LP) settles nothing."""
        value, _, worth, runs, covers = self._solve(prices)
        found: dict[int, float] = {}
        for decided, need, cost in covers:
            for n, g in enumerate(decided):
                if runs[g] not in (0.0, 1.0):
                    continue
                others = np.delete(decided, n)
                if runs[g]:  # closed instead: the others must carry the need
                    _, other = _cover(worth[others], self.group_capacity[others], need)
                else:  # open instead: its worth, and the others carry what it does not
                    _, other = _cover(worth[others], self.group_capacity[others],
                                      need - self.group_capacity[g])
                    other += worth[g]
                if value - cost + other > upper + 1e-9 * max(abs(upper), 1.0):
                    found[int(self.group_run[g])] = float(runs[g])
        return found

    def _solve(self, prices: np.ndarray):
        """The Lagrangean function, the units served per line, each group's worth
        running (its cost less what its units gain), its running (1, 0 or a share) and
        per week the cover solved: (groups decided, need, least worth)."""
        reduced = self.pair_cost - prices[self.pair_line]
        # Only the units cheaper than their line's price are taken: a few of the pairs.
        cheap = np.flatnonzero(reduced < 0)
        order = cheap[np.lexsort((reduced[cheap], self.pair_group[cheap]))]
        group = self.pair_group[order]
        rc, up = reduced[order], self.pair_upper[order]
        # Units before each pair in its group's cheapest-first order, then what it takes.
        first = np.flatnonzero(np.diff(group, prepend=-1))  # where each group begins
        cum = np.cumsum(up)
        before = cum - up - np.repeat((cum - up)[first], np.diff(np.r_[first, len(group)]))
        take = np.clip(self.group_capacity[group] - before, 0.0, up)
        worth = self.group_cost.copy()
        if len(group):
            worth[group[first]] += np.add.reduceat(take * rc, first)
        runs = np.ones(len(worth))
        total, covers = 0.0, []
        for week in range(len(self.week_demand)):
            inweek = self.group_week == week
            fixed = inweek & ~self.group_optional
            decided = np.flatnonzero(inweek & self.group_optional)
            need = self.week_demand[week] - self.group_capacity[fixed].sum()
            chosen, cost = _cover(worth[decided], self.group_capacity[decided], need)
            runs[decided] = chosen
            covers.append((decided, need, cost))
            total += math.fsum(worth[fixed].tolist()) + cost
        served = np.bincount(self.pair_line[order], weights=take * runs[group],
                             minlength=len(self.line_units))
        value = self.offset + math.fsum((prices * self.line_units).tolist()) + total
        return value, served, worth, runs, covers

    def bound(self, budget: TimeBudget, target: float, relative_gap: float = 0.0) -> Bound:
        """The best bound the subgradient search finds by ``budget``'s end, stepping
        towards ``target`` (the best plan's objective: it is at least the optimum) or
        AIM above the best bound so far, whichever is lower."""
        prices = self.start_prices.copy()
        best, best_prices, step, since, steps = -math.inf, prices, START_STEP, 0, 0
        stopped = "time"
        while not budget.expired():
            value, served = self.value(prices)
            steps += 1
            if value > best:
                best, best_prices, since = value, prices, 0
            else:
                since += 1
                if since >= STALL:
                    step, since = step / 2, 0
            if target - best <= relative_gap * abs(target) + 1e-9:
                stopped = "proved"
                break
            # Per line, its units left unserved as a share of its units: the subgradient
            # in prices per whole line, so that a line of many units moves as one of few.
            short = (self.line_units - served) / self.line_units
            norm = float(short @ short)
            if norm < 1e-12:
                stopped = "balanced"
                break
            if step < LEAST_STEP:
                stopped = "converged"
                break
            aim = min(target, best + AIM * abs(best))
            move = step * max(aim - value, 1e-9 * max(abs(aim), 1.0)) / norm
            prices = prices + move * short / self.line_units
        return Bound(best, steps, stopped, best_prices)


def _cover(worth: np.ndarray, capacity: np.ndarray, need: float) -> tuple[np.ndarray, float]:
    """Which offer-weeks run (1, 0, or a share in the LP case) and their worth: the
    least total worth of those whose capacities carry at least ``need``; every one
    worth less than nothing runs whatever the need."""
    chosen = (worth < 0).astype(float)
    cost = math.fsum(worth[worth < 0].tolist())
    need -= capacity[worth < 0].sum()
    rest = np.flatnonzero(worth >= 0)
    if need <= 1e-9 or not len(rest):
        return chosen, cost
    sizes = capacity[rest]
    unit = np.gcd.reduce(np.round(sizes).astype(np.int64)) if np.all(
        sizes == np.round(sizes)) else 0
    states = int(math.ceil(need / unit - 1e-9)) if unit else 0
    if unit and len(rest) * (states + 1) <= MAX_COVER_WORK:
        steps = np.round(sizes / unit).astype(np.int64)
        # least[s]: the least worth of offer-weeks carrying at least s units of ``unit``.
        least = np.full(states + 1, np.inf)
        least[0] = 0.0
        took = np.zeros((len(rest), states + 1), dtype=bool)
        reach = np.arange(states + 1)
        for n, i in enumerate(rest):
            with_it = least[np.maximum(reach - steps[n], 0)] + worth[i]
            took[n] = with_it < least
            least = np.minimum(least, with_it)
        left = states
        for n in range(len(rest) - 1, -1, -1):
            if took[n, left]:
                chosen[rest[n]] = 1.0
                left = max(left - steps[n], 0)
        return chosen, cost + float(least[states])
    # The LP: cheapest worth per unit of capacity first, the last one in part.
    for i in rest[np.argsort(worth[rest] / capacity[rest], kind="stable")]:
        share = min(1.0, need / capacity[i])
        chosen[i] = share
        cost += share * worth[i]
        need -= share * capacity[i]
        if need <= 1e-9:
            break
    return chosen, cost
