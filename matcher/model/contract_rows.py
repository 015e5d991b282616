"""Constraint families of the contracts: tiers, budgets, change, fairness."""

from __future__ import annotations

from matcher.backends.linear import INF, LinearModel
from matcher.model.prepare import Prepared
from matcher.model.variables import BREAKPOINTS, Columns, weight_units


def add_tiers(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # One tier per contract, the one whose volume range holds the contract's volume.
    data = prep.data
    volume: dict[tuple[int, int], tuple[list[int], list[float]]] = {}
    for k, cols_by_tier in c.x.items():
        pair = data.pairs[k]
        for t, col in cols_by_tier:
            if (pair.offer, t) in c.z:
                cols, coefs = volume.setdefault((pair.offer, t), ([], []))
                cols.append(col)
                coefs.append(float(len(data.lines[pair.line].weeks)))
    for o, tiers in enumerate(prep.offer_tiers):
        if not tiers or (o, tiers[0]) not in c.z:
            continue
        m.add_row([c.z[o, t] for t in tiers], [1.0] * len(tiers), -INF, 1.0, "tier_one")
        prices = data.offers[o].tiers
        for position, t in enumerate(tiers):
            cols, coefs = volume.get((o, t), ([], []))
            z = c.z[o, t]
            high = prep.max_volume[o]
            if position + 1 < len(tiers):
                high = min(high, prices[tiers[position + 1]].min_volume - 1)
            if prices[t].min_volume > 0:
                m.add_row(cols + [z], coefs + [-float(prices[t].min_volume)], 0.0, INF,
                          "tier_low")
            m.add_row(cols + [z], coefs + [-float(high)], -INF, 0.0, "tier_high")


def add_tier_links(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # Per pair, units in a tier only when the contract is in that tier: implied by
    # tier_high, but stated per pair it stops the relaxation from buying every unit at
    # the cheapest tier with a sliver of its z (the strong facility-location form
    # again). On the 100-line Modena round it halves the relaxation's coverage gap
    # (1.3 % to 0.64 % above the proven optimum), where budgets bind.
    data = prep.data
    for k, cols_by_tier in c.x.items():
        o = data.pairs[k].offer
        for t, col in cols_by_tier:
            z = c.z.get((o, t))
            if z is not None and m.upper[col] > 0:
                m.add_row([col, z], [1.0, -float(m.upper[col])], -INF, 0.0, "tier_link")


def add_budgets(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # Each firm's unit costs stay within its budget (lines it pays for only).
    data = prep.data
    rows: dict[int, tuple[list[int], list[float]]] = {}
    most: dict[int, float] = {}
    for k, cols_by_tier in c.x.items():
        line = data.lines[data.pairs[k].line]
        if line.pays_budget:
            cols, coefs = rows.setdefault(line.firm, ([], []))
            dearest = 0.0
            for t, col in cols_by_tier:
                cols.append(col)
                coefs.append(prep.unit_price(k, t) * len(line.weeks))
                dearest = max(dearest, coefs[-1] * m.upper[col])
            most[line.firm] = most.get(line.firm, 0.0) + dearest
    for firm in sorted(rows):
        if most[firm] > data.budgets[firm]:  # a budget nothing can exceed needs no row
            cols, coefs = rows[firm]
            c.budget_rows[firm] = m.add_row(cols, coefs, -INF, data.budgets[firm], "budget",
                                            scale=100)


def add_change(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # d >= |units now - units before| on pairs that had units before.
    for k, d in c.d.items():
        before = float(prep.data.pairs[k].previous)
        cols = [col for _, col in c.x[k]]
        ones = [1.0] * len(cols)
        m.add_row([d] + cols, [1.0] + [-1.0] * len(cols), -before, INF, "change_up")
        m.add_row([d] + cols, [1.0] + ones, before, INF, "change_down")


def add_fairness(m: LinearModel, prep: Prepared, c: Columns, pieces: list[list[int]]) -> None:
    # g_k <= K x weighted unit-weeks served: g_k / (K x demand) is min(k/K, coverage),
    # so the penalty phi = 1 - 2/(K+1) sum_k min(k/K, c) falls as g rises (objective.py).
    data = prep.data
    for index, lines in enumerate(pieces):
        cols, coefs = [], []
        for line_index in lines:
            line = data.lines[line_index]
            value = weight_units(line.weight) * len(line.weeks)
            for k in prep.line_pairs[line_index]:
                for _, col in c.x[k]:
                    cols.append(col)
                    coefs.append(-float(BREAKPOINTS * value))
        for g in c.s[index]:
            m.add_row(cols + [g], coefs + [1.0], -INF, 0.0, "fairness")
