"""What an operator's pages need about the network, gathered from intake and supply.

Firms and providers with their names, every published demand line (the round
report places lines on the map by their municipality) and every standing
offer (the overview's demand against capacity). Fetched with the operator's
own token; kept a few seconds per token, so a report and its refreshes do not
ask intake for every firm each time.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from services.console.apis import Apis, gather_limited

CACHE_S = 10.0


@dataclass
class Network:
    network_id: str | None
    firms: list[dict] = field(default_factory=list)  # id, name, lines, unit_weeks, budget
    providers: list[dict] = field(default_factory=list)  # id, name, kind, offers
    lines: dict[str, dict] = field(default_factory=dict)  # line id -> line (with firm_id)
    offers: list[dict] = field(default_factory=list)
    withheld_answers: int = 0

    @property
    def names(self) -> dict[str, str]:
        names = {f["id"]: f["name"] for f in self.firms}
        names.update({p["id"]: p["name"] for p in self.providers})
        return names

    def demand_and_capacity(self) -> tuple[list[str], dict[str, dict[str, tuple[int, int]]]]:
        """The weeks, and per category and week: (units asked, places offered)."""
        demand: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        capacity: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        weeks: set[str] = set()
        for line in self.lines.values():
            for week in line["weeks"]:
                demand[line["category"]][week] += line["units"]
                weeks.add(week)
        for offer in self.offers:
            for week in offer["weeks"]:
                capacity[offer["category"]][week] += offer["capacity_per_week"]
                weeks.add(week)
        ordered = sorted(weeks)
        table = {category: {w: (demand[category][w], capacity[category][w]) for w in ordered}
                 for category in sorted(set(demand) | set(capacity))}
        return ordered, table


_cache: dict[str, tuple[float, Network]] = {}


async def network_of(apis: Apis, token: str) -> Network:
    cached = _cache.get(token)
    if cached and time.monotonic() - cached[0] < CACHE_S:
        return cached[1]
    network = await _gather(apis)
    _cache[token] = (time.monotonic(), network)
    return network


def forget(token: str) -> None:
    """After a change (a new round, a new line), the next page reads afresh."""
    _cache.pop(token, None)


async def _gather(apis: Apis) -> Network:
    firm_ids, provider_ids = await gather_limited([apis.firm_ids(), apis.provider_ids()])
    profiles = await gather_limited([apis.firm(f) for f in firm_ids])
    demands = await gather_limited([apis.firm_demand(f) for f in firm_ids])
    providers = await gather_limited([apis.provider(p) for p in provider_ids])
    offers = await gather_limited([apis.offers(p) for p in provider_ids])
    network = Network(network_id=next((p["network_id"] for p in profiles + providers), None))
    for profile, demand in zip(profiles, demands, strict=True):
        firm = profile["firm"]
        lines = [entry["line"] for entry in demand["lines"]]
        for line in lines:
            network.lines[line["line_id"]] = {**line, "firm_id": firm["firm_id"]}
        network.withheld_answers += demand.get("withheld_answers", 0)
        network.firms.append({
            "id": firm["firm_id"], "name": firm["name"], "lines": len(lines),
            "unit_weeks": sum(line["units"] * len(line["weeks"]) for line in lines),
            "budget": firm["welfare_budget_eur"]})
    for profile, standing in zip(providers, offers, strict=True):
        provider = profile["provider"]
        network.providers.append({"id": provider["provider_id"], "name": provider["name"],
                                  "kind": provider["kind"], "offers": len(standing)})
        network.offers += [_offer_of(entry) for entry in standing]
    network.firms.sort(key=lambda f: f["name"])
    network.providers.sort(key=lambda p: p["name"])
    return network


def _offer_of(standing: dict) -> dict:
    # A standing offer is {"offer": {...}, ...} or the offer itself; tolerate both.
    return standing.get("offer", standing)
