"""The migrations build exactly the tables the code declares, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from services.common.migrations import upgrade
from services.matcher.bootstrap import MIGRATIONS, NAME
from services.matcher.adapters.tables import metadata

pytestmark = pytest.mark.postgres


def test_migrations_match_the_tables_and_run_twice(engine):
    upgrade(engine, MIGRATIONS, NAME)  # already at head: nothing to do, no error
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": f"alembic_version_{NAME}"})
        assert compare_metadata(context, metadata) == []
    names = set(inspect(engine).get_table_names())
    assert f"alembic_version_{NAME}" in names
    assert all(name.startswith("matcher_") or name == f"alembic_version_{NAME}"
               for name in names)
