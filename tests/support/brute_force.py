"""Exhaustive optimum of a tiny round, by enumeration.

Written independently of the optimiser: it enumerates every way of splitting
each line's units over its structurally compatible offers, keeps the
allocations that satisfy every rule of DESIGN.md ("What a matching round
means"), and scores them with the objective as ``matcher/model/objective.py``
documents it (see ``objective_value``). Only for rounds with a handful of
lines, offers and units: the count of allocations is the product over lines of
C(units + offers, offers).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from schemas.parameters import RoundParameters
from schemas.snapshot import RoundSnapshot, SnapshotLine, SnapshotOffer
from schemas.types import Payer

Allocation = dict[tuple[str, str], int]  # (line_id, offer_id) -> units


@dataclass(frozen=True)
class Evaluated:
    """A feasible allocation and the figures the objective is made of."""

    allocation: Allocation
    weighted_unit_weeks: float  # sum of priority weight x served unit-weeks
    firm_coverage: dict[str, float]  # served / demanded unit-weeks, per firm with demand
    unit_cost: Decimal
    fixed_cost: Decimal
    change_units: int  # sum over pairs of |units - previous units|

    @property
    def total_cost(self) -> Decimal:
        return self.unit_cost + self.fixed_cost


# ----------------------------------------------------------------- enumeration


def compatible(line: SnapshotLine, offer: SnapshotOffer) -> bool:
    """Structural compatibility: category, area, weeks and tags (price depends on the tier)."""
    return (
        line.category == offer.category
        and line.municipality in offer.municipalities
        and set(line.weeks) <= set(offer.weeks)
        and set(line.required_tags) <= set(offer.tags)
    )


def candidate_pairs(snapshot: RoundSnapshot) -> dict[str, list[str]]:
    """Per line, the offers it may go to (compatible, not declined)."""
    excluded = {(p.line_id, p.offer_id) for p in snapshot.excluded}
    return {
        line.line_id: [
            o.offer_id for o in snapshot.offers
            if compatible(line, o) and (line.line_id, o.offer_id) not in excluded
        ]
        for line in snapshot.demand_lines
    }


def _splits(units: int, slots: int) -> Iterator[tuple[int, ...]]:
    """Every way to place at most ``units`` units into ``slots`` ordered slots."""
    if slots == 0:
        yield ()
        return
    for first in range(units + 1):
        for rest in _splits(units - first, slots - 1):
            yield (first, *rest)


def allocations(snapshot: RoundSnapshot) -> Iterator[Allocation]:
    pairs = candidate_pairs(snapshot)
    per_line = []
    for line in snapshot.demand_lines:
        offers = pairs[line.line_id]
        per_line.append([
            {(line.line_id, o): u for o, u in zip(offers, split) if u}
            for split in _splits(line.units, len(offers))
        ])
    for combo in itertools.product(*per_line):
        allocation: Allocation = {}
        for part in combo:
            allocation.update(part)
        yield allocation


def count_allocations(snapshot: RoundSnapshot) -> int:
    from math import comb

    pairs = candidate_pairs(snapshot)
    total = 1
    for line in snapshot.demand_lines:
        total *= comb(line.units + len(pairs[line.line_id]), len(pairs[line.line_id]))
    return total


# ----------------------------------------------------------------- feasibility


def tier_index(offer: SnapshotOffer, volume: int) -> int:
    return max(i for i, t in enumerate(offer.price_tiers) if t.min_volume <= volume)


def evaluate(snapshot: RoundSnapshot, params: RoundParameters,
             allocation: Allocation) -> Evaluated | None:
    """The allocation's figures, or None if it breaks a rule."""
    lines = {line.line_id: line for line in snapshot.demand_lines}
    offers = {offer.offer_id: offer for offer in snapshot.offers}
    for pin in snapshot.pinned:
        if allocation.get((pin.line_id, pin.offer_id), 0) < pin.units:
            return None
    load: dict[tuple[str, str], int] = defaultdict(int)
    volume: dict[str, int] = defaultdict(int)
    for (line_id, offer_id), units in allocation.items():
        for week in lines[line_id].weeks:
            load[(offer_id, week)] += units
        volume[offer_id] += units * len(lines[line_id].weeks)
    for (offer_id, _), units in load.items():
        offer = offers[offer_id]
        if units > offer.capacity_per_week or 0 < units < offer.min_group_per_week:
            return None
    price = {
        offer_id: Decimal(offers[offer_id].price_tiers[tier_index(offers[offer_id], v)].unit_price_eur)
        for offer_id, v in volume.items()
    }
    spent: dict[str, Decimal] = defaultdict(Decimal)
    unit_cost = Decimal(0)
    for (line_id, offer_id), units in allocation.items():
        line = lines[line_id]
        if price[offer_id] > line.max_unit_price_eur:
            return None
        cost = price[offer_id] * units * len(line.weeks)
        unit_cost += cost
        if line.payer == Payer.FIRM:
            spent[line.firm_id] += cost
    budgets = {f.firm_id: Decimal(f.welfare_budget_eur) for f in snapshot.firms}
    if any(amount > budgets.get(firm, Decimal(0)) for firm, amount in spent.items()):
        return None
    running = {key for key, units in load.items() if units > 0}
    fixed_cost = sum((Decimal(offers[o].fixed_cost_per_week_eur) for o, _ in running), Decimal(0))

    weights = params.priority_weights
    weighted = sum(weights[lines[l].priority - 1] * u * len(lines[l].weeks)
                   for (l, _), u in allocation.items())
    demanded: dict[str, int] = defaultdict(int)
    served: dict[str, int] = defaultdict(int)
    for line in snapshot.demand_lines:
        demanded[line.firm_id] += line.units * len(line.weeks)
    for (line_id, _), units in allocation.items():
        served[lines[line_id].firm_id] += units * len(lines[line_id].weeks)
    coverage = {firm: served[firm] / d for firm, d in demanded.items() if d}
    previous: dict[tuple[str, str], int] = defaultdict(int)
    for a in snapshot.previous:
        previous[(a.line_id, a.offer_id)] += a.units
    change = sum(abs(allocation.get(k, 0) - previous.get(k, 0)) for k in set(allocation) | set(previous))
    return Evaluated(allocation, float(weighted), coverage, unit_cost, fixed_cost, change)


