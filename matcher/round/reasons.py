"""Why demand went unmet, and the smallest change that would serve it.

One record per line with unserved units. The reason is the first of these
that holds (documented precedence; 1-3 come from compatibility.py):

1. no_provider_in_area, 2. no_capacity_in_weeks, 3. tag_not_offered;
4. price_above_maximum: no compatible offer can charge within the line's
   maximum (no reachable tier is cheap enough), or every usable offer runs
   at a tier above it;
5. budget_spent: the firm pays, and what is left of its budget does not pay
   for one more unit at the cheapest usable offer;
6. group_below_minimum: a usable offer with a minimum group does not run in
   one of the line's weeks (change: how many more units, in which week, open
   which offer; the least such change over the offers);
7. capacity_taken_by_higher_priority: every usable offer left is full in one
   of the line's weeks (change: that many more places in that week).

An offer with room in every week would have taken the units at an optimum
(coverage comes first), unless one more unit moves its contract to a tier
some line cannot pay (price_above_maximum); after a time limit the record
says the solve stopped (capacity_taken_by_higher_priority, no change).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from matcher.model import rules
from matcher.model.prepare import GROUP, Prepared
from matcher.round.from_snapshot import RoundIndex
from matcher.round.reasons_change import Joins, blocked_change, group_change
from matcher.solution import Solution
from schemas.result import SmallestChange, UnmetDemand, UnmetReason

CENT = Decimal("0.01")


def unmet_demand(idx: RoundIndex, prep: Prepared, sol: Solution,
                 spent: dict[str, Decimal]) -> list[UnmetDemand]:
    data, snap = idx.problem, idx.snapshot
    served = sol.served(data)
    loads = sol.loads(data)
    by_line: dict[int, list[int]] = {}
    for k, pair in enumerate(data.pairs):
        by_line.setdefault(pair.line, []).append(k)
    pending = [line.units - served[i] for i, line in enumerate(data.lines)]
    joins = Joins(idx, prep, pending)
    out = []
    for i, line in enumerate(snap.demand_lines):
        missing = line.units - served[i]
        if missing <= 0:
            continue
        if i in idx.blocked:
            reason, change = idx.blocked[i].reason, blocked_change(idx, i)
        elif not prep.line_pairs[i]:
            reason, change = _dropped(idx, prep, joins, i, by_line[i])
        else:
            reason, change = _dynamic(idx, prep, sol, loads, spent, joins, pending, i)
        out.append(UnmetDemand(line_id=line.line_id, firm_id=line.firm_id, units=missing,
                               unit_weeks=missing * len(line.weeks), reason=reason,
                               change=change))
    return out


def _dropped(idx: RoundIndex, prep: Prepared, joins: Joins, i: int, pairs: list[int]):
    grouped = [k for k in pairs if prep.dropped.get(k) == GROUP]
    if grouped:
        return UnmetReason.GROUP_BELOW_MINIMUM, group_change(idx, joins, i, grouped)
    snap = idx.snapshot
    cheapest = min((snap.offers[idx.problem.pairs[k].offer].price_tiers[t].unit_price_eur,
                    snap.offers[idx.problem.pairs[k].offer].offer_id)
                   for k in pairs for t in prep.offer_tiers[idx.problem.pairs[k].offer])
    return UnmetReason.PRICE_ABOVE_MAXIMUM, SmallestChange(
        description=f"a maximum of {cheapest[0]} EUR per unit-week would admit offer {cheapest[1]}",
        offer_id=cheapest[1], max_unit_price_eur=cheapest[0])


def _dynamic(idx: RoundIndex, prep: Prepared, sol: Solution, loads: dict, spent: dict,
             joins: Joins, pending: list[int], i: int):
    data, snap = idx.problem, idx.snapshot
    missing = pending[i]
    line, sline = data.lines[i], snap.demand_lines[i]
    usable = prep.line_pairs[i]

    def price(k: int) -> Decimal:  # what one unit-week costs the line on pair k now
        o = data.pairs[k].offer
        tier = sol.tiers[o] if sol.tiers[o] in prep.pair_tiers[k] else prep.pair_tiers[k][0]
        return snap.offers[o].price_tiers[tier].unit_price_eur

    priced = [k for k in usable if sol.tiers[data.pairs[k].offer] >= 0
              and sol.tiers[data.pairs[k].offer] not in prep.pair_tiers[k]]
    if len(priced) == len(usable):
        o = data.pairs[priced[0]].offer
        now = snap.offers[o].price_tiers[sol.tiers[o]].unit_price_eur
        return UnmetReason.PRICE_ABOVE_MAXIMUM, SmallestChange(
            description=f"offer {snap.offers[o].offer_id} runs at {now} EUR per unit-week",
            offer_id=snap.offers[o].offer_id, max_unit_price_eur=now)
    if line.pays_budget:
        budget = snap.firms[line.firm].welfare_budget_eur
        left = budget - spent.get(sline.firm_id, Decimal(0))
        k = min(usable, key=lambda k: (price(k), k))
        one = price(k) * len(line.weeks)
        if left < one:
            need = (one * missing - left).quantize(CENT, rounding=ROUND_CEILING)
            offer_id = snap.offers[data.pairs[k].offer].offer_id
            return UnmetReason.BUDGET_SPENT, SmallestChange(
                description=f"{need} EUR more budget for firm {sline.firm_id} would pay for "
                            f"{missing} more units on offer {offer_id}",
                offer_id=offer_id, extra_budget_eur=need)
    open_to = [k for k in usable if k not in priced]
    closed = [k for k in open_to if _closed_weeks(data, loads, k) and not _full(data, loads, k)]
    if closed:
        return UnmetReason.GROUP_BELOW_MINIMUM, group_change(idx, joins, i, closed, loads)
    full = [k for k in open_to if _full(data, loads, k)]
    if full:
        k = full[0]
        o = data.pairs[k].offer
        weeks = [idx.weeks[w] for w in _full(data, loads, k)]
        return UnmetReason.CAPACITY_TAKEN_BY_HIGHER_PRIORITY, SmallestChange(
            description=f"{missing} more places in week {weeks[0]} at offer "
                        f"{snap.offers[o].offer_id} would serve them"
                        + (f" (also weeks {', '.join(weeks[1:])})" if len(weeks) > 1 else ""),
            offer_id=snap.offers[o].offer_id, week=weeks[0], extra_units=missing)
    return _room(idx, prep, sol, open_to, i)


def _closed_weeks(data, loads: dict, k: int) -> list[int]:
    pair = data.pairs[k]
    offer = data.offers[pair.offer]
    return [w for w in data.lines[pair.line].weeks
            if rules.closed(offer, loads.get((pair.offer, w), 0))]


def _full(data, loads: dict, k: int) -> list[int]:
    pair = data.pairs[k]
    offer = data.offers[pair.offer]
    return [w for w in data.lines[pair.line].weeks
            if rules.room(offer, loads.get((pair.offer, w), 0)) <= 0]


def _room(idx: RoundIndex, prep: Prepared, sol: Solution, open_to: list[int], i: int):
    snap, data = idx.snapshot, idx.problem
    sline = snap.demand_lines[i]
    for k in open_to:
        offer = snap.offers[data.pairs[k].offer]
        dearer = [t for t in offer.price_tiers if t.unit_price_eur > sline.max_unit_price_eur]
        if dearer:
            return UnmetReason.PRICE_ABOVE_MAXIMUM, SmallestChange(
                description=f"one more unit would move offer {offer.offer_id} to a tier "
                            f"priced above what its lines accept",
                offer_id=offer.offer_id, max_unit_price_eur=dearer[0].unit_price_eur)
    return UnmetReason.CAPACITY_TAKEN_BY_HIGHER_PRIORITY, SmallestChange(
        description=f"the solve stopped ({sol.status.value}) before placing these units; "
                    f"offer {snap.offers[data.pairs[open_to[0]].offer].offer_id} has room")
