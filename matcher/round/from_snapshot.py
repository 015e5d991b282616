"""The one place where a RoundSnapshot becomes the optimiser's ProblemData.

Ids become positions, ISO weeks become indices (their string order is their
time order), euro amounts become floats (results are priced again from the
snapshot's exact amounts, see result.py). A pinned pair that is not
structurally compatible, or declined, cannot be kept: that is reported as
``pinned_conflict`` and the round is infeasible.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from matcher.model.problem import Line, Offer, ProblemData, Tier, gc_paused, many_pairs
from matcher.round.compatibility import Blocked, compatible_offers
from schemas.parameters import RoundParameters
from schemas.snapshot import RoundSnapshot
from schemas.types import Payer


@dataclass(frozen=True)
class RoundIndex:
    snapshot: RoundSnapshot
    problem: ProblemData
    weeks: tuple[str, ...]  # week index -> ISO week
    blocked: dict[int, Blocked]  # line -> why no offer is compatible
    pinned_conflict: str | None  # why a pinned pair cannot be kept, if one cannot


def index_round(snapshot: RoundSnapshot, params: RoundParameters) -> RoundIndex:
    with gc_paused():
        return _index_round(snapshot, params)


def _index_round(snapshot: RoundSnapshot, params: RoundParameters) -> RoundIndex:
    weeks = sorted({w for line in snapshot.demand_lines for w in line.weeks}
                   | {w for offer in snapshot.offers for w in offer.weeks})
    week_at = {w: n for n, w in enumerate(weeks)}
    firm_at = {f.firm_id: n for n, f in enumerate(snapshot.firms)}
    line_at = {line.line_id: n for n, line in enumerate(snapshot.demand_lines)}
    offer_at = {offer.offer_id: n for n, offer in enumerate(snapshot.offers)}
    weights = params.priority_weights
    lines = tuple(
        Line(units=line.units, weeks=tuple(week_at[w] for w in line.weeks),
             weight=weights[line.priority - 1], max_price=float(line.max_unit_price_eur),
             firm=firm_at[line.firm_id], pays_budget=line.payer == Payer.FIRM)
        for line in snapshot.demand_lines)
    offers = tuple(
        Offer(capacity=o.capacity_per_week, weeks=tuple(week_at[w] for w in o.weeks),
              min_group=o.min_group_per_week, fixed_cost=float(o.fixed_cost_per_week_eur),
              tiers=tuple(Tier(t.min_volume, float(t.unit_price_eur)) for t in o.price_tiers))
        for o in snapshot.offers)
    pinned = _units(snapshot.pinned, line_at, offer_at)
    previous = _units(snapshot.previous, line_at, offer_at)
    candidates, blocked = compatible_offers(snapshot)
    line_of = [i for i, offers_of_line in enumerate(candidates) for _ in offers_of_line]
    offer_of = [j for offers_of_line in candidates for j in offers_of_line]
    pairs = many_pairs(line_of, offer_of, [0.0] * len(line_of), _on(pinned, line_of, offer_of),
                       _on(previous, line_of, offer_of))
    kept = {(p.line, p.offer) for p in pairs if p.pinned}
    conflict = next((f"pinned line {snapshot.demand_lines[i].line_id} cannot stay on offer "
                     f"{snapshot.offers[j].offer_id}: not compatible or declined"
                     for (i, j) in sorted(pinned) if (i, j) not in kept), None)
    # The snapshot is validated and compatibility.py only pairs weeks the offer has.
    problem = ProblemData.trusted(lines, offers, pairs,
                                  tuple(float(f.welfare_budget_eur) for f in snapshot.firms))
    return RoundIndex(snapshot, problem, tuple(weeks), blocked, conflict)


def _on(units: dict, line_of: list[int], offer_of: list[int]) -> list[int]:
    if not units:  # (most rounds: nothing pinned, or no previous round)
        return [0] * len(line_of)
    return [units.get(key, 0) for key in zip(line_of, offer_of)]


def _units(assignments, line_at: dict[str, int], offer_at: dict[str, int]) -> dict:
    total: dict[tuple[int, int], int] = defaultdict(int)
    for a in assignments:
        if a.offer_id in offer_at:  # a previous round may name an offer since withdrawn
            total[line_at[a.line_id], offer_at[a.offer_id]] += a.units
    return dict(total)
