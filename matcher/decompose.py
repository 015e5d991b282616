"""Split a round into parts that can be solved apart, exactly.

A part is a market (markets.py) or several markets joined by a firm whose
budget could bind: the budget row is the only thing that couples a firm's
lines across markets, since fairness is judged per market and every scale of
the objective is fixed for the whole round (objective.py). A firm whose
lines could not exceed its budget even at the dearest tiers couples nothing.
So the parts' optima add up to the round's optimum: decomposition loses no
exactness; only time limits (per part) can make the sum differ.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.markets import union_find
from matcher.prepare import Prepared
from matcher.problem import Line, Pair, ProblemData


@dataclass(frozen=True)
class Part:
    lines: tuple[int, ...]  # indices into the round's lines
    offers: tuple[int, ...]
    pairs: tuple[int, ...]  # the round's usable pairs among them
    problem: ProblemData  # re-indexed: line i of the part is lines[i], and so on


def binding_firms(prep: Prepared) -> set[int]:
    data = prep.data
    most = [0.0] * len(data.budgets)
    for line_index, line in enumerate(data.lines):
        if line.pays_budget and prep.line_pairs[line_index]:
            dearest = max(prep.unit_price(k, t) for k in prep.line_pairs[line_index]
                          for t in prep.pair_tiers[k])
            most[line.firm] += dearest * line.units * len(line.weeks)
    return {f for f, cost in enumerate(most) if cost > data.budgets[f] + 1e-9}


def decompose(prep: Prepared, markets: list[int], split: bool = True) -> list[Part]:
    data = prep.data
    count = max(markets, default=-1) + 1
    if not split:
        groups = [0 if m >= 0 else -1 for m in markets]
    else:
        edges, first = [], {}
        bind = binding_firms(prep)
        for line_index, line in enumerate(data.lines):
            if markets[line_index] >= 0 and line.firm in bind:
                anchor = first.setdefault(line.firm, markets[line_index])
                edges.append((anchor, markets[line_index]))
        roots = union_find(count, edges)
        groups = [roots[m] if m >= 0 else -1 for m in markets]
    members: dict[int, list[int]] = {}
    for line_index, group in enumerate(groups):
        if group >= 0:
            members.setdefault(group, []).append(line_index)
    return [_part(prep, lines) for _, lines in sorted(members.items())]


def _part(prep: Prepared, lines: list[int]) -> Part:
    data = prep.data
    pairs = [k for i in lines for k in prep.line_pairs[i]]
    offers = sorted({data.pairs[k].offer for k in pairs})
    line_at = {i: n for n, i in enumerate(lines)}
    offer_at = {o: n for n, o in enumerate(offers)}
    firms = sorted({data.lines[i].firm for i in lines if data.lines[i].firm >= 0})
    firm_at = {f: n for n, f in enumerate(firms)}
    problem = ProblemData(
        lines=tuple(_line(data.lines[i], firm_at) for i in lines),
        offers=tuple(data.offers[o] for o in offers),
        pairs=tuple(Pair(line_at[p.line], offer_at[p.offer], p.extra_cost, p.pinned, p.previous)
                    for p in (data.pairs[k] for k in pairs)),
        budgets=tuple(data.budgets[f] for f in firms),
    )
    return Part(tuple(lines), tuple(offers), tuple(pairs), problem)


def _line(line: Line, firm_at: dict[int, int]) -> Line:
    if line.firm < 0:
        return line
    return Line(line.units, line.weeks, line.weight, line.max_price, firm_at[line.firm],
                line.pays_budget, line.must_serve)
