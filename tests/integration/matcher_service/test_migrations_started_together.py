"""Several matcher processes starting together on one fresh database migrate it once.

Real processes (not threads: the per-process lock in services/common/migrations.py
would hide the race), released at the same instant by a barrier.
"""

from __future__ import annotations

import multiprocessing

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.common.database import make_engine
from services.common.migrations import current, upgrade
from services.matcher.bootstrap import MIGRATIONS, NAME
from services.matcher.adapters.tables import metadata

pytestmark = pytest.mark.postgres

PROCESSES = 4


def _migrate(url: str, barrier, errors) -> None:
    engine = make_engine(url)
    try:
        barrier.wait(30)
        upgrade(engine, MIGRATIONS, NAME)
    except Exception as exc:  # noqa: BLE001 - reported to the test
        errors.put(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        engine.dispose()


@pytest.mark.parametrize("attempt", range(2))
def test_processes_started_together_migrate_once(database_url, attempt):
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    context = multiprocessing.get_context("spawn")
    barrier, errors = context.Barrier(PROCESSES), context.Queue()
    processes = [context.Process(target=_migrate, args=(url, barrier, errors))
                 for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == []
    assert all(process.exitcode == 0 for process in processes)
    engine = make_engine(url)
    try:
        assert current(engine, MIGRATIONS, NAME).at_head
        with engine.connect() as connection:
            migration = MigrationContext.configure(
                connection, opts={"version_table": f"alembic_version_{NAME}"})
            assert compare_metadata(migration, metadata) == []
    finally:
        engine.dispose()
