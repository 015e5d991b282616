"""``welfare db current|upgrade`` on SQLite and PostgreSQL, as the services name their databases."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from services.cli.db_cmd import SERVICES, migrations_dir
from services.cli.main import main
from services.common.database import database_url, make_engine
from services.common.migrations import current
from services.common.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def url(database_url: str, monkeypatch) -> str:
    if database_url.startswith("sqlite"):
        # Each service in its own file, as the default URL does.
        database_url = database_url.replace("welfare.db", "{service}.db")
    monkeypatch.setenv("WELFARE_DATABASE_URL", database_url)
    return database_url


def test_current_says_never_migrated_then_upgrade_reaches_head_then_current_says_so(
        url, capsys):
    assert main(["db", "current", "matcher"]) == 1  # behind: a script can test it
    before = capsys.readouterr().out
    assert "matcher:" in before and ("never migrated" in before or "no database yet" in before)
    if url.startswith("sqlite"):
        assert "does not exist" in before
        assert not list(_sqlite_files(url))  # looking created nothing

    assert main(["db", "upgrade", "matcher"]) == 0
    out = capsys.readouterr().out
    engine = make_engine(database_url(Settings(), "matcher"))
    try:
        revisions = current(engine, migrations_dir("matcher"), "matcher")
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert revisions.at_head and revisions.current
    assert f"upgraded from none (never migrated) to {revisions.heads[0]}" in out
    assert "alembic_version_matcher" in tables and "matcher_demand_lines" in tables
    assert not any(name.startswith("intake_") for name in tables)  # only the one asked for

    assert main(["db", "current", "matcher"]) == 0
    assert f"current {revisions.heads[0]}, head {revisions.heads[0]}, at head" in (
        capsys.readouterr().out)
    assert main(["db", "upgrade", "matcher"]) == 0
    assert "already at" in capsys.readouterr().out


def test_all_upgrades_every_service_into_its_own_version_table(url, capsys):
    assert main(["db", "upgrade", "all"]) == 0
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines()] == list(SERVICES)
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.count("at head") == len(SERVICES)
    if not url.startswith("sqlite"):
        engine = make_engine(database_url(Settings(), "any"))
        try:
            tables = set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert {f"alembic_version_{s}" for s in SERVICES} <= tables  # one database, four histories


def test_an_unreachable_database_is_one_line_naming_the_service(monkeypatch, capsys):
    monkeypatch.setenv("WELFARE_DATABASE_URL",
                       "postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    assert main(["db", "current", "supply"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("welfare: error: supply: could not read its revision on ")
    assert "secret" not in err and "***" in err


def _sqlite_files(url: str):
    from pathlib import Path

    folder = Path(url.removeprefix("sqlite:///")).parent
    return folder.glob("*.db")
