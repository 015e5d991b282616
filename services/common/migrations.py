"""Alembic, run from code: each service migrates its own tables at start-up.

Every service keeps its migration scripts in ``services/<name>/migrations``
and its own version table (``alembic_version_<name>``), so services sharing one
PostgreSQL database never step on each other's history. A service's
``migrations/env.py`` is two lines: import its metadata, call ``run_env``.

Several processes of one service may start together on one database (matcher
instances sharing a PostgreSQL). Their upgrades must not race: two processes
that both find the version table missing would both create the same tables,
and the others fail on a duplicate name. So the upgrade's transaction first
takes a lock that only one process holds at a time; the later ones find the
database at head and do nothing. On PostgreSQL that is a transaction-level
advisory lock keyed by the service's version table. SQLite has no advisory
locks, and the sqlite3 module runs DDL outside any transaction (it begins one
only before INSERT, UPDATE, DELETE): there the upgrade begins with
``BEGIN IMMEDIATE``, which takes the file's write lock at once, so the tables
and the version row are written by one process in one transaction while the
others wait on the lock (busy_timeout). Several instances on one SQLite file
are not a deployment the project offers (DESIGN.md), but two processes started
by mistake must not corrupt the schema.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, text
from sqlalchemy.exc import OperationalError
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_fixed

# Alembic's ``context`` and ``op`` are process-wide: two upgrades running at
# once in one process (several services started together, each migrating in a
# thread) would run each other's scripts against each other's databases.
_one_upgrade_at_a_time = threading.Lock()


def upgrade(engine: Engine, migrations_dir: Path, service: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.attributes["version_table"] = f"alembic_version_{service}"
    with _one_upgrade_at_a_time, engine.begin() as connection:
        _one_process_at_a_time(connection, config.attributes["version_table"])
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _one_process_at_a_time(connection: Connection, version_table: str) -> None:
    """Wait for any other process upgrading this service's tables.

    Both locks last as long as the transaction: released by the commit (or
    rollback) that ends the upgrade, and if the process dies holding them.
    """
    if connection.dialect.name == "sqlite":
        _begin_immediate(connection)
        return
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                       {"key": advisory_key(f"migrations:{version_table}")})


# How long a process waits for others' upgrades of one SQLite file. SQLite's busy
# timeout (30 s) covers a write, not three other processes' whole upgrades one
# after another on a loaded machine (the CI saw "database is locked" there).
SQLITE_UPGRADE_WAIT_S = 600.0


def _begin_immediate(connection: Connection) -> None:
    """``BEGIN IMMEDIATE``, tried again while another process holds the file's write lock."""
    for attempt in Retrying(stop=stop_after_delay(SQLITE_UPGRADE_WAIT_S), wait=wait_fixed(0.2),
                            retry=retry_if_exception(_locked), reraise=True):
        with attempt:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for a PostgreSQL advisory lock named ``name``."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


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
