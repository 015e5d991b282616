"""Migration 0006 gives rounds their phase, from 0005 with a round stored.

A round stored before it reads as having no phase (it is finished, or will be
claimed again, which writes one); downgrading drops the columns and keeps the
round. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from services.common.database import make_engine
from services.common.migrations import upgrade
from services.matcher.bootstrap import MIGRATIONS, NAME
from services.matcher.adapters.queries import get_round

pytestmark = pytest.mark.postgres

PHASE_COLUMNS = {"phase", "phase_part", "phase_parts", "phase_since"}


def _migrate(engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["version_table"] = f"alembic_version_{NAME}"
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _columns(engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("matcher_rounds")}


def test_upgrading_from_0005_gives_stored_rounds_no_phase_and_downgrading_keeps_them(
        database_url):
    engine = make_engine(database_url)
    try:
        _migrate(engine, "0005")
        assert not PHASE_COLUMNS & _columns(engine)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO matcher_rounds (round_id, network_id, first_week, last_week, "
                "dry_run, status, parameters, requested_by, command_event_id, attempts, "
                "requested_at) VALUES ('r1', 'modena', '2027-W24', '2027-W36', true, "
                "'requested', '{}', 'operator', 'e1', 0, :now)"),
                {"now": dt.datetime.now(dt.UTC)})

        upgrade(engine, MIGRATIONS, NAME)

        assert PHASE_COLUMNS <= _columns(engine)
        stored = get_round(engine, "r1")
        assert (stored.status, stored.phase, stored.part, stored.parts, stored.phase_since) == (
            "requested", None, None, None, None)

        _migrate(engine, "0005", down=True)
        assert not PHASE_COLUMNS & _columns(engine)
        with engine.connect() as connection:
            assert connection.execute(text(
                "SELECT status FROM matcher_rounds WHERE round_id = 'r1'")).scalar() == (
                "requested")
    finally:
        engine.dispose()
