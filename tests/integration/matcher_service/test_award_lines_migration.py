"""Migration 0004 gives the book's firms and providers their names, from 0003 with data.

Rows enrolled before it take the name from the profile they kept; a row with
no profile keeps none and is shown by its id. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from services.common.database import make_engine
from services.common.migrations import upgrade
from services.matcher.bootstrap import MIGRATIONS, NAME

pytestmark = pytest.mark.postgres


def _migrate_to(engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["version_table"] = f"alembic_version_{NAME}"
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_upgrading_from_0003_names_the_enrolled_firms_and_providers(database_url):
    engine = make_engine(database_url)
    try:
        _migrate_to(engine, "0003")
        now = dt.datetime.now(dt.UTC)
        profile = json.dumps({"firm_id": "ceramiche", "name": "Ceramiche Sassuolo",
                              "ateco_sector": "C", "employees": 40,
                              "welfare_budget_eur": "100000.00"})
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO matcher_firms (network_id, firm_id, budget_cents, payload, "
                "entity_version, withdrawn, updated_at) VALUES "
                "('modena', 'ceramiche', 10000000, :profile, 1, false, :now), "
                "('modena', 'bare', NULL, NULL, 2, true, :now)"),
                {"profile": profile, "now": now})
            connection.execute(text(
                "INSERT INTO matcher_providers (network_id, provider_id, payload, "
                "entity_version, withdrawn, updated_at) VALUES "
                "('modena', 'gulliver', :profile, 1, false, :now)"),
                {"profile": json.dumps({"provider_id": "gulliver", "name": "Coop Gulliver",
                                        "kind": "social_cooperative"}), "now": now})

        upgrade(engine, MIGRATIONS, NAME)

        with engine.connect() as connection:
            firms = dict(connection.execute(text(
                "SELECT firm_id, name FROM matcher_firms")).all())
            providers = dict(connection.execute(text(
                "SELECT provider_id, name FROM matcher_providers")).all())
            budget = connection.execute(text(
                "SELECT budget_cents FROM matcher_firms WHERE firm_id = 'ceramiche'")).scalar()
        assert firms == {"ceramiche": "Ceramiche Sassuolo", "bare": None}
        assert providers == {"gulliver": "Coop Gulliver"}
        assert budget == 10000000  # the rest of the row is as it was
    finally:
        engine.dispose()
