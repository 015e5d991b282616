"""From a Solution back to the snapshot's words: contracts, unmet demand, firms, totals,
fairness and the coverage ceiling.

Every euro figure is computed here again from the snapshot's exact amounts
(Decimal), never from the model's floats, so the result adds up to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from matcher.model.prepare import Prepared
from matcher.model.variables import weight_units
from matcher.round.from_snapshot import RoundIndex
from matcher.solution import Solution
from schemas.result import ContractLine, Fairness, FirmOutcome, GroupContract, RoundTotals
from schemas.types import Payer


def contracts(idx: RoundIndex, sol: Solution) -> list[GroupContract]:
    data, snap = idx.problem, idx.snapshot
    lines_of: dict[int, list[int]] = defaultdict(list)
    for k, amount in enumerate(sol.units):
        if amount:
            lines_of[data.pairs[k].offer].append(k)
    loads: dict[int, dict[str, int]] = defaultdict(dict)
    for (o, w), load in sol.loads(data).items():
        loads[o][idx.weeks[w]] = load
    out = []
    for o in sorted(lines_of):
        offer, tier = snap.offers[o], sol.tiers[o]
        price = offer.price_tiers[tier].unit_price_eur
        clines = []
        for k in lines_of[o]:
            pair = data.pairs[k]
            line = snap.demand_lines[pair.line]
            uw = sol.units[k] * len(line.weeks)
            clines.append(ContractLine(line_id=line.line_id, firm_id=line.firm_id,
                                       units=sol.units[k], unit_weeks=uw, unit_price_eur=price,
                                       cost_eur=price * uw, pinned=pair.pinned > 0))
        weekly = loads[o]
        out.append(GroupContract(
            offer_id=offer.offer_id, provider_id=offer.provider_id, tier_index=tier,
            unit_price_eur=price, volume_unit_weeks=sum(c.unit_weeks for c in clines),
            running_weeks=sorted(weekly), weekly_load=dict(sorted(weekly.items())),
            fixed_cost_eur=offer.fixed_cost_per_week_eur * len(weekly),
            unit_cost_eur=sum((c.cost_eur for c in clines), Decimal(0)), lines=clines))
    return out


def firm_spending(idx: RoundIndex, awarded: list[GroupContract]) -> dict[str, Decimal]:
    """What each firm pays from its budget (its firm-paid lines only)."""
    payer = {line.line_id: line.payer for line in idx.snapshot.demand_lines}
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for contract in awarded:
        for cline in contract.lines:
            if payer[cline.line_id] == Payer.FIRM:
                spent[cline.firm_id] += cline.cost_eur
    return spent


def firm_outcomes(idx: RoundIndex, awarded: list[GroupContract],
                  spent: dict[str, Decimal]) -> list[FirmOutcome]:
    demanded: dict[str, int] = defaultdict(int)
    served: dict[str, int] = defaultdict(int)
    for line in idx.snapshot.demand_lines:
        demanded[line.firm_id] += line.units * len(line.weeks)
    for contract in awarded:
        for cline in contract.lines:
            served[cline.firm_id] += cline.unit_weeks
    return [FirmOutcome(firm_id=f.firm_id, demanded_unit_weeks=demanded[f.firm_id],
                        served_unit_weeks=served[f.firm_id],
                        coverage=_ratio(served[f.firm_id], demanded[f.firm_id]),
                        cost_eur=spent.get(f.firm_id, Decimal(0)),
                        budget_eur=f.welfare_budget_eur)
            for f in idx.snapshot.firms]


def totals(idx: RoundIndex, awarded: list[GroupContract], weights: list[float]) -> RoundTotals:
    lines = {line.line_id: line for line in idx.snapshot.demand_lines}
    demanded = sum(line.units * len(line.weeks) for line in lines.values())
    weighted_demand = sum(weights[line.priority - 1] * line.units * len(line.weeks)
                          for line in lines.values())
    served = weighted = 0.0
    for contract in awarded:
        for cline in contract.lines:
            served += cline.unit_weeks
            weighted += weights[lines[cline.line_id].priority - 1] * cline.unit_weeks
    unit_cost = sum((c.unit_cost_eur for c in awarded), Decimal(0))
    fixed = sum((c.fixed_cost_eur for c in awarded), Decimal(0))
    return RoundTotals(demanded_unit_weeks=demanded, served_unit_weeks=int(served),
                       coverage=_ratio(served, demanded),
                       weighted_coverage=_ratio(weighted, weighted_demand),
                       unit_cost_eur=unit_cost, fixed_cost_eur=fixed,
                       total_cost_eur=unit_cost + fixed)


def _ratio(part: float, whole: float) -> float:
    return round(min(part / whole, 1.0), 12) if whole else 0.0


def fairness(idx: RoundIndex, prep: Prepared, outcomes: list[FirmOutcome]) -> Fairness | None:
    """The least- and most-covered of the firms some offer can serve, and the spread.

    A firm whose every line no offer can serve is at 0 % whatever the plan does:
    counting it would make every round look unfair and hide the firms the plan did
    leave behind.
    """
    servable = {prep.data.lines[i].firm for i in range(len(prep.data.lines))
                if prep.line_pairs[i]}
    served = [o for n, o in enumerate(outcomes) if n in servable]
    if not served:
        return None
    least = min(served, key=lambda o: o.coverage)  # ties: the first in the snapshot
    most = max(served, key=lambda o: o.coverage)
    return Fairness(least_covered_firm_id=least.firm_id, least_coverage=least.coverage,
                    most_covered_firm_id=most.firm_id, most_coverage=most.coverage,
                    spread=round(most.coverage - least.coverage, 12), firms=len(served))


def coverage_share(prep: Prepared, most: float | None) -> float | None:
    """``most`` (S, priority-weighted unit-weeks) as a share of the weighted demand,
    rounded as the result's own weighted coverage is, so that they compare."""
    demand = sum(weight_units(line.weight) / 100 * line.units * len(line.weeks)
                 for line in prep.data.lines)
    if most is None or not demand:
        return None
    return round(min(1.0, most / demand), 12)