def feasible_allocations(snapshot: RoundSnapshot, params: RoundParameters) -> Iterator[Evaluated]:
    for allocation in allocations(snapshot):
        evaluated = evaluate(snapshot, params, allocation)
        if evaluated is not None:
            yield evaluated


# ----------------------------------------------------------------- the objective
#
# From the documentation of matcher/model/objective.py (and of the prepare and markets
# steps it refers to for "usable pairs" and "pieces"): the model minimises
#
#     L = - w_cov * A * S + w_fair * F * Phi + w_cost * K + w_chg * C * D
#
# S   priority-weighted unit-weeks served, weights read to the cent;
# Phi mean over pieces (one firm's lines in one market) of
#     phi(c) = 2/(K+1) * sum_{k=1..K} max(0, k/K - c), K = 10 breakpoints,
#     c = served / demanded weighted unit-weeks of the piece;
# K   unit costs + fixed costs (euro);
# D   unit-weeks moved from the previous round, over the compatible pairs;
# K_max = every (offer, week) a usable pair may load, at its fixed cost, plus
#     every line's unit-weeks at the dearest tier price it may be charged;
# C = 0.01 / (D_max + 1), D_max = all demanded unit-weeks + all previous
#     unit-weeks on compatible pairs; C = 0 when no previous assignment lies on
#     a compatible pair (nothing to change from); F = K_max + 1;
# A = (F + K_max + 1) / step, step = gcd of the weights (in cents) of the lines
#     that have a usable pair, / 100.
#
# A pair is usable unless (repeated to a fixpoint, pinned pairs always usable)
# no tier its offer can reach is within the line's maximum price, or one of the
# line's weeks cannot reach the offer's minimum group even with every unit of
# every usable pair there. An offer reaches a tier when that tier's min_volume
# is at most the sum over weeks of min(potential load, capacity).
# Markets are the connected groups of lines and offers joined by usable pairs.

