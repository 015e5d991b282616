"""A matcher's book that knows a network, for operator tests that run no matcher.

The operator refuses a round on a network the matcher has never heard of
(no firm, provider or offer of it); these tests start rounds on networks the
book knows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from services.common.database import database_url, make_engine
from services.common.migrations import upgrade
from services.common.settings import Settings
from services.matcher.adapters import tables as t
from services.matcher.bootstrap import MIGRATIONS, NAME


def seed_network(settings: Settings, network: str = "modena") -> None:
    """One firm of ``network`` in the matcher's book, as its consumer would store it."""
    engine = make_engine(database_url(settings, "matcher"))
    try:
        upgrade(engine, MIGRATIONS, NAME)  # the matcher's own tables, as it makes them
        with engine.begin() as connection:
            connection.execute(insert(t.firms).values(
                network_id=network, firm_id=f"{network}-firm", budget_cents=100_000,
                payload=None, entity_version=1, withdrawn=False,
                updated_at=dt.datetime.now(dt.UTC)))
    finally:
        engine.dispose()


def seed_round(settings: Settings, round_id: str, *, dry_run: bool = True,
               status: str = "completed", network: str = "modena") -> None:
    """A round row in the matcher's database, as its runner would leave it (no contracts)."""
    import uuid

    from schemas.parameters import RoundParameters

    engine = make_engine(database_url(settings, "matcher"))
    try:
        upgrade(engine, MIGRATIONS, NAME)
        with engine.begin() as connection:
            connection.execute(insert(t.rounds).values(
                round_id=round_id, network_id=network, first_week="2027-W24",
                last_week="2027-W36", dry_run=dry_run, status=status,
                parameters=RoundParameters().model_dump_json(), requested_by="ops",
                command_event_id=str(uuid.uuid4()), attempts=1,
                requested_at=dt.datetime.now(dt.UTC)))
    finally:
        engine.dispose()
