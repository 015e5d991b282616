"""The objective: one weighted sum whose default weights give a lexicographic order.

The model minimises, in euro-equivalents,

    L = - w_cov  * A * S        coverage: priority-weighted unit-weeks served
        + w_fair * F * Phi      fairness: mean shortfall penalty over pieces
        + w_cost * K            cost: unit costs + fixed costs, in euro
        + w_chg  * C * D        change: unit-weeks moved from the previous round

(w_* are ``RoundParameters.*_weight``; priority weights are read to the cent.)

Terms and scales, all computed once for the whole round (so that every part
of a decomposed round uses the same ones and the parts' objectives add up):

- S counts only optional lines (a line that must be served adds a constant,
  left out, so a facility-location instance's objective is its cost).
- Phi: for each piece (one firm's lines in one market, see markets.py) with
  coverage c = served / demanded weighted unit-weeks, the convex penalty
  phi(c) = 2/(K+1) * sum_k max(0, k/K - c), K = 10 breakpoints, so phi(0) = 1
  and phi(1) = 0 and a firm far behind costs more per unit than one nearly
  served; Phi is the mean of phi over the round's pieces, in [0, 1].
- K_max bounds the cost: every running week's fixed cost plus every unit-week
  at the dearest tier it may use.
- D: per compatible pair, |units now - units in the previous round| x weeks;
  D_max = every demanded unit-week + every previous unit-week on a pair.
- C = 0.01 / (D_max + 1): the whole change range is worth less than a cent
  (0 when the round has no previous assignments: nothing to change from).
- F = K_max + 1: the whole fairness range outweighs the whole cost range.
- A = (F + K_max + 1) / step, with step the smallest change in S (1 with
  integer priority weights): one more unit-week served, at the lowest
  weight, outweighs any change in fairness, cost and change together.

What that guarantees at the default weights: coverage first, exactly; cost
before change, exactly for prices in cents; fairness before cost *by range*
only (a tiny fairness gain does not buy any cost). Exact priority of fairness
over cost would need scales beyond double precision at 10^5 lines.

How it is solved: whenever the weights keep coverage strictly first
(``Scale.lexicographic``, true at the defaults) the model is solved in two
phases, coverage alone and then the rest at that coverage (phases.py): the
same optimum, but each phase's gap is on its own term, so cost is optimised
to the gap asked for instead of drowning in coverage. The reported
objective, bound and gap are always those of L. In the model Phi is written
with attainment columns g_k = K x demand x min(k/K, c), so that
phi(c) = 1 - 2/(K+1) x sum_k g_k / (K x demand) (a constant and a reward).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from matcher.backends.linear import LinearModel
from matcher.model.prepare import Prepared
from matcher.model.variables import BREAKPOINTS, Columns, piece_demand, weight_units
from schemas.parameters import RoundParameters


@dataclass(frozen=True)
class Scale:
    coverage: float  # A, euro per priority-weighted unit-week
    fairness: float  # F, euro per unit of mean piece penalty
    change: float  # C, euro per unit-week moved
    pieces: int  # pieces in the whole round (Phi is their mean)
    step: float = 1.0  # smallest change in S
    cost_max: float = 0.0  # K_max
    change_max: float = 0.0  # D_max

    def lexicographic(self, params: RoundParameters) -> bool:
        """Whether, at these weights, coverage strictly outranks every other term.

        Then the optimum of L is: the most coverage, and at that coverage the
        least of the other terms; so the model may be solved in two phases
        (solve.py), which is exact and much faster than the weighted sum.
        """
        rest = (params.fairness_weight * self.fairness + params.cost_weight * self.cost_max
                + params.change_weight * self.change * self.change_max)
        return params.coverage_weight * self.coverage * self.step > rest


def compute_scale(prep: Prepared, pieces: list[list[int]]) -> Scale:
    data = prep.data
    cost_max = sum(data.offers[o].fixed_cost for (o, _w) in prep.week_pairs)
    change_max = 0
    weights = set()
    for line_index, line in enumerate(data.lines):
        uw = line.units * len(line.weeks)
        change_max += uw
        prices = [abs(prep.unit_price(k, t)) for k in prep.line_pairs[line_index]
                  for t in prep.pair_tiers[k]]
        cost_max += uw * max(prices, default=0.0)
        if prep.line_pairs[line_index] and not line.must_serve:
            weights.add(weight_units(line.weight))
    change_max += sum(p.previous * len(data.lines[p.line].weeks) for p in data.pairs)
    step = math.gcd(*weights) / 100 if weights else 1.0
    fairness = cost_max + 1.0
    had_previous = any(p.previous for p in data.pairs)
    return Scale(
        coverage=(fairness + cost_max + 1.0) / step,
        fairness=fairness,
        change=0.01 / (change_max + 1) if had_previous else 0.0,
        pieces=len(pieces),
        step=step,
        cost_max=cost_max,
        change_max=float(change_max),
    )


def coverage_counts(prep: Prepared, c: Columns) -> dict[int, int]:
    """Per flow column of an optional line: weighted unit-weeks (weights in hundredths).

    S x 100 is the sum of these over the served units: an integer objective.
    """
    data = prep.data
    counts = {}
    for k, cols_by_tier in c.x.items():
        line = data.lines[data.pairs[k].line]
        if not line.must_serve:
            for _, col in cols_by_tier:
                counts[col] = weight_units(line.weight) * len(line.weeks)
    return counts


def coverage_objective(counts: dict[int, int], num_cols: int) -> tuple[list[float], float]:
    """Coverage alone as a model's objective (LinearModel.overridden): minus each
    column's count (coverage_counts), nothing for the other columns; no offset."""
    cost = [0.0] * num_cols
    for col, count in counts.items():
        cost[col] = -float(count)
    return cost, 0.0


