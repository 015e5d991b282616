"""A round, read for a person: the plain-words summary, the map, the per-firm chart,
the contracts by provider (each with its weekly load against the offer's capacity and
minimum group) and the unmet demand by reason, from the operator API's round detail
and the network's lines (which say where each line is)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from markupsafe import Markup

from services.common.i18n import Names, Texts, formats, words
from services.console.charts import Bar, Place, WeekLoad, load_chart, week_short
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
    unmet: list[dict]
    selected: Place | None = None
    selected_lines: list[dict] = field(default_factory=list)
    providers: list[ProviderContracts] = field(default_factory=list)


# Beyond the first few providers (and the one asked for, ``?provider=``) the page
# lists each contract's terms but not its chart and table: a round of a province has
# some 40 providers and hundreds of group contracts, 2 MB of charts if all were drawn.
OPEN_PROVIDERS = 3


@dataclass
class OfferContract:
    """One offer's group contract: the pooled firms, its tier and price, and its weekly
    load against the offer's capacity and minimum group (as the round's snapshot had
    them; None where the round detail does not say)."""

    offer_id: str
    offer: str  # "name (id)" where a name is known
    firms: list[str]
    tier: int
    price: str
    volume: str
    capacity: int | None
    minimum: int | None
    weeks: list[WeekLoad]
    t: Texts

    # The title, the table and the chart are made when the page shows them: only the
    # open providers' are (at 1k lines, making every contract's took a second).
    @cached_property
    def title(self) -> str:
        t = self.t
        return say(t, "Weekly load of {offer} against its capacity ({capacity}) and minimum "
                      "group ({minimum})", offer=self.offer,
                   capacity=formats.number(t, self.capacity),
                   minimum=formats.number(t, self.minimum))

    @cached_property
    def rows(self) -> list[dict]:
        """Per week: the same figures as the chart, as text."""
        t = self.t
        capacity, minimum = formats.number(t, self.capacity), formats.number(t, self.minimum)
        return [{"week": formats.week(t, w.week), "short": week_short(t, w.week),
                 "units": formats.number(t, w.units) if w.running
                 else say(t, "does not run"), "capacity": capacity, "minimum": minimum}
                for w in self.weeks]

    @cached_property
    def chart(self) -> Markup:
        """Drawn when the page shows it: a folded provider's charts are not sent."""
        return load_chart(self.t, self.title, self.weeks, self.capacity, self.minimum)


@dataclass
class ProviderContracts:
    provider_id: str
    provider: str
    response: str
    offers: list[OfferContract]
    volume: str  # unit-weeks over its offers
    open: bool = False  # shown in full: its contracts' charts and tables


def served_unit_weeks(detail: dict) -> dict[str, int]:
    """Unit-weeks served per demand line, over every contract of the round."""
    served: dict[str, int] = defaultdict(int)
    for contract in detail.get("contracts", []):
        for offer in contract["offers"]:
            for line in offer["lines"]:
                served[line["line_id"]] += line["unit_weeks"]
    return served


def build_report(t: Texts, detail: dict, network: Network, comune: str | None,
                 provider: str | None = None) -> Report:
    # The round's own names (its snapshot's) where the network's today's are missing.
    named = Names(_names_in(detail), network.names, detail.get("names"))
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
    unmet = [{"reason": words.reason(t, g["reason"]),
              "units": formats.number(t, g["units"]),
              "lines": [{"firm": named(line["firm_id"]), "line": line["line_id"],
                         "units": formats.number(t, line["units"]),
                         "change": words.change(t, g["reason"], line.get("change"),
                                                line["units"], line["firm_id"], named)}
                        for line in g["lines"][:8]],
              "more": max(len(g["lines"]) - 8, 0)}
             for g in detail.get("unmet", [])]
    report = Report(headline, details, places, bars, firm_rows, unmet)
    report.providers = provider_contracts(t, detail, named, provider)
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


def provider_contracts(t: Texts, detail: dict, named: Names,
                       chosen: str | None = None) -> list[ProviderContracts]:
    """The round's contracts by provider (by name), each offer with its load chart;
    the first few providers open, and the one ``chosen``."""
    found = []
    for contract in detail.get("contracts", []):
        offers = [_offer_contract(t, offer, named) for offer in contract["offers"]]
        found.append(ProviderContracts(
            provider_id=contract["provider_id"], provider=named(contract["provider_id"]),
            response=words.response(t, contract["response"]) if contract.get("response")
            else "", offers=offers, volume=formats.number(t, sum(
                o["volume_unit_weeks"] for o in contract["offers"]))))
    found.sort(key=lambda p: (p.provider.casefold(), p.provider_id))
    for i, shown in enumerate(found):
        shown.open = i < OPEN_PROVIDERS or shown.provider_id == chosen
    return found


def _offer_contract(t: Texts, offer: dict, named: Names) -> OfferContract:
    capacity, minimum = offer.get("capacity_per_week"), offer.get("min_group_per_week")
    weeks = contract_weeks(offer.get("running_weeks") or [], offer.get("weekly_load") or {})
    name = offer["offer_id"]  # under its provider's heading: the provider's name once is enough
    return OfferContract(
        offer_id=offer["offer_id"], offer=name,
        firms=sorted({named(line["firm_id"]) for line in offer["lines"]}),
        tier=offer["tier_index"] + 1, price=formats.money(t, offer["unit_price_eur"]),
        volume=formats.number(t, offer["volume_unit_weeks"]), capacity=capacity,
        minimum=minimum, weeks=weeks, t=t)


def contract_weeks(running: list[str], load: dict[str, int]) -> list[WeekLoad]:
    """Every ISO week from the contract's first to its last, a week it does not run
    included (shown empty, said so), so the weeks on the chart are evenly spaced."""
    known = set(running) | {w for w, units in load.items() if units}
    if not known:
        return []
    monday, _ = formats.week_dates(min(known))
    last, _ = formats.week_dates(max(known))
    weeks = []
    while monday <= last:
        year, number, _ = monday.isocalendar()
        week = f"{year}-W{number:02d}"
        weeks.append(WeekLoad(week, load.get(week, 0), week in running or bool(load.get(week))))
        monday += dt.timedelta(weeks=1)
    return weeks


def _names_in(detail: dict) -> dict[str, str]:
    """id -> name of the firms and providers the round detail names (from its snapshot)."""
    found = {f["firm_id"]: f["firm_name"] for f in detail.get("firms", []) if f.get("firm_name")}
    for contract in detail.get("contracts", []):
        if contract.get("provider_name"):
            found[contract["provider_id"]] = contract["provider_name"]
        found.update({line["firm_id"]: line["firm_name"] for offer in contract["offers"]
                      for line in offer["lines"] if line.get("firm_name")})
    return found
