"""Fixtures for every tier: the embedded broker, SQLite and PostgreSQL.

Tiers: ``tests/unit`` needs nothing; ``tests/integration`` needs the broker or a
database; ``tests/e2e`` runs whole services. One command runs them all.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.common.embedded_broker import EmbeddedBroker
from services.common.settings import Settings
from tests.support.postgres import fresh_database, postgres_server


@pytest.fixture
def broker() -> Iterator[EmbeddedBroker]:
    """A private embedded broker per test (it starts in well under a second)."""
    with EmbeddedBroker() as embedded:
        yield embedded


@pytest.fixture
def kafka_bootstrap(broker: EmbeddedBroker) -> str:
    return broker.bootstrap


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    with fresh_database(postgres_server_url) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'welfare.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'welfare.db'}"
    else:
        server = request.getfixturevalue("postgres_server_url")
        with fresh_database(server) as url:
            yield url


@pytest.fixture
def settings(kafka_bootstrap: str, database_url: str, tmp_path) -> Settings:
    """Settings as a service would read them, pointing at this test's parts.

    The short session timeout makes consumer groups join in about a second.
    """
    return Settings(
        kafka_bootstrap=kafka_bootstrap,
        kafka_idempotent_producer=False,
        kafka_session_timeout_ms=3000,
        kafka_heartbeat_interval_ms=300,
        kafka_request_timeout_ms=3000,
        database_url=database_url,
        data_dir=tmp_path,
    )
