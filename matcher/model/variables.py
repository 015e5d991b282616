"""The model's columns, created in one deterministic pass before any row.

- ``x[pair]``: list of (tier, column), units of the line served by the offer
  while the offer is in that tier. One column when the offer has one
  reachable tier; the tier split keeps every firm's cost linear.
- ``r[offer, week]``: the offer runs that week (only where a minimum group
  or a fixed cost makes running a decision).
- ``z[offer, tier]``: the offer's contract is in that tier (offers with
  several reachable tiers).
- ``d[pair]``: units moved on a pair that had units in the previous round.
- ``s[piece]``: fairness attainment per breakpoint k, K x demand x min(k/K,
  coverage) (see objective.py); all columns at zero is a feasible solution.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matcher.backends.linear import LinearModel
from matcher.model.prepare import Prepared

BREAKPOINTS = 10  # fairness breakpoints at 10%, 20%, ... 100% coverage


@dataclass
class Columns:
    x: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    r: dict[tuple[int, int], int] = field(default_factory=dict)
    z: dict[tuple[int, int], int] = field(default_factory=dict)
    d: dict[int, int] = field(default_factory=dict)
    s: dict[int, list[int]] = field(default_factory=dict)
    budget_rows: dict[int, int] = field(default_factory=dict)  # firm -> its budget row


def add_columns(model: LinearModel, prep: Prepared, pieces: list[list[int]]) -> Columns:
    cols = Columns()
    data = prep.data
    for k, pair in enumerate(data.pairs):
        if not prep.usable[k]:
            continue
        line, offer = data.lines[pair.line], data.offers[pair.offer]
        top = min(line.units, offer.capacity)
        cols.x[k] = [(t, model.add_col(0, _affordable_units(prep, k, t, top), True))
                     for t in prep.pair_tiers[k]]
        if pair.previous > 0:
            cols.d[k] = model.add_col(0, max(line.units, pair.previous), False)
    for (o, w) in prep.week_pairs:
        offer = data.offers[o]
        if offer.min_group > 0 or offer.fixed_cost > 0:
            cols.r[o, w] = model.add_col(0, 1, True)
    for o, tiers in enumerate(prep.offer_tiers):
        if len(tiers) > 1 and any((o, w) in prep.week_pairs for w in data.offers[o].weeks):
            for t in tiers:
                cols.z[o, t] = model.add_col(0, 1, True)
    for index, lines in enumerate(pieces):
        demand = piece_demand(prep, lines)
        cols.s[index] = [model.add_col(0, k * demand, False) for k in range(1, BREAKPOINTS + 1)]
    return cols


def _affordable_units(prep: Prepared, k: int, t: int, top: int) -> int:
    # A firm cannot buy more units of a line than its whole budget pays for.
    line = prep.data.lines[prep.data.pairs[k].line]
    cost = prep.unit_price(k, t) * len(line.weeks)
    if line.pays_budget and cost > 0:
        return min(top, int(prep.data.budgets[line.firm] / cost + 1e-9))
    return top


def piece_demand(prep: Prepared, lines: list[int]) -> int:
    """A piece's demanded weighted unit-weeks, priority weights in hundredths."""
    return sum(weight_units(prep.data.lines[i].weight) * len(prep.data.lines[i].weeks)
               * prep.data.lines[i].units for i in lines)


def weight_units(weight: float) -> int:
    """A priority weight in hundredths, so that fairness rows have integer coefficients."""
    return max(1, round(weight * 100))

