"""Making a solution given as units per pair keep every rule, and filling it up.

Used by heuristic.py; each step is plain bookkeeping on units, loads,
volumes and spending, no solver involved, and asks the rules as rules.py states them.
"""

from __future__ import annotations

import math
from collections import defaultdict

from matcher.model import rules
from matcher.model.prepare import Prepared
from matcher.model.rules import contract_tiers, weekly_loads


def repair(prep: Prepared, units: dict[int, int]) -> None:
    data = prep.data
    for _ in range(12):  # enough in practice; a pin that cannot stay is left to the check
        changed = False
        tier_of = contract_tiers(prep, units)
        load = weekly_loads(prep, units)
        spent: dict[int, float] = defaultdict(float)
        # Per firm, its pairs above their pins: what it could shed (gathered here
        # once, not per firm over all pairs: that was hours at 100k lines).
        sheddable: dict[int, list[int]] = defaultdict(list)
        for k in sorted(units):
            pair, u = data.pairs[k], units[k]
            if not u:
                continue
            line, offer = data.lines[pair.line], data.offers[pair.offer]
            short = any(rules.below_minimum(offer, load[pair.offer, w]) for w in line.weeks)
            if (short or not rules.tier_allowed(prep, k, tier_of[pair.offer])) \
                    and u > pair.pinned:
                units[k], changed = pair.pinned, True
            elif line.pays_budget:
                spent[line.firm] += rules.charge(prep, k, u, tier_of[pair.offer])
                if u > pair.pinned:
                    sheddable[line.firm].append(k)
        for firm, amount in spent.items():
            if rules.over_budget(data, firm, amount):
                changed |= shed(prep, units, tier_of, sheddable[firm],
                                amount - data.budgets[firm])
        if not changed:
            return


def shed(prep: Prepared, units: dict[int, int], tier_of: dict[int, int], paid: list[int],
         excess: float) -> bool:
    """Drop units of a firm's ``paid`` pairs (above their pins), least coverage per euro
    first, until ``excess`` euro are saved."""
    data = prep.data
    paid = sorted(paid, key=lambda k: (data.lines[data.pairs[k].line].weight
                                       / max(prep.unit_price(k, tier_of[data.pairs[k].offer]),
                                             1e-9), k))
    for k in paid:
        if excess <= rules.BUDGET_SLACK:
            break
        weeks = len(data.lines[data.pairs[k].line].weeks)
        each = prep.unit_price(k, tier_of[data.pairs[k].offer]) * weeks
        drop = min(units[k] - data.pairs[k].pinned, math.ceil(excess / max(each, 1e-9) - 1e-9))
        units[k] -= drop
        excess -= drop * each
    return bool(paid)


def fill(prep: Prepared, units: dict[int, int]) -> None:
    data = prep.data
    tier_of, load = contract_tiers(prep, units), weekly_loads(prep, units)
    volume: dict[int, int] = defaultdict(int)
    spent: dict[int, float] = defaultdict(float)
    served: dict[int, int] = defaultdict(int)
    for k, u in units.items():
        pair = data.pairs[k]
        line = data.lines[pair.line]
        served[pair.line] += u
        volume[pair.offer] += u * len(line.weeks)
        if u and line.pays_budget:
            spent[line.firm] += rules.charge(prep, k, u, tier_of[pair.offer])
    for i in sorted(range(len(data.lines)), key=lambda i: (-data.lines[i].weight, i)):
        line = data.lines[i]
        for k in prep.line_pairs[i]:
            o = data.pairs[k].offer
            offer = data.offers[o]
            if o not in tier_of or not rules.tier_allowed(prep, k, tier_of[o]) or any(
                    rules.closed(offer, load[o, w]) for w in line.weeks):
                continue
            room = min([line.units - served[i]]
                       + [rules.room(offer, load[o, w]) for w in line.weeks])
            each = prep.unit_price(k, tier_of[o]) * len(line.weeks)
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
                load[o, w] += room
            if line.pays_budget:
                spent[line.firm] += room * each