def set_objective(m: LinearModel, prep: Prepared, c: Columns, pieces: list[list[int]],
                  scale: Scale, params: RoundParameters) -> None:
    data = prep.data
    w_cov, w_fair = params.coverage_weight, params.fairness_weight
    w_cost, w_chg = params.cost_weight, params.change_weight
    counts = coverage_counts(prep, c)
    for k, cols_by_tier in c.x.items():
        weeks = len(data.lines[data.pairs[k].line].weeks)
        moved = 0.0 if k in c.d else w_chg * scale.change * weeks
        for t, col in cols_by_tier:
            served = w_cov * scale.coverage * counts.get(col, 0) / 100
            m.cost[col] = w_cost * prep.unit_price(k, t) * weeks - served + moved
    for k, col in c.d.items():
        m.cost[col] = w_chg * scale.change * len(data.lines[data.pairs[k].line].weeks)
    for (o, _w), col in c.r.items():
        m.cost[col] = w_cost * data.offers[o].fixed_cost
    # phi = 1 - 2/(K+1) sum_k g_k / (K x demand): a constant, less what g earns.
    per_piece = w_fair * scale.fairness / max(scale.pieces, 1)
    m.offset += per_piece * len(pieces)
    for index, lines in enumerate(pieces):
        demand = piece_demand(prep, lines)
        for col in c.s[index]:
            m.cost[col] = -per_piece * 2 / (BREAKPOINTS + 1) / (BREAKPOINTS * demand)


def change_offset(prep: Prepared, scale: Scale, params: RoundParameters) -> float:
    """Previous units on pairs no model holds (unusable now) have moved, whatever happens."""
    data = prep.data
    return params.change_weight * scale.change * sum(
        p.previous * len(data.lines[p.line].weeks)
        for k, p in enumerate(data.pairs) if p.previous and not prep.usable[k])


def coverage_ceiling(scale: Scale, params: RoundParameters, bound: float | None) -> float | None:
    """The most S (priority-weighted unit-weeks) any plan reaches, given a bound on L.

    For every plan L >= bound and L = -w_cov A S + rest with 0 <= rest <= rest_max,
    so S <= (rest_max - bound) / (w_cov A); S moves in steps. This is the first
    lexicographic term's own bound, which the gap on L hides.
    """
    if bound is None or params.coverage_weight <= 0 or scale.coverage <= 0:
        return None
    rest_max = (params.fairness_weight * scale.fairness + params.cost_weight * scale.cost_max
                + params.change_weight * scale.change * scale.change_max)
    most = (rest_max - bound) / (params.coverage_weight * scale.coverage)
    return max(math.floor(most / scale.step + 1e-6) * scale.step, 0.0)
