"""Everything the model needs, derived from a ProblemData before any variable exists.

The one non-obvious step is the fixpoint that drops pairs nobody can use:
a pair is unusable if no reachable tier is within the line's maximum price,
or if one of the line's weeks can never reach the offer's minimum group
(even with every compatible unit there). Dropping pairs lowers other weeks'
potential loads and volumes, so this repeats until nothing changes. Pinned
pairs are never dropped: keeping them is the model's job (or infeasible);
they still pay no more than the line's maximum price.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from matcher.model.problem import ProblemData

PRICE, GROUP = "price", "group"


@dataclass(frozen=True)
class Prepared:
    data: ProblemData
    usable: tuple[bool, ...]  # per pair
    dropped: dict[int, str]  # pair -> PRICE or GROUP, why it was dropped
    pair_tiers: tuple[tuple[int, ...], ...]  # per pair: tiers the line may be charged
    offer_tiers: tuple[tuple[int, ...], ...]  # per offer: tiers reachable by its volume
    max_volume: tuple[int, ...]  # per offer: unit-weeks it could carry at most
    week_pairs: dict[tuple[int, int], tuple[int, ...]]  # (offer, week) -> usable pairs
    potential: dict[tuple[int, int], int]  # (offer, week) -> units if every usable pair came
    line_pairs: tuple[tuple[int, ...], ...]  # per line: usable pairs

    def unit_price(self, pair: int, tier: int) -> float:
        """What one unit-week of the pair costs when its offer is in ``tier``."""
        p = self.data.pairs[pair]
        return self.data.offers[p.offer].tiers[tier].price + p.extra_cost


def prepare(data: ProblemData) -> Prepared:
    usable = [True] * len(data.pairs)
    dropped: dict[int, str] = {}
    of_offer: list[list[int]] = [[] for _ in data.offers]
    for k, pair in enumerate(data.pairs):
        of_offer[pair.offer].append(k)
    loads: dict[tuple[int, int], int] = defaultdict(int)
    for pair in data.pairs:
        units = data.lines[pair.line].units
        for week in data.lines[pair.line].weeks:
            loads[pair.offer, week] += units
    offer_tiers: list[list[int]] = [[] for _ in data.offers]
    pair_tiers: list[list[int]] = [[] for _ in data.pairs]
    # Dropping a pair only lowers its own offer's loads and volume: a worklist of
    # offers reaches the same (greatest) fixpoint as sweeping everything again.
    queue = list(range(len(data.offers)))
    queued = set(queue)
    while queue:
        o = heapq.heappop(queue)
        queued.discard(o)
        offer_tiers[o] = _reachable(data, o, _volume(data, o, loads))
        for k in of_offer[o]:
            if not usable[k]:
                continue
            pair_tiers[k] = _affordable(data, k, offer_tiers)
            if data.pairs[k].pinned > 0:
                continue
            why = PRICE if not pair_tiers[k] else _group_short(data, k, loads)
            if why:
                usable[k], dropped[k] = False, why
                for week in data.lines[data.pairs[k].line].weeks:
                    loads[o, week] -= data.lines[data.pairs[k].line].units
                if o not in queued:
                    heapq.heappush(queue, o)
                    queued.add(o)
    week_pairs = _week_pairs(data, usable)
    loads = {key: loads[key] for key in week_pairs}
    line_pairs: list[list[int]] = [[] for _ in data.lines]
    for k, pair in enumerate(data.pairs):
        if usable[k]:
            line_pairs[pair.line].append(k)
    return Prepared(
        data=data,
        usable=tuple(usable),
        dropped=dropped,
        pair_tiers=tuple(tuple(t) if usable[k] else () for k, t in enumerate(pair_tiers)),
        offer_tiers=tuple(tuple(t) for t in offer_tiers),
        max_volume=tuple(_volume(data, o, loads) for o in range(len(data.offers))),
        week_pairs={key: tuple(v) for key, v in week_pairs.items()},
        potential=loads,
        line_pairs=tuple(tuple(v) for v in line_pairs),
    )


def _week_pairs(data: ProblemData, usable: list[bool]) -> dict[tuple[int, int], list[int]]:
    result: dict[tuple[int, int], list[int]] = defaultdict(list)
    lines = data.lines
    for k, pair in enumerate(data.pairs):
        if usable[k]:
            offer = pair.offer
            for week in lines[pair.line].weeks:
                result[offer, week].append(k)
    return {key: result[key] for key in sorted(result)}


def _volume(data: ProblemData, offer: int, loads: dict[tuple[int, int], int]) -> int:
    # One unit in one week is one unit-week: the volume is bounded week by week.
    cap = data.offers[offer].capacity
    return sum(min(loads.get((offer, w), 0), cap) for w in data.offers[offer].weeks)


def _reachable(data: ProblemData, offer: int, max_volume: int) -> list[int]:
    return [t for t, tier in enumerate(data.offers[offer].tiers) if tier.min_volume <= max_volume]


def _affordable(data: ProblemData, k: int, offer_tiers: list[list[int]]) -> list[int]:
    pair = data.pairs[k]
    limit = data.lines[pair.line].max_price + 1e-9
    tiers = data.offers[pair.offer].tiers
    return [t for t in offer_tiers[pair.offer] if tiers[t].price + pair.extra_cost <= limit]


def _group_short(data: ProblemData, k: int, loads: dict[tuple[int, int], int]) -> str | None:
    pair = data.pairs[k]
    group = data.offers[pair.offer].min_group
    if group and any(loads[pair.offer, w] < group for w in data.lines[pair.line].weeks):
        return GROUP
    return None
