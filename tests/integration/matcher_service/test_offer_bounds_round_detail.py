"""The round detail gives each contract offer its capacity and minimum group, as the
round's snapshot froze them, so a report draws the weekly load against what the
solve saw, not against the offer as it stands today. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from services.matcher.adapters.queries import get_round
from tests.integration.matcher_service.conftest import run_inline
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres


async def test_each_offer_carries_the_bounds_of_the_round_s_snapshot(engine, handlers):
    book = [b.firm("ceramiche"), b.firm("tessile"), b.provider("gulliver"),
            b.provider("aurora"),
            b.offer("gulliver.camp", "gulliver", capacity=20, min_group=8),
            b.offer("aurora.care", "aurora", category="home_care", capacity=50),
            b.line("ceramiche.camp", "ceramiche", units=6),
            b.line("tessile.camp", "tessile", units=4),
            b.line("tessile.care", "tessile", units=10, category="home_care")]
    for event in book:
        await handlers.book(event)
    await handlers.start_round(b.start_round("r1"))
    assert run_inline(engine) == "r1"

    # The camp's offer changes after the round froze its book: the round keeps its own.
    await handlers.book(b.offer("gulliver.camp", "gulliver", capacity=12, min_group=3,
                                version=2))
    detail = get_round(engine, "r1")
    offers = {o.offer_id: o for c in detail.contracts for o in c.offers}
    assert {k: (o.capacity_per_week, o.min_group_per_week) for k, o in offers.items()} == {
        "gulliver.camp": (20, 8), "aurora.care": (50, 0)}
    assert offers["gulliver.camp"].weekly_load == {"2027-W27": 10, "2027-W28": 10}
    # Through the wire as the operator passes it on.
    dumped = detail.model_dump(mode="json")["contracts"]
    assert {o["offer_id"]: o["capacity_per_week"] for c in dumped for o in c["offers"]} == {
        "gulliver.camp": 20, "aurora.care": 50}