BREAKPOINTS = 10


def weight_cents(weight: float) -> int:
    return max(1, round(weight * 100))


@dataclass(frozen=True)
class Scales:
    coverage: float  # A
    fairness: float  # F
    change: float  # C
    pieces: tuple[tuple[str, ...], ...]  # line ids per piece


def usable_pairs(snapshot: RoundSnapshot) -> dict[tuple[str, str], tuple[int, ...]]:
    """Usable pair -> the tier indices its line may be charged (the prepare fixpoint)."""
    lines = {line.line_id: line for line in snapshot.demand_lines}
    offers = {offer.offer_id: offer for offer in snapshot.offers}
    pinned = {(p.line_id, p.offer_id) for p in snapshot.pinned}
    usable = {(l, o) for l, os_ in candidate_pairs(snapshot).items() for o in os_}
    while True:
        load: dict[tuple[str, str], int] = defaultdict(int)
        for l, o in usable:
            for week in lines[l].weeks:
                load[(o, week)] += lines[l].units
        max_volume: dict[str, int] = defaultdict(int)
        for (o, _), units in load.items():
            max_volume[o] += min(units, offers[o].capacity_per_week)
        tiers = {}
        for l, o in usable:
            reachable = [t for t, tier in enumerate(offers[o].price_tiers)
                         if tier.min_volume <= max_volume[o]]
            if (l, o) not in pinned:
                reachable = [t for t in reachable
                             if offers[o].price_tiers[t].unit_price_eur <= lines[l].max_unit_price_eur]
            tiers[(l, o)] = tuple(reachable)
        drop = set()
        for l, o in usable:
            if (l, o) in pinned:
                continue
            group = offers[o].min_group_per_week
            if not tiers[(l, o)] or (group and any(load[(o, w)] < group for w in lines[l].weeks)):
                drop.add((l, o))
        if not drop:
            return tiers
        usable -= drop


def objective_scales(snapshot: RoundSnapshot, params: RoundParameters) -> Scales:
    lines = {line.line_id: line for line in snapshot.demand_lines}
    offers = {offer.offer_id: offer for offer in snapshot.offers}
    usable = usable_pairs(snapshot)
    weights = params.priority_weights
    loaded_weeks = {(o, w) for (l, o) in usable for w in lines[l].weeks}
    cost_max = sum(float(offers[o].fixed_cost_per_week_eur) for o, _ in loaded_weeks)
    dearest: dict[str, float] = defaultdict(float)
    for (l, o), tiers in usable.items():
        for t in tiers:
            dearest[l] = max(dearest[l], float(offers[o].price_tiers[t].unit_price_eur))
    cost_max += sum(line.units * len(line.weeks) * dearest[lid] for lid, line in lines.items())
    served_lines = {l for l, _ in usable}
    cents = {weight_cents(weights[lines[l].priority - 1]) for l in served_lines}
    step = math.gcd(*cents) / 100 if cents else 1.0
    candidates = candidate_pairs(snapshot)
    change_max = sum(line.units * len(line.weeks) for line in lines.values())
    on_pairs = [a for a in snapshot.previous if a.offer_id in candidates.get(a.line_id, ())]
    change_max += sum(a.units * len(lines[a.line_id].weeks) for a in on_pairs)
    fairness = cost_max + 1.0
    return Scales(
        coverage=(fairness + cost_max + 1.0) / step,
        fairness=fairness,
        change=0.01 / (change_max + 1) if on_pairs else 0.0,
        pieces=_pieces(snapshot, set(usable)),
    )


