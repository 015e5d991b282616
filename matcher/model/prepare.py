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

import numpy as np

from matcher.model.problem import ProblemData, gc_paused

PRICE, GROUP = "price", "group"
# From this many pairs on, prepare() works on arrays (_prepare_arrays); below it the
# plain loops are quicker. Both give the same Prepared (test_index_equivalence.py).
ARRAYS_FROM_PAIRS = 5000


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
    if (len(data.pairs) < ARRAYS_FROM_PAIRS
            or max((len(o.tiers) for o in data.offers), default=0) > 62):  # (tiers as bits)
        return _prepare_loops(data)
    with gc_paused():
        return _prepare_arrays(data)


def _prepare_loops(data: ProblemData) -> Prepared:
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


def _prepare_arrays(data: ProblemData) -> Prepared:
    """prepare() on numpy arrays: the same fixpoint, in passes over every offer at once.

    Dropping a pair changes only its own offer's loads and volume, and the loops
    above take each offer through passes (tiers from its volume, then each pair in
    order) until a pass drops nothing. Within a pass, which pairs fail their price
    depends only on the tiers at its start; only a group check depends on the pairs
    dropped before it. So a pass is done for all offers at once whenever no pair
    could fall short of a group even after every price drop of the pass: then the
    pass drops exactly those. An offer where one could is handed to the loops
    (_settle) from that pass on, in offer order: 178 offers of 21,121 at 100k
    lines. The per-week lists are cut from one sorted array.
    """
    lines, offers, pairs = data.lines, data.offers, data.pairs
    n_pairs, n_offers = len(pairs), len(offers)
    p_line = np.fromiter((p.line for p in pairs), np.int64, n_pairs)
    p_offer = np.fromiter((p.offer for p in pairs), np.int64, n_pairs)
    p_extra = np.fromiter((p.extra_cost for p in pairs), np.float64, n_pairs)
    p_pinned = np.fromiter((p.pinned for p in pairs), np.int64, n_pairs)
    l_units = np.fromiter((line.units for line in lines), np.int64, len(lines))
    l_limit = np.fromiter((line.max_price for line in lines), np.float64, len(lines)) + 1e-9
    l_count = np.fromiter((len(line.weeks) for line in lines), np.int64, len(lines))
    l_weeks = np.fromiter((w for line in lines for w in line.weeks), np.int64,
                          int(l_count.sum()))
    n_weeks = int(l_weeks.max()) + 1 if len(l_weeks) else 1
    # One row per (pair, week of its line), in pair order; a pair's rows are contiguous.
    repeat = l_count[p_line]
    row_start = np.cumsum(repeat) - repeat
    l_start = np.cumsum(l_count) - l_count
    within, pw_pair = _rows(np.zeros(n_pairs, np.int64), repeat)  # (the n-th week of its line)
    pw_key = p_offer[pw_pair] * n_weeks + l_weeks[l_start[p_line[pw_pair]] + within]
    pw_units = l_units[p_line[pw_pair]]  # (offer, week) as one number, and the units
    del within
    size = n_offers * n_weeks
    loads = np.bincount(pw_key, weights=pw_units, minlength=size).astype(np.int64)
    capacity = np.fromiter((o.capacity for o in offers), np.int64, n_offers)
    group = np.fromiter((o.min_group for o in offers), np.int64, n_offers)
    runs = np.zeros((n_offers, n_weeks), bool)  # the offer's weeks (beyond them no load)
    for o, offer in enumerate(offers):
        runs[o, [w for w in offer.weeks if w < n_weeks]] = True
    most_tiers = max((len(o.tiers) for o in offers), default=1)
    t_volume = np.full((n_offers, most_tiers), np.iinfo(np.int64).max, np.int64)
    t_price = np.full((n_offers, most_tiers), np.inf)
    for o, offer in enumerate(offers):
        t_volume[o, :len(offer.tiers)] = [t.min_volume for t in offer.tiers]
        t_price[o, :len(offer.tiers)] = [t.price for t in offer.tiers]
    bits = 1 << np.arange(most_tiers, dtype=np.int64)
    group_of_key = np.repeat(group, n_weeks)

    usable = np.ones(n_pairs, bool)
    codes = np.zeros(n_pairs, np.int64)  # a pair's affordable tiers as bits
    offer_codes = np.zeros(n_offers, np.int64)
    active = np.ones(n_offers, bool)  # offers whose passes go on here
    handed = np.zeros(n_offers, bool)  # offers whose passes go on in _settle
    drops: list[np.ndarray] = []  # per pass, the pairs it dropped for their price
    live = np.arange(n_pairs)  # usable pairs of active offers
    while active.any():
        reach = t_volume <= _volumes(loads.reshape(n_offers, n_weeks), capacity, runs)[:, None]
        offer_codes[active] = reach[active].astype(np.int64) @ bits
        lo = p_offer[live]
        fits = reach[lo] & (t_price[lo] + p_extra[live, None] <= l_limit[p_line[live]][:, None])
        codes[live] = fits.astype(np.int64) @ bits
        free = p_pinned[live] <= 0
        priced_out = live[free & (codes[live] == 0)]
        # The loads once every price drop of the pass is made: no lower within the pass.
        rows, _owner = _rows(row_start[priced_out], repeat[priced_out])
        lowest = loads - np.bincount(pw_key[rows], weights=pw_units[rows],
                                     minlength=size).astype(np.int64)
        checked = live[free & (codes[live] != 0) & (group[lo] > 0)]
        rows, owner = _rows(row_start[checked], repeat[checked])
        short = lowest[pw_key[rows]] < group_of_key[pw_key[rows]]
        at_risk = np.unique(p_offer[checked[owner[short]]])
        handed[at_risk] = True
        active[at_risk] = False
        priced_out = priced_out[active[p_offer[priced_out]]]
        usable[priced_out] = False
        rows, _owner = _rows(row_start[priced_out], repeat[priced_out])
        loads -= np.bincount(pw_key[rows], weights=pw_units[rows],
                             minlength=size).astype(np.int64)
        drops.append(priced_out)
        still = np.zeros(n_offers, bool)
        still[p_offer[priced_out]] = True
        active &= still  # an offer whose pass dropped nothing is settled
        live = live[usable[live] & active[p_offer[live]]]

    as_tiers = _Tiers()
    pair_tiers = [as_tiers[c] for c in codes.tolist()]
    offer_tiers = [as_tiers[c] for c in offer_codes.tolist()]
    dropped_by_offer: dict[int, list[tuple[int, str]]] = {}
    for priced_out in drops:  # passes in order, pairs in order within each
        for o, k in zip(p_offer[priced_out].tolist(), priced_out.tolist()):
            dropped_by_offer.setdefault(o, []).append((k, PRICE))
    usable_list = usable.tolist()
    loads = loads.reshape(n_offers, n_weeks)
    handed_offers = np.flatnonzero(handed).tolist()
    if handed_offers:
        order = np.argsort(p_offer, kind="stable")
        sorted_offers = p_offer[order]
        starts = np.searchsorted(sorted_offers, handed_offers).tolist()
        ends = np.searchsorted(sorted_offers, handed_offers, side="right").tolist()
        order_list = order.tolist()
        for o, a, b in zip(handed_offers, starts, ends):
            load = loads[o].tolist()
            settled = dropped_by_offer.setdefault(o, [])
            offer_tiers[o] = _settle(data, o, order_list[a:b], load, usable_list, settled,
                                     pair_tiers)
            loads[o] = load
        usable = np.array(usable_list, bool)
    dropped = {k: why for o in sorted(dropped_by_offer) for k, why in dropped_by_offer[o]}
    pair_tiers = [t if ok else () for t, ok in zip(pair_tiers, usable_list)]

    # Per (offer, week), the usable pairs in pair order, keys sorted.
    kept = usable[pw_pair]
    keys, members = pw_key[kept], pw_pair[kept]
    order = np.argsort(keys, kind="stable")
    keys, members = keys[order], members[order].tolist()
    firsts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
    bounds = firsts.tolist() + [len(members)]
    key_offer, key_week = np.divmod(keys[firsts], n_weeks)
    week_keys = list(zip(key_offer.tolist(), key_week.tolist()))
    week_pairs = {key: tuple(members[bounds[n]:bounds[n + 1]])
                  for n, key in enumerate(week_keys)}
    potential = dict(zip(week_keys, loads.reshape(-1)[keys[firsts]].tolist()))
    # Per line, its usable pairs in pair order.
    kept_pairs = np.flatnonzero(usable)
    by_line = kept_pairs[np.argsort(p_line[kept_pairs], kind="stable")].tolist()
    counts = np.bincount(p_line[kept_pairs], minlength=len(lines)).tolist()
    line_pairs, at = [], 0
    for count in counts:
        line_pairs.append(tuple(by_line[at:at + count]))
        at += count
    return Prepared(
        data=data,
        usable=tuple(usable_list),
        dropped=dropped,
        pair_tiers=tuple(pair_tiers),
        offer_tiers=tuple(offer_tiers),
        max_volume=tuple(_volumes(loads, capacity, runs).tolist()),
        week_pairs=week_pairs,
        potential=potential,
        line_pairs=tuple(line_pairs),
    )


