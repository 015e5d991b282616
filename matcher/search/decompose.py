"""Split a round into parts that can be solved apart.

A part is a market (markets.py) or several markets joined by a firm whose
budget could bind: the budget row is the only thing that couples a firm's
lines across markets, since fairness is judged per market and every scale of
the objective is fixed for the whole round (objective.py). A firm whose
lines could not exceed its budget even at the dearest tiers couples nothing.
So far the parts' optima add up to the round's optimum exactly.

Joining stops where a part would exceed ``max_pairs`` (set from the time
limit in solve.py; large rounds whose firms span many markets would
otherwise become one part too big to solve in time). A firm left spanning
parts has its budget *split*: each part gets what its pins could cost, and a
share of the rest in proportion to what the firm's other units there could
cost at their cheapest, and must keep to it.
That is feasible but may be less than the optimum; how far, the result's
bound says: the bound of such a part comes from its relaxation with the
firm's whole budget, valid for the round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.model.prepare import Prepared
from matcher.model.problem import Line, ProblemData, gc_paused, many_pairs


@dataclass(frozen=True)
class Part:
    lines: tuple[int, ...]  # indices into the round's lines
    offers: tuple[int, ...]
    pairs: tuple[int, ...]  # the round's usable pairs among them
    problem: ProblemData  # re-indexed: line i of the part is lines[i], and so on
    whole_budgets: tuple[float, ...] = ()  # per firm of the part, before any split
    split_firms: int = 0  # firms of the part whose budget is split with other parts


def part_weight(part: Part) -> int:
    """How much time a part deserves: about the size of its relaxation (a pair has a
    linking row per week of its line), and a floor."""
    data = part.problem
    return sum(len(data.lines[p.line].weeks) for p in data.pairs) + 100


def binding_firms(prep: Prepared, dearest: list[float] | None = None) -> set[int]:
    data = prep.data
    dearest = line_prices(prep)[1] if dearest is None else dearest
    most = [0.0] * len(data.budgets)
    for line_index, line in enumerate(data.lines):
        if line.pays_budget and prep.line_pairs[line_index]:
            most[line.firm] += dearest[line_index] * line.units * len(line.weeks)
    return {f for f, cost in enumerate(most) if cost > data.budgets[f] + 1e-9}


def line_prices(prep: Prepared) -> tuple[list[float], list[float]]:
    """Per line, the cheapest and the dearest unit price over its usable pairs and the
    tiers each may pay; 0.0 where there is none (a pin priced out, or no pair)."""
    data = prep.data
    n_pairs = len(data.pairs)
    most_tiers = max((len(o.tiers) for o in data.offers), default=1)
    price = np.full((len(data.offers), most_tiers), np.nan)
    for o, offer in enumerate(data.offers):
        price[o, :len(offer.tiers)] = [t.price for t in offer.tiers]
    pairs = np.fromiter((k for pairs in prep.line_pairs for k in pairs), np.int64)
    lines = np.repeat(np.arange(len(data.lines)), [len(v) for v in prep.line_pairs])
    # One row per (usable pair, tier it may pay).
    tiers_of = [prep.pair_tiers[k] for k in pairs.tolist()]
    rows = np.repeat(np.arange(len(pairs)), [len(t) for t in tiers_of])
    tier = np.fromiter((t for ts in tiers_of for t in ts), np.int64, len(rows))
    offer = np.fromiter((p.offer for p in data.pairs), np.int64, n_pairs)[pairs]
    extra = np.fromiter((p.extra_cost for p in data.pairs), np.float64, n_pairs)[pairs]
    unit = price[offer[rows], tier] + extra[rows]  # Prepared.unit_price, row by row
    cheapest = np.full(len(data.lines), np.inf)
    dearest = np.full(len(data.lines), -np.inf)
    np.minimum.at(cheapest, lines[rows], unit)
    np.maximum.at(dearest, lines[rows], unit)
    priced = np.bincount(lines[rows], minlength=len(data.lines)) > 0
    return (np.where(priced, cheapest, 0.0).tolist(), np.where(priced, dearest, 0.0).tolist())


def decompose(prep: Prepared, markets: list[int], split: bool = True,
              max_pairs: int = 4000) -> list[Part]:
    with gc_paused():
        return _decompose(prep, markets, split, max_pairs)


def _decompose(prep: Prepared, markets: list[int], split: bool, max_pairs: int) -> list[Part]:
    count = max(markets, default=-1) + 1
    cheapest, dearest = line_prices(prep)
    binding = binding_firms(prep, dearest)
    if not split:
        groups = [0 if m >= 0 else -1 for m in markets]
    else:
        groups = _join(prep, markets, count, max_pairs, binding)
    members: dict[int, list[int]] = {}
    for line_index, group in enumerate(groups):
        if group >= 0:
            members.setdefault(group, []).append(line_index)
    shares = _shares(prep, groups, binding, cheapest)
    return _parts(prep, sorted(members.items()), shares)


def _join(prep: Prepared, markets: list[int], count: int, max_pairs: int,
          binding: set[int]) -> list[int]:
    # Union markets firm by firm (in firm order), as long as parts stay small.
    data = prep.data
    size = [0] * count
    for line_index, m in enumerate(markets):
        if m >= 0:
            size[m] += len(prep.line_pairs[line_index])
    spans: dict[int, list[int]] = {}
    for line_index, line in enumerate(data.lines):
        if markets[line_index] >= 0 and line.pays_budget:
            spans.setdefault(line.firm, []).append(markets[line_index])
    parent = list(range(count))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for firm in sorted(binding & set(spans)):
        roots = sorted({root(m) for m in spans[firm]})
        if len(roots) > 1 and sum(size[r] for r in roots) <= max_pairs:
            for r in roots[1:]:
                parent[r] = roots[0]
                size[roots[0]] += size[r]
    return [root(m) if m >= 0 else -1 for m in markets]


def _shares(prep: Prepared, groups: list[int], binding: set[int],
            cheapest_price: list[float]) -> dict[tuple[int, int], float]:
    """(firm, group) -> budget share, for firms whose budget could bind and whose
    paying lines span groups (any other firm keeps its whole budget everywhere).

    Pinned units are paid first: each group's share starts with what its pins
    could cost at their dearest tier (at their cheapest, if the dearest do not all
    fit the budget). Only the rest is split in proportion to what the unpinned
    units could cost at their cheapest. A split by cheapest costs alone once gave
    a part less than its pins cost, and the whole round came back infeasible
    (issue 12), although the firm's budget paid for them.
    """
    data = prep.data
    cheapest: dict[tuple[int, int], float] = {}  # cost of the unpinned units
    pins_dearest: dict[tuple[int, int], float] = {}
    pins_cheapest: dict[tuple[int, int], float] = {}
    for line_index, line in enumerate(data.lines):
        if groups[line_index] < 0 or not line.pays_budget or line.firm not in binding:
            continue
        key = (line.firm, groups[line_index])
        pairs = prep.line_pairs[line_index]
        price = cheapest_price[line_index]
        pinned = 0
        for k in pairs:
            units = data.pairs[k].pinned
            if units > 0:
                pinned += units
                prices = [prep.unit_price(k, t) for t in prep.pair_tiers[k]] or [0.0]
                unit_weeks = units * len(line.weeks)
                pins_dearest[key] = pins_dearest.get(key, 0.0) + max(prices) * unit_weeks
                pins_cheapest[key] = pins_cheapest.get(key, 0.0) + min(prices) * unit_weeks
        free = max(line.units - pinned, 0)
        cheapest[key] = cheapest.get(key, 0.0) + price * free * len(line.weeks)
    per_firm: dict[int, list[tuple[int, int]]] = {}
    for key in cheapest:
        per_firm.setdefault(key[0], []).append(key)
    shares = {}
    for firm, keys in per_firm.items():
        if len(keys) > 1:
            budget = round(data.budgets[firm] * 100)  # in cents, like every amount
            reserve = {key: round(pins_dearest.get(key, 0.0) * 100) for key in keys}
            if sum(reserve.values()) > budget:
                reserve = {key: round(pins_cheapest.get(key, 0.0) * 100) for key in keys}
            reserved = sum(reserve.values())
            if reserved > budget:  # the pins cannot all be paid: the shares still add up
                reserve = {key: reserve[key] * budget // reserved for key in keys}
            rest = max(budget - sum(reserve.values()), 0)
            total = sum(cheapest[k] for k in keys)
            for key in keys:  # the rest rounded down to the cent: never more than the budget
                portion = cheapest[key] / total if total > 0 else 1 / len(keys)
                shares[key] = (reserve[key] + int(rest * portion)) / 100
    return shares


def _parts(prep: Prepared, groups: list[tuple[int, list[int]]],
           shares: dict[tuple[int, int], float]) -> list[Part]:
    data = prep.data
    pair_line = [p.line for p in data.pairs]
    pair_offer = [p.offer for p in data.pairs]
    line_at = [0] * len(data.lines)  # a line's position in its part
    for _group, lines in groups:
        for n, i in enumerate(lines):
            line_at[i] = n
    return [_part(prep, lines, shares, group, pair_line, pair_offer, line_at)
            for group, lines in groups]


def _part(prep: Prepared, lines: list[int], shares: dict[tuple[int, int], float], group: int,
          pair_line: list[int], pair_offer: list[int], line_at: list[int]) -> Part:
    data = prep.data
    pairs = [k for i in lines for k in prep.line_pairs[i]]
    offers = sorted({pair_offer[k] for k in pairs})
    offer_at = {o: n for n, o in enumerate(offers)}
    firms = sorted({data.lines[i].firm for i in lines if data.lines[i].firm >= 0})
    firm_at = {f: n for n, f in enumerate(firms)}
    whole = tuple(data.budgets[f] for f in firms)
    budgets = tuple(shares.get((f, group), data.budgets[f]) for f in firms)
    chosen = [data.pairs[k] for k in pairs]
    problem = ProblemData.trusted(
        lines=tuple(_line(data.lines[i], firm_at) for i in lines),
        offers=tuple(data.offers[o] for o in offers),
        pairs=many_pairs([line_at[pair_line[k]] for k in pairs],
                         [offer_at[pair_offer[k]] for k in pairs],
                         [p.extra_cost for p in chosen], [p.pinned for p in chosen],
                         [p.previous for p in chosen]),
        budgets=budgets,
    )
    return Part(tuple(lines), tuple(offers), tuple(pairs), problem, whole,
                sum(1 for a, b in zip(budgets, whole) if a != b))


def _line(line: Line, firm_at: dict[int, int]) -> Line:
    if line.firm < 0:
        return line
    return Line(line.units, line.weeks, line.weight, line.max_price, firm_at[line.firm],
                line.pays_budget, line.must_serve)
