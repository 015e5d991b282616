"""Alembic, run from code: each service migrates its own tables at start-up.

Every service keeps its migration scripts in ``services/<name>/migrations``
and its own version table (``alembic_version_<name>``), so services sharing one
PostgreSQL database never step on each other's history. A service's
``migrations/env.py`` is two lines: import its metadata, call ``run_env``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData

# Alembic's ``context`` and ``op`` are process-wide: two upgrades running at
# once in one process (several services started together, each migrating in a
# thread) would run each other's scripts against each other's databases.
_one_upgrade_at_a_time = threading.Lock()


def upgrade(engine: Engine, migrations_dir: Path, service: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.attributes["version_table"] = f"alembic_version_{service}"
    with _one_upgrade_at_a_time, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def run_env(metadata: MetaData) -> None:
    """The body of a service's env.py (online mode, connection given by ``upgrade``)."""
    config = context.config
    context.configure(
        connection=config.attributes["connection"],
        target_metadata=metadata,
        version_table=config.attributes["version_table"],
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


@dataclass(frozen=True)
class Revisions:
    """Where a service's database stands: the revisions applied and the scripts' heads."""

    current: tuple[str, ...]  # empty: never migrated
    heads: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return set(self.current) == set(self.heads)


def current(engine: Engine, migrations_dir: Path, service: str) -> Revisions:
    """Read the service's version table (creating nothing) and its scripts' heads."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    heads = ScriptDirectory.from_config(config).get_heads()
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": f"alembic_version_{service}"})
        applied = context.get_current_heads()
    return Revisions(tuple(sorted(applied)), tuple(sorted(heads)))
