"""A quick feasible start: round the LP relaxation down, repair, fill greedily.

MIP solvers find their first good solution late on large parts of a round
(the relaxation is tight, the rounding is not). This gives them one at once:

1. units per pair = the relaxation's units rounded down (pinned units kept);
2. repair to a fixpoint: each offer takes the tier its volume reaches; a
   line that cannot pay that tier leaves; a week below its minimum group
   closes (its lines leave the offer); a firm over budget sheds the units
   that buy least coverage per euro;
3. fill: lines by priority add units where an offer already runs in all
   their weeks with room, at a tier they can pay, within budget.

The answer is checked against every row before it is used; None if it fails.
"""

from __future__ import annotations

import math
from collections import defaultdict

from matcher.linear import LinearModel
from matcher.prepare import Prepared
from matcher.variables import Columns


def round_relaxation(prep: Prepared, c: Columns, m: LinearModel,
                     relaxed: list[float]) -> list[float] | None:
    data = prep.data
    units = {k: max(int(sum(relaxed[col] for _, col in cols) + 1e-6), data.pairs[k].pinned)
             for k, cols in c.x.items()}
    return _finish(prep, c, m, units)


def greedy(prep: Prepared, c: Columns, m: LinearModel) -> list[float] | None:
    """Without any relaxation: each line, by priority, to the offer most lines could
    join (where groups form and discounts come), within capacity; then as above."""
    data = prep.data
    load: dict[tuple[int, int], int] = defaultdict(int)
    units = {k: data.pairs[k].pinned for k in c.x}
    for k, u in units.items():
        for w in data.lines[data.pairs[k].line].weeks:
            load[data.pairs[k].offer, w] += u
    for i in sorted(range(len(data.lines)), key=lambda i: (-data.lines[i].weight, i)):
        line = data.lines[i]
        pairs = [k for k in prep.line_pairs[i] if k in units]
        if not pairs:
            continue
        k = max(pairs, key=lambda k: (prep.max_volume[data.pairs[k].offer], -k))
        o = data.pairs[k].offer
        room = min(data.offers[o].capacity - load[o, w] for w in line.weeks)
        add = max(0, min(line.units - sum(units[q] for q in pairs), room))
        units[k] += add
        for w in line.weeks:
            load[o, w] += add
    return _finish(prep, c, m, units)


def _finish(prep: Prepared, c: Columns, m: LinearModel,
            units: dict[int, int]) -> list[float] | None:
    _repair(prep, units)
    _fill(prep, units)
    _repair(prep, units)
    values = to_columns(prep, c, m, units)
    return values if values is not None and not m.violations(values) else None


def _tiers(prep: Prepared, units: dict[int, int]) -> dict[int, int]:
    volume: dict[int, int] = defaultdict(int)
    for k, u in units.items():
        volume[prep.data.pairs[k].offer] += u * len(prep.data.lines[prep.data.pairs[k].line].weeks)
    return {o: max(t for t in prep.offer_tiers[o]
                   if prep.data.offers[o].tiers[t].min_volume <= v) for o, v in volume.items() if v}


def _loads(prep: Prepared, units: dict[int, int]) -> dict[tuple[int, int], int]:
    loads: dict[tuple[int, int], int] = defaultdict(int)
    for k, u in units.items():
        if u:
            for w in prep.data.lines[prep.data.pairs[k].line].weeks:
                loads[prep.data.pairs[k].offer, w] += u
    return loads


def _repair(prep: Prepared, units: dict[int, int]) -> None:
    data = prep.data
    for _ in range(100):
        changed = False
        tiers = _tiers(prep, units)
        loads = _loads(prep, units)
        spent: dict[int, float] = defaultdict(float)
        for k in sorted(units):
            pair, u = data.pairs[k], units[k]
            if not u:
                continue
            line, offer = data.lines[pair.line], data.offers[pair.offer]
            short = any(loads[pair.offer, w] < offer.min_group for w in line.weeks)
            if (short or tiers[pair.offer] not in prep.pair_tiers[k]) and u > pair.pinned:
                units[k], changed = pair.pinned, True
            elif line.pays_budget:
                spent[line.firm] += u * len(line.weeks) * prep.unit_price(k, tiers[pair.offer])
        for firm, amount in spent.items():
            if amount > data.budgets[firm] + 1e-6:
                changed |= _shed(prep, units, tiers, firm, amount - data.budgets[firm])
        if not changed:
            return