def _pieces(snapshot: RoundSnapshot, usable: set[tuple[str, str]]) -> tuple[tuple[str, ...], ...]:
    """Lines per (market, firm), markets being connected groups of usable pairs."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        parent.setdefault(a, a)
        while parent[a] != a:
            a = parent[a]
        return a

    for l, o in usable:
        ra, rb = find("L:" + l), find("O:" + o)
        if ra != rb:
            parent[ra] = rb
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    served_lines = {l for l, _ in usable}
    for line in snapshot.demand_lines:
        if line.line_id in served_lines:
            groups[(find("L:" + line.line_id), line.firm_id)].append(line.line_id)
    return tuple(tuple(v) for _, v in sorted(groups.items()))


def phi(coverage: float) -> float:
    return 2 / (BREAKPOINTS + 1) * sum(max(0.0, k / BREAKPOINTS - coverage)
                                      for k in range(1, BREAKPOINTS + 1))


@dataclass(frozen=True)
class Terms:
    served: float  # S
    fairness: float  # Phi
    cost: float  # K
    change: float  # D


def terms(snapshot: RoundSnapshot, params: RoundParameters, scales: Scales,
          allocation: Allocation) -> Terms:
    lines = {line.line_id: line for line in snapshot.demand_lines}
    offers = {offer.offer_id: offer for offer in snapshot.offers}
    weights = params.priority_weights
    served_units: dict[str, int] = defaultdict(int)
    for (l, _), u in allocation.items():
        served_units[l] += u

    def wuw(line_id: str, units: int) -> int:  # weighted unit-weeks, in weight cents
        line = lines[line_id]
        return weight_cents(weights[line.priority - 1]) * units * len(line.weeks)

    served = sum(wuw(l, u) for l, u in served_units.items()) / 100
    penalties = []
    for piece in scales.pieces:
        demand = sum(wuw(l, lines[l].units) for l in piece)
        got = sum(wuw(l, served_units.get(l, 0)) for l in piece)
        penalties.append(phi(got / demand))
    fairness = sum(penalties) / len(penalties) if penalties else 0.0
    evaluated = evaluate(snapshot, params, allocation)
    cost = float(evaluated.total_cost) if evaluated else math.nan
    candidates = candidate_pairs(snapshot)
    previous: dict[tuple[str, str], int] = defaultdict(int)
    for a in snapshot.previous:
        if a.offer_id in candidates.get(a.line_id, ()):
            previous[(a.line_id, a.offer_id)] += a.units
    change = sum(abs(allocation.get(k, 0) - previous.get(k, 0)) * len(lines[k[0]].weeks)
                 for k in set(allocation) | set(previous))
    del offers
    return Terms(served, fairness, cost, float(change))


def objective_value(params: RoundParameters, scales: Scales, t: Terms) -> float:
    return (
        -params.coverage_weight * scales.coverage * t.served
        + params.fairness_weight * scales.fairness * t.fairness
        + params.cost_weight * t.cost
        + params.change_weight * scales.change * t.change
    )


@dataclass(frozen=True)
class Optimum:
    objective: float  # the least L over every feasible allocation
    allocation: Allocation  # one allocation that reaches it
    served: float  # its S (the greatest S of any feasible allocation)
    feasible: int  # how many feasible allocations there were


def brute_force_optimum(snapshot: RoundSnapshot, params: RoundParameters) -> Optimum | None:
    """The optimum by exhaustive enumeration; None when no allocation is feasible."""
    scales = objective_scales(snapshot, params)
    best: tuple[float, Allocation] | None = None
    best_served = -math.inf
    count = 0
    for ev in feasible_allocations(snapshot, params):
        count += 1
        t = terms(snapshot, params, scales, ev.allocation)
        value = objective_value(params, scales, t)
        best_served = max(best_served, t.served)
        if best is None or value < best[0]:
            best = (value, ev.allocation)
    if best is None:
        return None
    return Optimum(best[0], best[1], best_served, count)
