"""A part's coverage ceiling without a solver: valid always, computed in one pass.

A part that runs out of time before its relaxation or its MIP proves anything
still owes the round a bound on L. L = -w_cov A S + rest with rest >= 0
(objective.py), so any ceiling on S gives one. This one relaxes the model to
what can be counted directly, and so never cuts off a plan:

- a line serves at most its units, and at most what its usable pairs can carry
  (each pair: the offer's capacity, and the units the firm's whole budget buys at
  that pair's cheapest tier; pair_caps.py, shared with the flow ceiling);
- an offer's week carries at most its capacity, filled from the highest priority
  weight down (each line at most what it can carry there);
- a firm's paying lines get at most what its whole budget buys in whole units
  at their cheapest tiers (knapsack.py; the fractional knapsack if that is too
  large to compute).

Per connected group of lines and offers the ceiling is the smaller of the lines'
side (with each firm's budget cap where all its paying lines are in the group)
and the offers' side; the part's ceiling is the sum over groups, or the sum of
the lines' caps with every firm's budget cap, whichever is smaller. Minimum
groups, tiers' volumes, pins and lines that must be served are left out (each
only lowers what can be served).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from matcher.backends.linear import LinearModel
from matcher.model.knapsack import most_value
from matcher.model.markets import union_find
from matcher.model.objective import Scale
from matcher.model.pair_caps import pair_caps
from matcher.model.prepare import Prepared
from matcher.model.problem import ProblemData
from matcher.model.variables import weight_units
from schemas.parameters import RoundParameters


def coverage_counts_ceiling(prep: Prepared, budgets: Sequence[float] | None = None) -> int:
    """The most S x 100 (coverage counts, objective.coverage_counts) any plan reaches.

    ``budgets``: per firm, the budgets to count with (default the part's own); a part
    whose budgets are shares of a split passes the whole ones, so that it holds for
    the round."""
    data = prep.data
    budgets = data.budgets if budgets is None else tuple(
        max(a, b) for a, b in zip(budgets, data.budgets))
    lines, offers = data.lines, data.offers
    value = [0] * len(lines)  # counts per unit of the line (0: not counted)
    for i, line in enumerate(lines):
        if not line.must_serve and prep.line_pairs[i]:
            value[i] = weight_units(line.weight) * len(line.weeks)
    caps = pair_caps(prep, budgets)  # (a pair that carries 0 still joins its groups)
    pair_cap = dict(zip(caps.pair.tolist(), caps.top.tolist()))
    # The units the line can be served at most: its own, and what its pairs carry.
    carried = np.zeros(len(lines), np.int64)
    np.add.at(carried, caps.line, caps.top)
    cap = [min(line.units, c) for line, c in zip(lines, carried.tolist())]
    # Per paying line, cents per unit at its cheapest pair and tier (rows come line by
    # line: the least of each run of one line's rows).
    paying = np.fromiter((line.pays_budget for line in lines), bool, len(lines))[caps.line]
    lines_paying = caps.line[paying]
    cents = np.maximum(np.floor(caps.cost[paying] * 100 + 1e-6), 0)
    cheapest: dict[int, int] = {}  # line -> those cents
    if len(lines_paying):
        starts = np.flatnonzero(np.r_[True, lines_paying[1:] != lines_paying[:-1]])
        cheapest = dict(zip(lines_paying[starts].tolist(),
                            np.minimum.reduceat(cents, starts).astype(np.int64).tolist()))
    firm_cap = _firm_caps(data, value, cap, cheapest, budgets)
    # Connected groups of lines and offers (through usable pairs).
    n = len(lines)
    root = union_find(n + len(offers), [(data.pairs[k].line, n + data.pairs[k].offer)
                                        for k in pair_cap])
    line_side: dict[int, int] = defaultdict(int)
    group_of_firm: dict[int, set[int]] = defaultdict(set)
    for i, line in enumerate(lines):
        if cap[i]:
            group_of_firm[line.firm if line.pays_budget else -1].add(root[i])
    for i, line in enumerate(lines):
        if cap[i] and not (line.pays_budget and line.firm in firm_cap
                           and len(group_of_firm[line.firm]) == 1):
            line_side[root[i]] += value[i] * cap[i]
    for f, most in firm_cap.items():
        if len(group_of_firm[f]) == 1:
            line_side[next(iter(group_of_firm[f]))] += most
    offer_side: dict[int, int] = defaultdict(int)
    # Per pair: (counts per unit-week, units it can carry), for the weeks' fill below.
    carry = {k: (value[data.pairs[k].line] // len(lines[data.pairs[k].line].weeks), top)
             for k, top in pair_cap.items() if top > 0}
    for (o, _w), ks in prep.week_pairs.items():
        # Per unit-week the line's weight counts; fill the capacity, highest first.
        worth = [carry[k] for k in ks if k in carry]
        room = offers[o].capacity
        if sum(units for _, units in worth) <= room:  # room for all of them
            got = sum(per_week * units for per_week, units in worth)
        else:
            got = 0
            for per_week, units in sorted(worth, reverse=True):
                take = min(room, units)
                got += per_week * take
                room -= take
                if not room:
                    break
        if got:
            offer_side[root[n + o]] += got
    grouped = sum(min(side, offer_side.get(group, 0)) for group, side in line_side.items())
    everyone = sum(value[i] * cap[i] for i, line in enumerate(lines)
                   if cap[i] and not (line.pays_budget and line.firm in firm_cap))
    return min(grouped, everyone + sum(firm_cap.values()))


def ceiling_bound(prep: Prepared, scale: Scale, params: RoundParameters,
                  budgets: Sequence[float] | None = None) -> float:
    """The bound on the part's L that the ceiling proves: rest >= 0, so L >= -w_cov A S."""
    return -params.coverage_weight * scale.coverage * coverage_counts_ceiling(prep, budgets) / 100


def demand_bound(data: ProblemData, scale: Scale, params: RoundParameters) -> float:
    """The weakest bound on the part's L: every optional line with a pair served whole.
    One pass over the pairs and the lines, for a part with no time to count better."""
    paired = {pair.line for pair in data.pairs}
    counts = sum(weight_units(line.weight) * len(line.weeks) * line.units
                 for i, line in enumerate(data.lines) if i in paired and not line.must_serve)
    return -params.coverage_weight * scale.coverage * counts / 100


def _firm_caps(data, value: list[int], cap: list[int], cheapest: dict[int, int],
               budgets: Sequence[float]) -> dict[int, int]:
    """Per firm whose budget cannot buy all its lines' caps: what the budget buys."""
    items: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for i, line in enumerate(data.lines):
        if cap[i] and line.pays_budget:
            items[line.firm].append((value[i], cheapest[i], cap[i]))
    caps = {}
    for f in sorted(items):
        budget = math.floor(budgets[f] * 100 + 1e-6)
        whole = sum(v * n for v, _, n in items[f])
        if sum(c * n for _, c, n in items[f]) <= budget:
            continue
        most = most_value(items[f], budget)
        if most is None:
            most = _fractional(items[f], budget)
        caps[f] = min(most, whole)
    return caps


def _fractional(items: list[tuple[int, int, int]], budget: int) -> int:
    """The fractional knapsack's value (best value per cent first), rounded up."""
    got, left = 0.0, float(budget)
    for v, c, n in sorted(items, key=lambda it: -it[0] / it[1] if it[1] > 0 else -math.inf):
        if c <= 0:
            got += v * n
            continue
        take = min(float(n), left / c)
        got += v * take
        left -= take * c
        if left <= 0:
            break
    return math.ceil(got - 1e-9)


def box_bound(m: LinearModel) -> float | None:
    """L at its least over the columns' bounds alone (every row dropped): a bound for a
    model without coverage in L (facility location); None if a column is unbounded."""
    least = m.offset
    for cost, low, up in zip(m.cost, m.lower, m.upper):
        if cost:
            end = up if cost < 0 else low
            if math.isinf(end):
                return None
            least += cost * end
    return least
