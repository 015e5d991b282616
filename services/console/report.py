"""A round, read for a person: the plain-words summary, the map, the per-firm chart,
the contracts and the unmet demand by reason, from the operator API's round detail
and the network's lines (which say where each line is)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from services.common.i18n import Names, Texts, formats, words
from services.console.charts import Bar, Place
from services.console.network import Network
from services.console.texts import say, say_n
from services.scenario.municipalities import municipalities


@dataclass
class Report:
    headline: str
    details: list[str]
    places: list[Place]
    bars: list[Bar]
    firm_rows: list[dict]
    contracts: list[dict]
    unmet: list[dict]
    selected: Place | None = None
    selected_lines: list[dict] = field(default_factory=list)


def served_unit_weeks(detail: dict) -> dict[str, int]:
    """Unit-weeks served per demand line, over every contract of the round."""
    served: dict[str, int] = defaultdict(int)
    for contract in detail.get("contracts", []):
        for offer in contract["offers"]:
            for line in offer["lines"]:
                served[line["line_id"]] += line["unit_weeks"]
    return served


def build_report(t: Texts, detail: dict, network: Network, comune: str | None) -> Report:
    named = Names(network.names, detail.get("names"))
    served = served_unit_weeks(detail)
    firms = detail.get("firms", [])
    unserved = [f for f in firms if f["served_unit_weeks"] == 0]
    coverage = detail.get("coverage") or 0.0
    headline = say(t, "{share} of the care requested is served.",
                   share=formats.percent(t, coverage, 0))
    details = [say_n(t, "{n} firm gets nothing.", "{n} firms get nothing.", len(unserved))
               if unserved else say(t, "Every firm gets something.")]
    for group in detail.get("unmet", [])[:3]:
        details.append(say_n(t,
            "{n} unit not served: {reason}.", "{n} units not served: {reason}.",
            group["units"], reason=words.reason(t, group["reason"])))
    details.append(say(t, "Total cost {cost} in {contracts} group contracts.",
                       cost=formats.money(t, detail.get("total_cost_eur")),
                       contracts=formats.number(t, detail.get("contract_count") or 0)))

    places = _places(network, served)
    bars = [Bar(named(f["firm_id"]), f["coverage"], formats.percent(t, f["coverage"], 0))
            for f in sorted(firms, key=lambda f: (f["coverage"], named(f["firm_id"])))]
    firm_rows = [{"firm": named(f["firm_id"]), "coverage": formats.percent(t, f["coverage"]),
                  "served": formats.number(t, f["served_unit_weeks"]),
                  "demanded": formats.number(t, f["demanded_unit_weeks"]),
                  "cost": formats.money(t, f["cost_eur"]),
                  "budget": formats.money(t, f["budget_eur"])} for f in firms]
    contracts = []
    for contract in detail.get("contracts", []):
        for offer in contract["offers"]:
            contracts.append({
                "provider": named(contract["provider_id"]), "offer": named(offer["offer_id"]),
                "firms": sorted({named(line["firm_id"]) for line in offer["lines"]}),
                "tier": offer["tier_index"] + 1,
                "price": formats.money(t, offer["unit_price_eur"]),
                "volume": formats.number(t, offer["volume_unit_weeks"]),
                "response": words.response(t, contract.get("response"))
                if contract.get("response") else "",
            })
    unmet = [{"reason": words.reason(t, g["reason"]),
              "units": formats.number(t, g["units"]),
              "lines": [{"firm": named(line["firm_id"]), "line": line["line_id"],
                         "units": formats.number(t, line["units"]),
                         "change": words.change(t, g["reason"], line.get("change"),
                                                line["units"], line["firm_id"], named)}
                        for line in g["lines"][:8]],
              "more": max(len(g["lines"]) - 8, 0)}
             for g in detail.get("unmet", [])]
    report = Report(headline, details, places, bars, firm_rows, contracts, unmet)
    report.selected = next((p for p in places if p.code == comune), None)
    if report.selected:
        report.selected_lines = [
            {"line": line["line_id"], "firm": named(line["firm_id"]),
             "category": words.category(t, line["category"]),
             "units": formats.number(t, line["units"]),
             "weeks": formats.week_range(t, line["weeks"][0], line["weeks"][-1]),
             "served": formats.percent(t, served.get(line["line_id"], 0)
                                       / (line["units"] * len(line["weeks"])), 0)}
            for line in sorted(network.lines.values(), key=lambda line: line["line_id"])
            if line["municipality"] == comune]
    return report


def _places(network: Network, served: dict[str, int]) -> list[Place]:
    known = municipalities()
    demanded: dict[str, int] = defaultdict(int)
    got: dict[str, int] = defaultdict(int)
    for line in network.lines.values():
        code = line["municipality"]
        demanded[code] += line["units"] * len(line["weeks"])
        got[code] += served.get(line["line_id"], 0)
    return [Place(code, known[code].name, known[code].lat, known[code].lon,
                  demanded[code], min(got[code], demanded[code]))
            for code in sorted(demanded) if code in known]