def _rows(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows starts[n] .. starts[n] + counts[n] - 1, one after another; and n per row."""
    owner = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return np.repeat(starts, counts) + np.arange(len(owner)) - first[owner], owner


class _Tiers(dict):
    """Tier indices per bit pattern, each tuple built once."""

    def __missing__(self, code: int) -> tuple[int, ...]:
        self[code] = tuple(t for t in range(code.bit_length()) if code >> t & 1)
        return self[code]


def _volumes(loads: np.ndarray, capacity: np.ndarray, runs: np.ndarray) -> np.ndarray:
    return (np.minimum(loads, capacity[:, None]) * runs).sum(axis=1)


def _settle(data: ProblemData, o: int, of_offer: list[int], load: list[int], usable: list[bool],
            dropped: list[tuple[int, str]], pair_tiers: list[tuple[int, ...]]) -> tuple[int, ...]:
    """The loops' passes over one offer until it drops nothing; its reachable tiers."""
    lines, pairs = data.lines, data.pairs
    offer = data.offers[o]
    tiers, cap, group = offer.tiers, offer.capacity, offer.min_group
    weeks = [w for w in offer.weeks if w < len(load)]
    while True:
        volume = sum(min(load[w], cap) for w in weeks)
        reachable = [t for t, tier in enumerate(tiers) if tier.min_volume <= volume]
        changed = False
        for k in of_offer:
            if not usable[k]:
                continue
            pair, line = pairs[k], lines[pairs[k].line]
            limit = line.max_price + 1e-9
            pair_tiers[k] = tuple(t for t in reachable if tiers[t].price + pair.extra_cost <= limit)
            if pair.pinned > 0:
                continue
            if not pair_tiers[k]:
                why = PRICE
            elif group and any(load[w] < group for w in line.weeks):
                why = GROUP
            else:
                continue
            usable[k], changed = False, True
            dropped.append((k, why))
            for w in line.weeks:
                load[w] -= line.units
        if not changed:
            return tuple(reachable)
