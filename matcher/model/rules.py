"""The round's rules for a plan given as units per pair, each stated once.

DESIGN.md ("What a matching round means"): an offer's week runs with no load or with
at least its minimum group, and never above its capacity; a contract's tier is the
highest one its volume reaches (all units), and a line is only charged a tier it may
pay; a firm that pays spends no more than its budget; a pin is kept; a line gets no
more than it asks, and a line that must be served gets all of it.

The model states the same rules as rows (constraints.py, contract_rows.py). Plans that
never become columns use these instead: the greedy repair and fill
(search/repair.py), the parts answered without a model (search/quick.py) and the
reasons for unmet demand (round/reasons.py). tests/unit/matcher/test_rules_on_units.py
holds ``broken_rules`` against the model's rows on random plans.
"""

from __future__ import annotations

from collections import defaultdict

from matcher.model.prepare import Prepared
from matcher.model.problem import Offer, ProblemData

# Euro a firm may spend past its budget and still be within it: what sums of float
# prices lose, never a cent.
BUDGET_SLACK = 1e-6


def contract_tiers(prep: Prepared, units: dict[int, int]) -> dict[int, int]:
    """Per offer with volume: the highest reachable tier its unit-weeks reach."""
    data = prep.data
    volume: dict[int, int] = defaultdict(int)
    for k, u in units.items():
        volume[data.pairs[k].offer] += u * len(data.lines[data.pairs[k].line].weeks)
    return {o: max(t for t in prep.offer_tiers[o] if data.offers[o].tiers[t].min_volume <= v)
            for o, v in volume.items() if v}


def weekly_loads(prep: Prepared, units: dict[int, int]) -> dict[tuple[int, int], int]:
    """Units per (offer, week) with a load."""
    data = prep.data
    loads: dict[tuple[int, int], int] = defaultdict(int)
    for k, u in units.items():
        if u:
            for w in data.lines[data.pairs[k].line].weeks:
                loads[data.pairs[k].offer, w] += u
    return loads


def below_minimum(offer: Offer, load: int) -> bool:
    """The week has a group, too small to run."""
    return 0 < load < offer.min_group


def closed(offer: Offer, load: int) -> bool:
    """The week does not run and would need a whole minimum group to open."""
    return load == 0 and offer.min_group > 0


def room(offer: Offer, load: int) -> int:
    """Places left in the week (negative: over capacity)."""
    return offer.capacity - load


def tier_allowed(prep: Prepared, pair: int, tier: int) -> bool:
    """The pair's line may be charged ``tier`` (its price within the line's maximum)."""
    return tier in prep.pair_tiers[pair]


def charge(prep: Prepared, pair: int, units: int, tier: int) -> float:
    """What ``units`` on ``pair`` cost at ``tier``, over the line's weeks."""
    return units * len(prep.data.lines[prep.data.pairs[pair].line].weeks) * prep.unit_price(
        pair, tier)


def spending(prep: Prepared, units: dict[int, int], tier_of: dict[int, int]) -> dict[int, float]:
    """Per paying firm: what its lines' units cost at their contracts' tiers."""
    data = prep.data
    spent: dict[int, float] = defaultdict(float)
    for k, u in units.items():
        line = data.lines[data.pairs[k].line]
        if u and line.pays_budget:
            spent[line.firm] += charge(prep, k, u, tier_of[data.pairs[k].offer])
    return spent


def over_budget(data: ProblemData, firm: int, spent: float) -> bool:
    return spent > data.budgets[firm] + BUDGET_SLACK


def broken_rules(prep: Prepared, units: dict[int, int]) -> list[str]:
    """Every rule these units break, one line each (empty: the plan keeps them all)."""
    data = prep.data
    bad = []
    served: dict[int, int] = defaultdict(int)
    for k, u in units.items():
        if u < data.pairs[k].pinned or (u and not prep.usable[k]):
            bad.append(f"pair {k}: {u} units, pinned {data.pairs[k].pinned}")
        served[data.pairs[k].line] += u
    for i, line in enumerate(data.lines):
        if served[i] > line.units or (line.must_serve and served[i] < line.units):
            bad.append(f"line {i}: {served[i]} of {line.units} units")
    for (o, w), load in weekly_loads(prep, units).items():
        offer = data.offers[o]
        if below_minimum(offer, load) or room(offer, load) < 0:
            bad.append(f"offer {o} week {w}: load {load}")
    tier_of = contract_tiers(prep, units)
    wrong_tier = [k for k, u in units.items()
                  if u and not tier_allowed(prep, k, tier_of[data.pairs[k].offer])]
    bad += [f"pair {k}: tier {tier_of[data.pairs[k].offer]} not allowed" for k in wrong_tier]
    charged = set(wrong_tier)
    allowed = {k: u for k, u in units.items() if k not in charged}
    bad += [f"firm {f}: spends {amount} of {data.budgets[f]}"
            for f, amount in spending(prep, allowed, tier_of).items()
            if over_budget(data, f, amount)]
    return bad
