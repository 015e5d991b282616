"""An unmet line in the round detail says where and what it asks, as a contract line does.

The console's round report places the round's own lines on its map from the
detail alone (contract lines and unmet lines), so an unmet line carries its
municipality, category and weeks from the round's snapshot. SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from services.matcher.adapters.queries import get_round
from tests.integration.matcher_service.conftest import run_inline
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres


async def test_an_unmet_line_names_its_municipality_category_and_weeks(engine, handlers):
    book = [*b.small_book(),
            # 30 places asked of an offer with 20: 10 of them go unmet.
            b.line("ceramiche.camp", "ceramiche", units=30, version=2),
            b.line("tessile.nurse", "tessile", units=3, category="babysitting")]  # no offer
    for event in [*book, b.start_round("r1")]:
        if type(event).__name__ == "StartRound":
            await handlers.start_round(event)
        else:
            await handlers.book(event)
    assert run_inline(engine) == "r1"
    detail = get_round(engine, "r1")
    unmet = {x.line_id: x for group in detail.unmet for x in group.lines}
    assert set(unmet) >= {"ceramiche.camp", "tessile.nurse"}
    nurse = unmet["tessile.nurse"]
    assert (nurse.municipality, nurse.municipality_name, nurse.category) == (
        b.TOWN, "Modena (MO)", "babysitting")
    assert nurse.weeks == list(b.SUMMER)
    camp = unmet["ceramiche.camp"]
    served = sum(x.units for c in detail.contracts for o in c.offers for x in o.lines
                 if x.line_id == "ceramiche.camp")
    assert served + camp.units == 30  # what the report adds up to the line's units
    assert camp.weeks == list(b.SUMMER) and camp.category == "childcare"


async def test_the_detail_says_whose_every_offer_is(engine, handlers):
    """A reason's smallest change names an offer, perhaps one no contract uses: the
    detail maps every offer of the snapshot to its provider, and names the providers."""
    book = [*b.small_book(), b.provider("idle"), b.offer("idle.care", "idle",
                                                       category="home_care", capacity=1)]
    for event in [*book, b.start_round("r1")]:
        if type(event).__name__ == "StartRound":
            await handlers.start_round(event)
        else:
            await handlers.book(event)
    assert run_inline(engine) == "r1"
    detail = get_round(engine, "r1")
    assert detail.offer_providers == {"gulliver.camp": "gulliver", "aurora.care": "aurora",
                                      "idle.care": "idle"}
    assert detail.provider_names == {"gulliver": "Gulliver", "aurora": "Aurora",
                                     "idle": "Idle"}
    assert get_round(engine, "r1") == detail  # the snapshot read once, the same answer
