"""The round detail names firms and providers, also for a round frozen before snapshots did.

A round whose stored snapshot has no names (frozen before migration 0004)
shows the names the book holds now; a snapshot's own names win. On SQLite and
PostgreSQL.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from services.matcher.adapters import tables as t
from services.matcher.adapters.queries import get_round
from tests.integration.matcher_service.conftest import run_inline
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres


async def test_a_round_without_names_in_its_snapshot_shows_the_book_s(engine, handlers):
    for event in [*b.small_book(), b.start_round("r1")]:
        if type(event).__name__ == "StartRound":
            await handlers.start_round(event)
        else:
            await handlers.book(event)
    assert run_inline(engine) == "r1"
    named = get_round(engine, "r1")
    assert {c.provider_id: c.provider_name for c in named.contracts} == {
        "aurora": "Aurora", "gulliver": "Gulliver"}

    # The snapshot as a round frozen before 0004 stored it: no names at all.
    with engine.begin() as connection:
        snapshot = json.loads(connection.execute(
            t.rounds.select().where(t.rounds.c.round_id == "r1")).first().snapshot)
        snapshot.pop("providers")
        for firm in snapshot["firms"]:
            firm.pop("name")
        connection.execute(update(t.rounds).where(t.rounds.c.round_id == "r1")
                           .values(snapshot=json.dumps(snapshot)))
        connection.execute(update(t.firms).where(t.firms.c.firm_id == "tessile")
                           .values(name="Tessile Carpi"))
        connection.execute(update(t.providers).where(t.providers.c.provider_id == "aurora")
                           .values(name=None))
    old = get_round(engine, "r1")
    assert {c.provider_id: c.provider_name for c in old.contracts} == {
        "aurora": None, "gulliver": "Gulliver"}  # None: the reader shows the id
    assert {f.firm_id: f.firm_name for f in old.firms} == {
        "ceramiche": "Ceramiche", "tessile": "Tessile Carpi"}
    lines = {x.line_id: x for c in old.contracts for o in c.offers for x in o.lines}
    assert (lines["tessile.care"].firm_name, lines["tessile.care"].category,
            lines["tessile.care"].municipality_name) == ("Tessile Carpi", "home_care",
                                                         "Modena (MO)")
