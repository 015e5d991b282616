"""A part's coverage ceiling from its flows alone: tighter than counting, far cheaper
than the part's relaxation.

For a part too large for its relaxation in the time, the ceiling counted in one pass
(ceiling.py) treats the lines' side and the offers' side apart. Where lines of a year
meet many small offers that is far above what can be served (the homecare family's
1k round: 40 % above this one). This ceiling keeps the two together. It relaxes the
part to its flows,

    max  sum_k c_k x_k                      (c_k: coverage counts per unit of pair k)
    s.t. sum_{k of line i} x_k <= u_i       (a line's units)
         0 <= x_k <= cap_k                  (offer capacity, what the whole budget buys:
                                             pair_caps.py, as the counted ceiling)
         sum_{k at offer o in week w} x_k <= C_o      (capacity, each week)     [price l]
         sum_{k of firm f} p_k x_k <= B_f             (budget, cheapest tier)   [price m]

leaving out minimum groups, tiers' volumes, fixed costs, pins and lines that must be
served (each only lowers what can be served); no run or tier variables, so HiGHS
solves it as a plain LP in a fraction of the relaxation's time.

The figure kept is not the LP's own objective, whose tolerances a proof should not
lean on, but the dual function at the LP's prices: for any l, m >= 0

    D(l, m) = sum C_o l_ow + sum B_f m_f + sum_i max{ sum_k r_k x_k : line i's rows }
    with r_k = c_k - sum_{w of k} l_ow - m_f p_k

is at least the most any plan serves (weak duality), and each line's inner maximum is
a fractional knapsack: its units on its pairs by r_k, best first. An LP that does not
finish in its time leaves prices at 0, and D is then the lines' side alone, which the
counted ceiling already beats: the caller keeps the smaller of the two.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt

from matcher.budget import TimeBudget
from matcher.model.objective import Scale
from matcher.model.pair_caps import pair_caps
from matcher.model.prepare import Prepared
from matcher.model.variables import weight_units
from schemas.parameters import RoundParameters

# Below this many seconds left an LP is not started: its set-up alone takes about that.
MIN_LP_S = 0.05


class FlowRelaxation:
    """The part's flow relaxation as arrays, built once."""

    def __init__(self, prep: Prepared, budgets: Sequence[float]) -> None:
        data = prep.data
        lines = data.lines
        # The lines counted (not must-serve, with a usable pair) by their row here.
        counted = [i for i, line in enumerate(lines) if not line.must_serve and prep.line_pairs[i]]
        row_of = np.full(len(lines), -1, np.int64)
        row_of[counted] = np.arange(len(counted))
        units = [lines[i].units for i in counted]
        caps = pair_caps(prep, budgets)
        kept = caps.top > 0  # (a pair that carries nothing is no column)
        line_of_pair = caps.line[kept]
        pays = caps.pays[kept]
        pair_list, line_list = caps.pair[kept].tolist(), line_of_pair.tolist()
        value = [weight_units(lines[i].weight) * len(lines[i].weeks) for i in line_list]
        firm_of = np.where(pays, np.fromiter((line.firm for line in lines), np.int64,
                                             len(lines))[line_of_pair], -1).tolist()
        week_pair, week_row = [], []
        rows: dict[tuple[int, int], int] = {}
        for n, (k, i) in enumerate(zip(pair_list, line_list)):
            o = data.pairs[k].offer
            for w in lines[i].weeks:
                week_pair.append(n)
                week_row.append(rows.setdefault((o, w), len(rows)))
        self.pairs = len(value)
        self.value = np.array(value, dtype=np.float64)
        self.line_of = row_of[line_of_pair]  # pairs come line by line
        self.cap = caps.top[kept].astype(np.float64)
        self.units = np.array(units, dtype=np.float64)
        self.week_pair = np.array(week_pair, dtype=np.int64)
        self.week_row = np.array(week_row, dtype=np.int64)
        self.capacity = np.array([data.offers[o].capacity for (o, _w) in rows], dtype=np.float64)
        firms = sorted({f for f in firm_of if f >= 0})
        index = {f: n for n, f in enumerate(firms)}
        # Firm -1 (not paying) is the last, with no budget row: its price stays 0.
        self.firm_of = np.array([index.get(f, len(firms)) for f in firm_of], dtype=np.int64)
        self.cost = np.where(pays, caps.cost[kept], 0.0)
        self.budget = np.array([budgets[f] for f in firms], dtype=np.float64)
        self.line_start = np.searchsorted(self.line_of, np.arange(len(units) + 1))

    def dual(self, week_price: np.ndarray, firm_price: np.ndarray) -> float:
        """D(l, m): at least the most S x 100 any plan reaches, for any prices >= 0."""
        charged = np.bincount(self.week_pair, weights=week_price[self.week_row],
                              minlength=self.pairs)
        reduced = self.value - charged - np.append(firm_price, 0.0)[self.firm_of] * self.cost
        order = np.lexsort((-reduced, self.line_of))
        caps = self.cap[order]
        lines = self.line_of[order]
        before = np.cumsum(caps) - caps  # the units of every earlier pair ...
        before -= before[self.line_start[lines]]  # ... on this line's better pairs only
        take = np.clip(self.units[lines] - before, 0.0, caps)
        take[reduced[order] <= 0] = 0.0
        return (float(np.dot(self.capacity, week_price)) + float(np.dot(self.budget, firm_price))
                + float(np.dot(reduced[order], take)))

    def proto(self) -> model_pb2.ModelProto:
        """The flow LP, minimising -sum c x; rows: lines, then weeks, then firms."""
        lines, weeks, firms = len(self.units), len(self.capacity), len(self.budget)
        proto = model_pb2.ModelProto(name="flows")
        proto.variables.ids.extend(range(self.pairs))
        proto.variables.lower_bounds.extend([0.0] * self.pairs)
        proto.variables.upper_bounds.extend(self.cap.tolist())
        proto.variables.integers.extend([False] * self.pairs)
        proto.objective.linear_coefficients.ids.extend(range(self.pairs))
        proto.objective.linear_coefficients.values.extend((-self.value).tolist())
        proto.linear_constraints.ids.extend(range(lines + weeks + firms))
        proto.linear_constraints.lower_bounds.extend([-math.inf] * (lines + weeks + firms))
        proto.linear_constraints.upper_bounds.extend(
            np.concatenate([self.units, self.capacity, self.budget]).tolist())
        paying = np.flatnonzero(self.firm_of < firms)
        row = np.concatenate([self.line_of, lines + self.week_row,
                              lines + weeks + self.firm_of[paying]])
        col = np.concatenate([np.arange(self.pairs), self.week_pair, paying])
        coef = np.concatenate([np.ones(self.pairs), np.ones(len(self.week_pair)),
                               self.cost[paying]])
        order = np.lexsort((col, row))  # MathOpt takes the matrix row by row
        matrix = proto.linear_constraint_matrix
        matrix.row_ids.extend(row[order].tolist())
        matrix.column_ids.extend(col[order].tolist())
        matrix.coefficients.extend(coef[order].tolist())
        return proto

    def lp_prices(self, budget: TimeBudget, seed: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The week and firm prices of the LP's optimum, if it ends in time."""
        if budget.remaining() < MIN_LP_S:
            return None
        model = mathopt.Model.from_model_proto(self.proto())
        params = mathopt.SolveParameters(
            time_limit=dt.timedelta(seconds=max(0.9 * budget.remaining() - 0.02, 0.01)),
            random_seed=seed)
        try:
            result = mathopt.solve(model, mathopt.SolverType.HIGHS, params=params)
        except Exception:  # noqa: BLE001 - HiGHS reports numerical trouble as an error
            return None
        if not result.has_dual_feasible_solution():
            return None
        lines, weeks = len(self.units), len(self.capacity)
        duals = np.zeros(lines + weeks + len(self.budget))
        for constraint, value in result.dual_values().items():
            duals[constraint.id] = value
        # Minimising with <= rows, a binding row's dual is <= 0: its price is minus it.
        prices = np.maximum(-duals, 0.0)
        return prices[lines:lines + weeks], prices[lines + weeks:]


def flow_counts_ceiling(prep: Prepared, budgets: Sequence[float] | None = None,
                        time_limit: float | TimeBudget = 1.0, seed: int = 0) -> int | None:
    """The most S x 100 (coverage counts) any plan of the part reaches, by the flow LP's
    prices; None when the LP did not end within ``time_limit``. ``budgets`` as in
    ceiling.py (the whole ones for a part whose budgets are shares of a split)."""
    data = prep.data
    budgets = data.budgets if budgets is None else tuple(
        max(a, b) for a, b in zip(budgets, data.budgets))
    relaxed = FlowRelaxation(prep, budgets)
    if not relaxed.pairs:
        return 0
    prices = relaxed.lp_prices(TimeBudget.of(time_limit), seed)
    if prices is None:
        return None
    most = relaxed.dual(*prices)
    # S x 100 is a whole number; the float sums may have lost a little on the way.
    return max(math.floor(most + 1e-9 * abs(most) + 1e-6), 0)


def flow_bound(prep: Prepared, scale: Scale, params: RoundParameters,
               budgets: Sequence[float] | None, time_limit: float | TimeBudget) -> float | None:
    """The bound on the part's L that the flow ceiling proves (as ceiling.ceiling_bound:
    rest >= 0, so L >= -w_cov A S); None when the LP did not end in time."""
    counts = flow_counts_ceiling(prep, budgets, time_limit, params.seed)
    if counts is None:
        return None
    return -params.coverage_weight * scale.coverage * counts / 100
