"""Database engines: a SQLite file by default, PostgreSQL by URL.

``WELFARE_DATABASE_URL`` may contain ``{service}``: the default
``sqlite:///var/{service}.db`` gives each service its own file, so that
processes never contend for one SQLite lock. A PostgreSQL URL without the
placeholder puts every service in one database; their tables never collide
because each service prefixes its own.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from services.common.settings import Settings


def database_url(settings: Settings, service: str) -> str:
    url = settings.database_url.replace("{service}", service)
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        # psycopg 3 is the driver we ship; SQLAlchemy's bare name means psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args: dict = {"timeout": _BUSY_TIMEOUT_S}
        if parsed.database and parsed.database != ":memory:":
            connect_args["factory"] = _writer_class(str(Path(parsed.database).resolve()))
        engine = create_engine(url, connect_args=connect_args)
        event.listen(engine, "connect", _sqlite_pragmas)
        if "factory" in connect_args:
            event.listen(engine, "before_cursor_execute", _take_write_lock)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


_BUSY_TIMEOUT_S = 30
# Statements that never write: everything else takes the file's writer lock.
_READS = ("SELECT", "PRAGMA")


class _OneWriterAtATime(sqlite3.Connection):
    """A SQLite connection that queues for the file's writers in this process.

    SQLite lets one writer at a time; a connection that finds the file locked
    waits in SQLite's busy handler, which *sleeps* (1, 2, 5 ... up to 100 ms)
    and tries again, whenever the lock was freed. With a few request threads
    writing at once most of their time went to those sleeps (intake over HTTP:
    25 requests/s on 2 cores, 41 % of the worker threads' time in the first
    UPDATE of each transaction, BENCHMARKS.md). So the first writing statement
    of a transaction first takes a lock shared by every connection of this
    process to the file, which wakes the next writer the moment the last one
    commits or rolls back. Other processes on the file (a CLI, a second
    service) still meet SQLite's own lock and busy handler, as before; one
    stuck past the busy timeout falls through to them as well.
    """

    writers: threading.Lock  # set on the subclass made for each file
    _holds = False

    def take_write_lock(self) -> None:
        if not self._holds:
            self._holds = self.writers.acquire(timeout=_BUSY_TIMEOUT_S)

    def _let_go(self) -> None:
        if self._holds:
            self._holds = False
            self.writers.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go()


_writer_classes: dict[str, type[_OneWriterAtATime]] = {}
_writer_classes_lock = threading.Lock()


def _writer_class(path: str) -> type[_OneWriterAtATime]:
    """One class, and so one lock, per database file: every engine on it shares them."""
    with _writer_classes_lock:
        found = _writer_classes.get(path)
        if found is None:
            found = _writer_classes[path] = type(
                "OneWriterAtATime", (_OneWriterAtATime,), {"writers": threading.Lock()})
        return found


def _take_write_lock(connection, _cursor, statement: str, _parameters, _context,
                     _executemany) -> None:
    dbapi = connection.connection.dbapi_connection
    if isinstance(dbapi, _OneWriterAtATime) and not statement.lstrip()[:6].upper().startswith(
            _READS):
        dbapi.take_write_lock()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers (the operator API) run while the matcher writes;
    # foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    _wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


_WAL_RETRY_S = 0.05


def _wal(cursor: sqlite3.Cursor, clock=time.monotonic, sleep=time.sleep) -> None:
    """``PRAGMA journal_mode=WAL``, tried again while another connection holds the file.

    Switching a file to WAL needs it to itself, and SQLite answers "database is
    locked" at once, without its busy handler: processes started together on a new
    file (migrating it, test_migrations_started_together) failed so on a loaded
    machine, one in four runs. A file already in WAL needs no switch.
    """
    deadline = clock() + _BUSY_TIMEOUT_S
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "database is locked" not in str(exc) or clock() >= deadline:
                raise
            sleep(_WAL_RETRY_S)


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


def reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False
