"""A matcher's book that knows a network, for operator tests that run no matcher.

The operator refuses a round on a network the matcher has never heard of
(no firm, provider or offer of it); these tests start rounds on networks the
book knows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from services.common.database import database_url, make_engine
from services.common.settings import Settings
from services.matcher import tables as t


def seed_network(settings: Settings, network: str = "modena") -> None:
    """One firm of ``network`` in the matcher's book, as its consumer would store it."""
    engine = make_engine(database_url(settings, "matcher"))
    try:
        t.metadata.create_all(engine, tables=[t.firms, t.providers, t.offers])
        with engine.begin() as connection:
            connection.execute(insert(t.firms).values(
                network_id=network, firm_id=f"{network}-firm", budget_cents=100_000,
                payload=None, entity_version=1, withdrawn=False,
                updated_at=dt.datetime.now(dt.UTC)))
    finally:
        engine.dispose()