def _shed(prep: Prepared, units: dict[int, int], tiers: dict[int, int], firm: int,
          excess: float) -> bool:
    data = prep.data
    paid = [k for k, u in units.items() if u > data.pairs[k].pinned
            and data.lines[data.pairs[k].line].firm == firm
            and data.lines[data.pairs[k].line].pays_budget]
    paid.sort(key=lambda k: (data.lines[data.pairs[k].line].weight
                             / max(prep.unit_price(k, tiers[data.pairs[k].offer]), 1e-9), k))
    for k in paid:
        if excess <= 1e-6:
            break
        weeks = len(data.lines[data.pairs[k].line].weeks)
        each = prep.unit_price(k, tiers[data.pairs[k].offer]) * weeks
        drop = min(units[k] - data.pairs[k].pinned, math.ceil(excess / max(each, 1e-9) - 1e-9))
        units[k] -= drop
        excess -= drop * each
    return bool(paid)


def _fill(prep: Prepared, units: dict[int, int]) -> None:
    data = prep.data
    tiers, loads = _tiers(prep, units), _loads(prep, units)
    volume: dict[int, int] = defaultdict(int)
    spent: dict[int, float] = defaultdict(float)
    served: dict[int, int] = defaultdict(int)
    for k, u in units.items():
        pair = data.pairs[k]
        line = data.lines[pair.line]
        served[pair.line] += u
        volume[pair.offer] += u * len(line.weeks)
        if u and line.pays_budget:
            spent[line.firm] += u * len(line.weeks) * prep.unit_price(k, tiers[pair.offer])
    for i in sorted(range(len(data.lines)), key=lambda i: (-data.lines[i].weight, i)):
        line = data.lines[i]
        for k in prep.line_pairs[i]:
            o = data.pairs[k].offer
            offer = data.offers[o]
            if o not in tiers or tiers[o] not in prep.pair_tiers[k] or any(
                    loads[o, w] == 0 and offer.min_group > 0 for w in line.weeks):
                continue
            room = min([line.units - served[i]]
                       + [offer.capacity - loads[o, w] for w in line.weeks])
            each = prep.unit_price(k, tiers[o]) * len(line.weeks)
            if line.pays_budget and each > 0:
                room = min(room, int((data.budgets[line.firm] - spent[line.firm]) / each + 1e-9))
            # The contract must stay in its tier, or the others' prices would move.
            upper = [t.min_volume for t in offer.tiers if t.min_volume > volume[o]]
            if upper:
                room = min(room, (upper[0] - 1 - volume[o]) // len(line.weeks))
            if room <= 0:
                continue
            units[k] += room
            served[i] += room
            volume[o] += room * len(line.weeks)
            for w in line.weeks:
                loads[o, w] += room
            if line.pays_budget:
                spent[line.firm] += room * each


def to_columns(prep: Prepared, c: Columns, m: LinearModel,
               units: dict[int, int]) -> list[float] | None:
    """The full column vector of a solution given as units per pair."""
    data = prep.data
    values = [0.0] * m.num_cols
    tiers = _tiers(prep, units)
    for k, u in units.items():
        if u:
            col = dict(c.x[k]).get(tiers[data.pairs[k].offer])
            if col is None:
                return None
            values[col] = float(u)
    for (o, w), col in c.r.items():
        values[col] = 1.0 if any(units.get(k, 0) for k in prep.week_pairs[o, w]) else 0.0
    for (o, t), col in c.z.items():
        values[col] = 1.0 if tiers.get(o) == t else 0.0
    for k, col in c.d.items():
        values[col] = float(abs(units.get(k, 0) - data.pairs[k].previous))
    for row in m.rows_of("fairness"):
        cols, coefs = m.row(row)
        g = next(col for col, a in zip(cols, coefs) if a == 1.0 and m.integer[col] is False)
        values[g] = min(m.upper[g], -sum(a * values[col] for col, a in zip(cols, coefs)
                                         if col != g))
    return values
