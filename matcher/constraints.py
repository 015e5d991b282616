"""One function per constraint family; each writes its rows and nothing else.

Row families are named so that tests (and a curious reader of a model) can
find them: demand, pinned, capacity, min_group, linking, tier_one, tier_low,
tier_high, budget, change_up, change_down, fairness.
"""

from __future__ import annotations

from matcher.linear import INF, LinearModel
from matcher.prepare import Prepared
from matcher.variables import BREAKPOINTS, Columns, weight_units


def add_demand(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # A line is served at most once per unit (exactly, if it must be served).
    for line_index, line in enumerate(prep.data.lines):
        cols = [col for k in prep.line_pairs[line_index] for _, col in c.x[k]]
        lower = line.units if line.must_serve else -INF
        if cols or line.must_serve:
            m.add_row(cols, [1.0] * len(cols), lower, line.units, "demand")


def add_pinned(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # Accepted units stay on their offer, whatever tier the contract ends in.
    for k, pair in enumerate(prep.data.pairs):
        if pair.pinned > 0:
            cols = [col for _, col in c.x.get(k, [])]
            m.add_row(cols, [1.0] * len(cols), pair.pinned, INF, "pinned")


def add_load(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # Per offer and week: not running, or load between the minimum group and the capacity.
    # Continuity needs no row: a pair's units count in every week of the line.
    for (o, w), pairs in prep.week_pairs.items():
        offer = prep.data.offers[o]
        cols = [col for k in pairs for _, col in c.x[k]]
        ones = [1.0] * len(cols)
        run = c.r.get((o, w))
        if run is None:
            m.add_row(cols, ones, -INF, offer.capacity, "capacity")
            continue
        m.add_row(cols + [run], ones + [-float(offer.capacity)], -INF, 0.0, "capacity")
        if offer.min_group > 0:
            m.add_row(cols + [run], ones + [-float(offer.min_group)], 0.0, INF, "min_group")


def add_linking(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # A pair carries units only in weeks its offer runs (implied by capacity, but
    # stated per pair it tightens the relaxation a great deal: the classic strong
    # facility-location inequality).
    for k, cols_by_tier in c.x.items():
        pair = prep.data.pairs[k]
        top = min(prep.data.lines[pair.line].units, prep.data.offers[pair.offer].capacity)
        cols = [col for _, col in cols_by_tier]
        for w in prep.data.lines[pair.line].weeks:
            run = c.r.get((pair.offer, w))
            if run is not None:
                m.add_row(cols + [run], [1.0] * len(cols) + [-float(top)], -INF, 0.0, "linking")


def add_tier_linking(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # A pair carries units at a tier only if the contract is in that tier (implied by
    # the volume rows, but per pair it tells the relaxation that a discount needs
    # the whole tier's volume: min_volume x units / top <= volume).
    for k, cols_by_tier in c.x.items():
        pair = prep.data.pairs[k]
        top = min(prep.data.lines[pair.line].units, prep.data.offers[pair.offer].capacity)
        for t, col in cols_by_tier:
            z = c.z.get((pair.offer, t))
            if z is not None:
                m.add_row([col, z], [1.0, -float(top)], -INF, 0.0, "tier_link")


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
