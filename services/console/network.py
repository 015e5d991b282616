"""What an operator's pages need about the network, gathered from intake and supply.

Firms and providers with their names, every published demand line (the round
report places lines on the map by their municipality) and every standing
offer (the overview's demand against capacity). Fetched with the operator's
own token, in one request to intake (``GET /v1/demand``) and one to supply
(``GET /v1/offers``); kept a few seconds per token, so an overview and its
refreshes do not ask each time. (A round's report does not need it: it shows
the round as solved, services/console/round_network.py.)

And how fresh the matcher's book is (``book_of``, ``freshness``): whether it has
applied everything sent to it, and when its book of the network last changed,
read afresh through the operator on every overview.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote
from zoneinfo import ZoneInfo

from services.common.i18n import Texts, formats
from services.console.apis import ApiRefused, Apis, ServiceDown, gather_limited
from services.console.texts import say, say_n

CACHE_S = 10.0


@dataclass
class Network:
    network_id: str | None
    firms: list[dict] = field(default_factory=list)  # id, name, lines, unit_weeks, budget
    providers: list[dict] = field(default_factory=list)  # id, name, kind, offers
    lines: dict[str, dict] = field(default_factory=dict)  # line id -> line (with firm_id)
    offers: list[dict] = field(default_factory=list)
    withheld_answers: int = 0
    # offer id -> provider id, where known: an offer is shown by its provider's name
    # ("Cooperativa Aurora (aurora.care)"), for offers have no names of their own.
    offer_providers: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> dict[str, str]:
        names = {f["id"]: f["name"] for f in self.firms}
        names.update({p["id"]: p["name"] for p in self.providers})
        names.update({offer: names[provider] for offer, provider in self.offer_providers.items()
                      if provider in names and offer not in names})
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
    # Two requests, not two per firm and provider: at 1k lines that was some 1,200
    # requests and several seconds for the first page after the cache.
    firms, suppliers = await gather_limited([apis.every_firms_demand(),
                                             apis.every_providers_offers()])
    profiles, demands = [f["profile"] for f in firms], [f["demand"] for f in firms]
    providers, offers = [p["profile"] for p in suppliers], [p["offers"] for p in suppliers]
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


# --- how fresh the matcher's book is (helper "overview") ---------------------------------

# The networks are Italian: an operator reads the matcher's times on the clock of Italy.
LOCAL_TIME = ZoneInfo("Europe/Rome")


@dataclass
class Freshness:
    state: str  # applied, pending, unknown (not measured) or unread (the matcher away)
    said: list[str]  # what the page says, sentence by sentence


async def book_of(apis: Apis, network_id: str | None) -> dict | None:
    """The matcher's book of the network, through the operator; None if it cannot say.

    Read afresh on every page, not cached: how fresh the book is is its point.
    A matcher away leaves the rest of the overview shown (it comes from intake
    and supply); a revoked token still goes to the login page.
    """
    if network_id is None:
        return None
    try:
        # Apis has no method for this route yet: its own _call, so the token and the
        # refusals are handled as for every other call.
        return await apis._call("GET", apis._urls.operator,
                                f"/v1/networks/{quote(network_id)}/book")
    except ServiceDown:
        return None
    except ApiRefused as exc:
        if exc.status in (401, 403):
            raise
        return None


def freshness(t: Texts, book: dict | None, now: dt.datetime | None = None) -> Freshness:
    """In words: has the matcher applied everything sent to it, and when did its
    book of this network last change."""
    now = now or dt.datetime.now(dt.UTC)
    if book is None:
        return Freshness("unread", [say(t, "The matcher's book could not be read just now: "
                                          "whether it has applied everything is not known.")])
    said = []
    pending, measured = book.get("unapplied_events"), _time(book.get("measured_at"))
    if pending is None or measured is None:
        state = "unknown"
        said.append(say(t, "The matcher has not yet measured how many events it still has "
                           "to apply."))
    elif pending == 0:
        state = "applied"
        said.append(say(t, "The matcher has applied everything sent to it "
                           "(measured {when}).", when=clock(t, measured, now)))
    else:
        state = "pending"
        said.append(say_n(t, "The matcher still has {n} event to apply, of all networks "
                             "(measured {when}): what was sent last may not be in its "
                             "book yet.",
                          "The matcher still has {n} events to apply, of all networks "
                          "(measured {when}): what was sent last may not be in its "
                          "book yet.",
                          pending, when=clock(t, measured, now)))
    changed = _time(book.get("changed_at"))
    if changed is None:
        said.append(say(t, "The matcher's book holds nothing of this network yet."))
    else:
        said.append(say(t, "Its book of this network holds {firms}, {lines} and {offers}; "
                           "it last changed {when}.",
                        firms=say_n(t, "{n} firm", "{n} firms", book.get("firms", 0)),
                        lines=say_n(t, "{n} demand line", "{n} demand lines",
                                    book.get("demand_lines", 0)),
                        offers=say_n(t, "{n} offer", "{n} offers", book.get("offers", 0)),
                        when=clock(t, changed, now)))
    return Freshness(state, said)


def clock(t: Texts, when: dt.datetime, now: dt.datetime) -> str:
    """"alle 09:05" today, "il 2 dicembre 2026 alle 18:40" another day: Italy's clock."""
    from babel.dates import format_time
    local, today = when.astimezone(LOCAL_TIME), now.astimezone(LOCAL_TIME).date()
    time = format_time(local, "short", locale=t.locale)
    if local.date() == today:
        return say(t, "at {time}", time=time)
    return say(t, "on {date} at {time}", date=formats.date(t, local.date()), time=time)


def _time(shown: str | None) -> dt.datetime | None:
    if not shown:
        return None
    when = dt.datetime.fromisoformat(shown)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
