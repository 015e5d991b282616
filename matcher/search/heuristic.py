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

from collections import defaultdict

from matcher.backends.linear import LinearModel
from matcher.model.prepare import Prepared
from matcher.model.rules import contract_tiers
from matcher.model.variables import Columns
from matcher.search.repair import fill, repair


def round_relaxation(prep: Prepared, c: Columns, m: LinearModel,
                     relaxed: list[float]) -> list[float] | None:
    data = prep.data
    units = {k: max(int(sum(relaxed[col] for _, col in cols) + 1e-6), data.pairs[k].pinned)
             for k, cols in c.x.items()}
    return _finish(prep, c, m, units)


def greedy(prep: Prepared, c: Columns, m: LinearModel) -> list[float] | None:
    """The greedy solution (``greedy_units``) as the model's columns, if it keeps every row."""
    values = to_columns(prep, c, m, greedy_units(prep))
    return values if values is not None and not m.violations(values) else None


def greedy_units(prep: Prepared) -> dict[int, int]:
    """Without any relaxation: each line, by priority, to the offer most lines could
    join (where groups form and discounts come), spilling to the next offers when it is
    full, within capacity; then repaired and
    filled as above. Units per usable pair; no model needed (quick.py)."""
    data = prep.data
    load: dict[tuple[int, int], int] = defaultdict(int)
    units = {k: data.pairs[k].pinned for k, usable in enumerate(prep.usable) if usable}
    for k, u in units.items():
        for w in data.lines[data.pairs[k].line].weeks:
            load[data.pairs[k].offer, w] += u
    for i in sorted(range(len(data.lines)), key=lambda i: (-data.lines[i].weight, i)):
        line = data.lines[i]
        pairs = [k for k in prep.line_pairs[i] if k in units]
        if not pairs:
            continue
        need = line.units - sum(units[q] for q in pairs)
        # The offer most lines could join first; what it has no room for, to the next.
        for k in sorted(pairs, key=lambda k: (-prep.max_volume[data.pairs[k].offer], k)):
            if need <= 0:
                break
            o = data.pairs[k].offer
            add = max(0, min(need, min(data.offers[o].capacity - load[o, w] for w in line.weeks)))
            units[k] += add
            need -= add
            for w in line.weeks:
                load[o, w] += add
    _repair_and_fill(prep, units)
    return units


def _finish(prep: Prepared, c: Columns, m: LinearModel,
            units: dict[int, int]) -> list[float] | None:
    _repair_and_fill(prep, units)
    values = to_columns(prep, c, m, units)
    return values if values is not None and not m.violations(values) else None


def _repair_and_fill(prep: Prepared, units: dict[int, int]) -> None:
    repair(prep, units)
    fill(prep, units)
    repair(prep, units)


def to_columns(prep: Prepared, c: Columns, m: LinearModel,
               units: dict[int, int]) -> list[float] | None:
    """The full column vector of a solution given as units per pair."""
    data = prep.data
    values = [0.0] * m.num_cols
    by_offer = contract_tiers(prep, units)
    for k, u in units.items():
        if u:
            col = dict(c.x[k]).get(by_offer[data.pairs[k].offer])
            if col is None:
                return None
            values[col] = float(u)
    for (o, w), col in c.r.items():
        values[col] = 1.0 if any(units.get(k, 0) for k in prep.week_pairs[o, w]) else 0.0
    for (o, t), col in c.z.items():
        values[col] = 1.0 if by_offer.get(o) == t else 0.0
    for k, col in c.d.items():
        values[col] = float(abs(units.get(k, 0) - data.pairs[k].previous))
    for row in m.rows_of("fairness"):
        cols, coefs = m.row(row)
        g = next(col for col, a in zip(cols, coefs) if a == 1.0 and m.integer[col] is False)
        values[g] = min(m.upper[g], -sum(a * values[col] for col, a in zip(cols, coefs)
                                         if col != g))
    return values
