"""The award on welfare.assignments.v1 carries what staffing needs, through the real broker.

Firm and provider names arrive in their enrolment events; the matcher keeps
them in its book, freezes them into the round's snapshot and writes, for every
firm line of an award, the firm's name, the municipality's code and name, the
category, the required tags and the weeks. The round detail shows the same
names next to the ids. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from schemas.topics import ASSIGNMENTS, ROUND_EVENTS
from services.cli.provider_cmd import describe_award_lines
from services.common.i18n import texts
from services.matcher.adapters import tables as t
from services.matcher.adapters.queries import get_round
from tests.integration.matcher_service.service import (
    count,
    events_of,
    has,
    publish,
    read_topic,
    running_matcher,
    wait_for,
)
from tests.unit.matcher_service import builders as b

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

CARPI = "036005"


def _with_tags(event, tags):
    field = "line" if hasattr(event, "line") else "offer"
    part = getattr(event, field)
    return event.model_copy(update={field: part.model_copy(update={"required_tags": tags}
                                                           if field == "line"
                                                           else {"tags": tags})})


def book() -> list:
    return [
        b.firm("ceramiche"), b.firm("tessile"), b.provider("gulliver"), b.provider("aurora"),
        _with_tags(b.offer("gulliver.camp", "gulliver", towns=(b.TOWN, CARPI)),
                   ["accessible"]),
        b.offer("aurora.care", "aurora", category="home_care", capacity=50),
        b.line("ceramiche.camp", "ceramiche", units=6),
        _with_tags(b.line("tessile.camp", "tessile", units=4, town=CARPI,
                          weeks=["2027-W27", "2027-W28", "2027-W30"]), ["accessible"]),
        b.line("tessile.care", "tessile", units=10, category="home_care"),
        b.line("ceramiche.far", "ceramiche", units=2, town="036001"),  # no one serves it
    ]


async def test_the_award_names_firms_places_categories_tags_and_weeks(settings):
    bootstrap = settings.kafka_bootstrap
    async with running_matcher(settings) as matcher:
        await publish(bootstrap, *book())
        await wait_for(lambda: count(matcher.engine, t.demand_lines) == 4
                       and count(matcher.engine, t.providers) == 2, what="the book")
        await publish(bootstrap, b.start_round("r1"))
        await read_topic(bootstrap, ROUND_EVENTS, has("RoundCompleted", "r1"))
        awards = {a.provider_id: a for a in events_of(
            await read_topic(bootstrap, ASSIGNMENTS, lambda r: len(r) >= 2))}

        gulliver = awards["gulliver"]
        assert gulliver.provider_name == "Gulliver"
        lines = {x.line_id: x for x in gulliver.offers[0].lines}
        camp = lines["tessile.camp"]
        assert (camp.firm_id, camp.firm_name) == ("tessile", "Tessile")
        assert (camp.municipality, camp.municipality_name) == (CARPI, "Carpi (MO)")
        assert (camp.category, camp.required_tags) == ("childcare", ["accessible"])
        assert camp.weeks == ["2027-W27", "2027-W28", "2027-W30"]
        assert camp.units == 4
        other = lines["ceramiche.camp"]
        assert (other.firm_name, other.municipality_name, other.required_tags) == (
            "Ceramiche", "Modena (MO)", [])
        (care,) = awards["aurora"].offers[0].lines
        assert (awards["aurora"].provider_name, care.firm_name, care.category) == (
            "Aurora", "Tessile", "home_care")

        printed = "\n".join(describe_award_lines(gulliver, texts("it")))
        assert "Tessile (tessile), riga tessile.camp: 4 unità a settimana" in printed
        assert "a 036005 Carpi (MO); requisiti: accessible" in printed

        detail = get_round(matcher.engine, "r1")
        providers = {c.provider_id: c.provider_name for c in detail.contracts}
        assert providers == {"aurora": "Aurora", "gulliver": "Gulliver"}
        shown = {x.line_id: x for c in detail.contracts for o in c.offers for x in o.lines}
        assert (shown["tessile.camp"].firm_name, shown["tessile.camp"].municipality_name,
                shown["tessile.camp"].category, shown["tessile.camp"].required_tags) == (
            "Tessile", "Carpi (MO)", "childcare", ["accessible"])
        assert {f.firm_id: f.firm_name for f in detail.firms} == {
            "ceramiche": "Ceramiche", "tessile": "Tessile"}
        assert [(x.line_id, x.firm_name) for u in detail.unmet for x in u.lines] == [
            ("ceramiche.far", "Ceramiche")]
