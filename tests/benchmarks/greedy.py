"""First-come-first-served greedy baseline: what a network does by hand.

1. Pinned (already accepted) assignments are placed first and never removed.
2. Lines are taken in submission order (their order in the snapshot). Each line
   goes to the cheapest compatible offer with room (same category, municipality
   in the area, all its weeks offered, tags offered, pair not declined), priced
   at the tier the offer would reach with this line added; what does not fit
   spills to the next cheapest. A line's units stay on one offer for all its
   weeks (continuity); a firm-paid line takes only what its firm's remaining
   budget affords at that price.
3. Repairs, repeated until nothing changes, always dropping the latest
   submitted, non-pinned assignment first:
   - a week below an offer's minimum group does not run: the assignments that
     need that week are dropped;
   - tiers are evaluated at the end on the final volumes; an assignment whose
     final price exceeds its line's maximum is dropped;
   - a firm whose firm-paid cost at final prices exceeds its budget loses
     assignments until it fits.
4. Every unserved unit gets the first reason that applies, in the order: no
   provider in area, tag not offered, no capacity in weeks (no offer runs in
   those weeks), price above maximum, then what stopped it in steps 2-3
   (budget spent, group below minimum), else no capacity in weeks (full).

Nothing here is optimised; it is the baseline the optimiser must beat.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from schemas.parameters import RoundParameters
from schemas.result import (
    ContractLine,
    FirmOutcome,
    GroupContract,
    RoundResult,
    RoundTotals,
    SolverInfo,
    SolveStatus,
    Timings,
    UnmetDemand,
    UnmetReason,
)
from schemas.snapshot import RoundSnapshot, SnapshotLine, SnapshotOffer
from schemas.types import Payer

GREEDY_VERSION = "fcfs-greedy 1"


def snapshot_hash(snapshot: RoundSnapshot, params: RoundParameters | None = None) -> str:
    """The input hash in the canonical form of matcher/round/reproducibility.py: sha256 of the
    snapshot's JSON with the effective parameters, keys sorted, no spaces, UTF-8."""
    effective = snapshot.model_copy(update={"parameters": params or snapshot.parameters})
    text = json.dumps(effective.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tier_price(offer: SnapshotOffer, volume: int) -> tuple[int, Decimal]:
    index = 0
    for i, tier in enumerate(offer.price_tiers):
        if tier.min_volume <= volume:
            index = i
    return index, Decimal(offer.price_tiers[index].unit_price_eur)


class _Book:
    """The state of the greedy allocation."""

    def __init__(self, snapshot: RoundSnapshot):
        self.snapshot = snapshot
        self.lines = {line.line_id: line for line in snapshot.demand_lines}
        self.order = {line.line_id: i for i, line in enumerate(snapshot.demand_lines)}
        self.offers = {offer.offer_id: offer for offer in snapshot.offers}
        self.budget = {f.firm_id: Decimal(f.welfare_budget_eur) for f in snapshot.firms}
        self.excluded = {(p.line_id, p.offer_id) for p in snapshot.excluded}
        self.pinned_units: dict[tuple[str, str], int] = defaultdict(int)
        self.pinned_of_line: dict[str, int] = defaultdict(int)
        for pin in snapshot.pinned:
            self.pinned_units[(pin.line_id, pin.offer_id)] += pin.units
            self.pinned_of_line[pin.line_id] += pin.units
        # (line_id, offer_id) -> units
        self.assign: dict[tuple[str, str], int] = {}
        self.load: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.volume: dict[str, int] = defaultdict(int)
        self.spent: dict[str, Decimal] = defaultdict(Decimal)  # estimated, during placement
        self.blocked: dict[str, UnmetReason] = {}  # what stopped a line, for its reason
        by_cell: dict[tuple[str, str], list[SnapshotOffer]] = defaultdict(list)
        for offer in snapshot.offers:
            for municipality in offer.municipalities:
                by_cell[(offer.category, municipality)].append(offer)
        self.by_cell = by_cell

    # -- placement ---------------------------------------------------------

    def add(self, line: SnapshotLine, offer: SnapshotOffer, units: int) -> None:
        key = (line.line_id, offer.offer_id)
        self.assign[key] = self.assign.get(key, 0) + units
        for week in line.weeks:
            self.load[offer.offer_id][week] += units
        self.volume[offer.offer_id] += units * len(line.weeks)

    def remove(self, key: tuple[str, str], units: int) -> None:
        line, offer_id = self.lines[key[0]], key[1]
        left = self.assign[key] - units
        if left:
            self.assign[key] = left
        else:
            del self.assign[key]
        for week in line.weeks:
            self.load[offer_id][week] -= units
        self.volume[offer_id] -= units * len(line.weeks)

    def compatible(self, line: SnapshotLine) -> list[SnapshotOffer]:
        weeks, tags = set(line.weeks), set(line.required_tags)
        return [
            o for o in self.by_cell.get((line.category, line.municipality), [])
            if (line.line_id, o.offer_id) not in self.excluded
            and weeks <= set(o.weeks) and tags <= set(o.tags)
        ]

    def room(self, line: SnapshotLine, offer: SnapshotOffer) -> int:
        load = self.load[offer.offer_id]
        return min(offer.capacity_per_week - load[w] for w in line.weeks)

    def place(self, line: SnapshotLine) -> None:
        remaining = line.units - self.pinned_of_line.get(line.line_id, 0)
        weeks = len(line.weeks)
        candidates = []
        for offer in self.compatible(line):
            _, price = tier_price(offer, self.volume[offer.offer_id] + remaining * weeks)
            candidates.append((price, offer.offer_id, offer))
        candidates.sort(key=lambda c: (c[0], c[1]))
        for _, _, offer in candidates:
            if remaining <= 0:
                break
            units = min(remaining, self.room(line, offer))
            while units > 0:
                _, price = tier_price(offer, self.volume[offer.offer_id] + units * weeks)
                if price > line.max_unit_price_eur:
                    self.blocked.setdefault(line.line_id, UnmetReason.PRICE_ABOVE_MAXIMUM)
                    units = 0
                    break
                if line.payer != Payer.FIRM:
                    break
                left = self.budget.get(line.firm_id, Decimal(0)) - self.spent[line.firm_id]
                affordable = int(left // (price * weeks)) if price > 0 else units
                if affordable >= units:
                    break
                self.blocked.setdefault(line.line_id, UnmetReason.BUDGET_SPENT)
                units = max(affordable, 0)
            if units > 0:
                self.add(line, offer, units)
                if line.payer == Payer.FIRM:
                    self.spent[line.firm_id] += price * units * weeks
                remaining -= units

    # -- repairs -------------------------------------------------------------

    def removable(self, key: tuple[str, str]) -> int:
        return self.assign.get(key, 0) - self.pinned_units.get(key, 0)

    def latest_first(self, keys) -> list[tuple[str, str]]:
        return sorted(keys, key=lambda k: self.order[k[0]], reverse=True)

    def repair_min_group(self) -> bool:
        changed = False
        for offer_id, offer in self.offers.items():
            if offer.min_group_per_week == 0:
                continue
            load = self.load[offer_id]
            short = {w for w, units in load.items() if 0 < units < offer.min_group_per_week}
            if not short:
                continue
            for key in self.latest_first([k for k in self.assign if k[1] == offer_id]):
                if short & set(self.lines[key[0]].weeks) and self.removable(key) > 0:
                    self.remove(key, self.removable(key))
                    self.blocked[key[0]] = UnmetReason.GROUP_BELOW_MINIMUM
                    changed = True
        return changed

    def final_prices(self) -> dict[str, Decimal]:
        return {oid: tier_price(self.offers[oid], vol)[1] for oid, vol in self.volume.items() if vol}

    def repair_prices(self) -> bool:
        prices, changed = self.final_prices(), False
        for key in self.latest_first(list(self.assign)):
            line = self.lines[key[0]]
            if prices.get(key[1], Decimal(0)) > line.max_unit_price_eur and self.removable(key) > 0:
                self.remove(key, self.removable(key))
                self.blocked[key[0]] = UnmetReason.PRICE_ABOVE_MAXIMUM
                changed = True
        return changed

    def repair_budgets(self) -> bool:
        prices, changed = self.final_prices(), False
        cost: dict[str, Decimal] = defaultdict(Decimal)
        keys_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key, units in self.assign.items():
            line = self.lines[key[0]]
            if line.payer == Payer.FIRM:
                cost[line.firm_id] += prices[key[1]] * units * len(line.weeks)
                keys_of[line.firm_id].append(key)
        for firm_id, amount in cost.items():
            budget = self.budget.get(firm_id, Decimal(0))
            for key in self.latest_first(keys_of[firm_id]):
                if amount <= budget:
                    break
                line, price = self.lines[key[0]], prices[key[1]]
                per_unit = price * len(line.weeks)
                over = amount - budget
                drop = min(self.removable(key), math.ceil(over / per_unit) if per_unit else 0)
                if drop > 0:
                    self.remove(key, drop)
                    amount -= per_unit * drop
                    self.blocked[key[0]] = UnmetReason.BUDGET_SPENT
                    changed = True
        return changed


def solve_greedy(snapshot: RoundSnapshot, params: RoundParameters | None = None) -> RoundResult:
    params = params or snapshot.parameters
    started = time.perf_counter()
    book = _Book(snapshot)
    for pin in snapshot.pinned:
        line, offer = book.lines[pin.line_id], book.offers[pin.offer_id]
        book.add(line, offer, pin.units)
        if line.payer == Payer.FIRM:
            price = tier_price(offer, book.volume[offer.offer_id])[1]
            book.spent[line.firm_id] += price * pin.units * len(line.weeks)
    for line in snapshot.demand_lines:
        book.place(line)
    for _ in range(10_000):
        changed = book.repair_min_group()
        changed |= book.repair_prices()
        changed |= book.repair_budgets()
        if not changed:
            break
    result = _result(snapshot, params, book)
    done = time.perf_counter()
    # No model to build: all the time is the allocation itself.
    timings = Timings(build_s=0.0, solve_s=done - started, total_s=done - started)
    return result.model_copy(update={"timings": timings})


# ----------------------------------------------------------------- result


def _result(snapshot: RoundSnapshot, params: RoundParameters, book: _Book) -> RoundResult:
    return build_result(snapshot, params, book.assign, lambda line: _reason(book, line),
                        SolverInfo(name="greedy", version=GREEDY_VERSION))


def build_result(snapshot: RoundSnapshot, params: RoundParameters,
                 assign: dict[tuple[str, str], int],
                 reason: Callable[[SnapshotLine], UnmetReason],
                 solver: SolverInfo, status: SolveStatus = SolveStatus.FEASIBLE) -> RoundResult:
    """A RoundResult for an allocation ``(line_id, offer_id) -> units``: tiers at the final
    volumes, offers running exactly in their loaded weeks, ``reason(line)`` for unmet units."""
    order = {line.line_id: i for i, line in enumerate(snapshot.demand_lines)}
    lines = {line.line_id: line for line in snapshot.demand_lines}
    pinned = {(p.line_id, p.offer_id) for p in snapshot.pinned}
    by_offer: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for (line_id, offer_id), units in assign.items():
        if units > 0:
            by_offer[offer_id].append((line_id, units))
    contracts = []
    served_units: dict[str, int] = defaultdict(int)
    firm_cost: dict[str, Decimal] = defaultdict(Decimal)
    firm_served: dict[str, int] = defaultdict(int)
    for offer in snapshot.offers:
        assigned = sorted(by_offer.get(offer.offer_id, []), key=lambda a: order[a[0]])
        if not assigned:
            continue
        volume = sum(units * len(lines[line_id].weeks) for line_id, units in assigned)
        tier, price = tier_price(offer, volume)
        contract_lines = []
        load: dict[str, int] = defaultdict(int)
        for line_id, units in assigned:
            line = lines[line_id]
            uw = units * len(line.weeks)
            cost = price * uw
            contract_lines.append(ContractLine(
                line_id=line_id, firm_id=line.firm_id, units=units, unit_weeks=uw,
                unit_price_eur=price, cost_eur=cost, pinned=(line_id, offer.offer_id) in pinned,
            ))
            for week in line.weeks:
                load[week] += units
            served_units[line_id] += units
            firm_served[line.firm_id] += uw
            if line.payer == Payer.FIRM:
                firm_cost[line.firm_id] += cost
        fixed = Decimal(offer.fixed_cost_per_week_eur) * len(load)
        contracts.append(GroupContract(
            offer_id=offer.offer_id, provider_id=offer.provider_id, tier_index=tier,
            unit_price_eur=price, volume_unit_weeks=volume, running_weeks=sorted(load),
            weekly_load=dict(sorted(load.items())), fixed_cost_eur=fixed,
            unit_cost_eur=sum((c.cost_eur for c in contract_lines), Decimal(0)),
            lines=contract_lines,
        ))

    unmet = []
    for line in snapshot.demand_lines:
        missing = line.units - served_units.get(line.line_id, 0)
        if missing > 0:
            unmet.append(UnmetDemand(
                line_id=line.line_id, firm_id=line.firm_id, units=missing,
                unit_weeks=missing * len(line.weeks), reason=reason(line),
            ))

    weights = params.priority_weights
    demanded: dict[str, int] = defaultdict(int)
    weighted_demand = weighted_served = 0.0
    for line in snapshot.demand_lines:
        uw = line.units * len(line.weeks)
        demanded[line.firm_id] += uw
        weighted_demand += weights[line.priority - 1] * uw
        weighted_served += weights[line.priority - 1] * served_units.get(line.line_id, 0) * len(line.weeks)
    firms = [
        FirmOutcome(
            firm_id=f.firm_id, demanded_unit_weeks=demanded[f.firm_id],
            served_unit_weeks=firm_served[f.firm_id],
            coverage=firm_served[f.firm_id] / demanded[f.firm_id] if demanded[f.firm_id] else 0.0,
            cost_eur=firm_cost[f.firm_id], budget_eur=f.welfare_budget_eur,
        )
        for f in snapshot.firms
    ]
    total_demand = sum(demanded.values())
    total_served = sum(firm_served.values())
    unit_cost = sum((c.unit_cost_eur for c in contracts), Decimal(0))
    fixed_cost = sum((c.fixed_cost_eur for c in contracts), Decimal(0))
    return RoundResult(
        network_id=snapshot.network_id, round_id=snapshot.round_id,
        input_hash=snapshot_hash(snapshot, params), parameters=params, seed=params.seed,
        solver=solver, status=status, contracts=contracts, unmet=unmet, firms=firms,
        totals=RoundTotals(
            demanded_unit_weeks=total_demand, served_unit_weeks=total_served,
            coverage=total_served / total_demand if total_demand else 0.0,
            weighted_coverage=weighted_served / weighted_demand if weighted_demand else 0.0,
            unit_cost_eur=unit_cost, fixed_cost_eur=fixed_cost,
            total_cost_eur=unit_cost + fixed_cost,
        ),
    )


def _reason(book: _Book, line: SnapshotLine) -> UnmetReason:
    in_area = [
        o for o in book.by_cell.get((line.category, line.municipality), [])
        if (line.line_id, o.offer_id) not in book.excluded
    ]
    if not in_area:
        return UnmetReason.NO_PROVIDER_IN_AREA
    tagged = [o for o in in_area if set(line.required_tags) <= set(o.tags)]
    if not tagged:
        return UnmetReason.TAG_NOT_OFFERED
    in_weeks = [o for o in tagged if set(line.weeks) <= set(o.weeks)]
    if not in_weeks:
        return UnmetReason.NO_CAPACITY_IN_WEEKS
    if all(t.unit_price_eur > line.max_unit_price_eur for o in in_weeks for t in o.price_tiers):
        return UnmetReason.PRICE_ABOVE_MAXIMUM
    blocked = book.blocked.get(line.line_id)
    if blocked is UnmetReason.BUDGET_SPENT and line.payer != Payer.FIRM:
        blocked = None
    return blocked or UnmetReason.NO_CAPACITY_IN_WEEKS
