"""Why a scenario's demand cannot all be served, seen before any solver runs.

A scenario is meant to be solvable but not trivially: the optimiser's reasons
for unmet demand should all have cases. This checks each line against the
offers one rule at a time, the way the round's compatibility rules read
(DESIGN.md), and names the first rule that leaves the line with no offer. It
also flags lines the optimiser can only serve by pooling (each compatible
offer's minimum group is above the line's units), firms whose demand at the
cheapest compatible prices exceeds their budget, and offers asked for more
units than they have.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from services.scenario.model import Scenario

# In the order the checks narrow the offers down.
NO_PROVIDER_IN_AREA = "no provider in the area"
NO_CAPACITY_IN_WEEKS = "no capacity in those weeks"
TAG_NOT_OFFERED = "tag not offered"
PRICE_ABOVE_MAXIMUM = "price above the maximum"
GROUP_BELOW_MINIMUM = "group below minimum without pooling"
BUDGET_SHORT = "firm budget short of its demand"
CAPACITY_SHORT = "offer asked for more than its capacity"


def blocked_lines(scenario: Scenario) -> dict[str, str]:
    """line_id -> the first rule that leaves the line with no compatible offer."""
    by_category = defaultdict(list)
    for _, offer in scenario.offers:
        by_category[offer.category].append(offer)
    blocked = {}
    for _, line in scenario.lines:
        offers = [o for o in by_category[line.category] if line.municipality in o.municipalities]
        checks = (
            (NO_PROVIDER_IN_AREA, lambda o: True),
            (NO_CAPACITY_IN_WEEKS, lambda o: set(line.weeks) <= set(o.weeks)),
            (TAG_NOT_OFFERED, lambda o: set(line.required_tags) <= set(o.tags)),
            (PRICE_ABOVE_MAXIMUM, lambda o: _cheapest(o) <= line.max_unit_price_eur),
        )
        for reason, fits in checks:
            offers = [o for o in offers if fits(o)]
            if not offers:
                blocked[line.line_id] = reason
                break
    return blocked


def reasons(scenario: Scenario) -> Counter:
    """How many lines, firms or offers each difficulty touches."""
    counts = Counter(blocked_lines(scenario).values())
    compatible = _compatible(scenario)
    offers = {o.offer_id: o for _, o in scenario.offers}
    budgets = {s.firm.firm_id: s.firm.welfare_budget_eur for s in scenario.firms}
    cost: dict[str, Decimal] = defaultdict(Decimal)
    asked: Counter = Counter()
    for firm_id, line in scenario.lines:
        ids = compatible.get(line.line_id, [])
        if not ids:
            continue
        if all(offers[i].min_group_per_week > line.units for i in ids):
            counts[GROUP_BELOW_MINIMUM] += 1
        if line.payer.value == "firm":
            cost[firm_id] += min(_cheapest(offers[i]) for i in ids) * line.units * len(line.weeks)
        for i in ids:
            asked[i] += line.units
    counts[BUDGET_SHORT] = sum(cost[f] > budgets[f] for f in cost)
    counts[CAPACITY_SHORT] = sum(asked[i] > offers[i].capacity_per_week for i in asked)
    return counts


def _compatible(scenario: Scenario) -> dict[str, list[str]]:
    by_category = defaultdict(list)
    for _, offer in scenario.offers:
        by_category[offer.category].append(offer)
    result = {}
    for _, line in scenario.lines:
        result[line.line_id] = [
            o.offer_id
            for o in by_category[line.category]
            if line.municipality in o.municipalities
            and set(line.weeks) <= set(o.weeks)
            and set(line.required_tags) <= set(o.tags)
            and _cheapest(o) <= line.max_unit_price_eur
        ]
    return result


def _cheapest(offer) -> Decimal:
    return min(t.unit_price_eur for t in offer.price_tiers)
