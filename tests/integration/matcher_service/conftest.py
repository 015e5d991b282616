"""Fixtures for the matcher service on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from services.common.consumer import Inbox
from services.common.database import make_engine
from services.common.metrics import ServiceMetrics
from services.common.migrations import upgrade
from services.matcher import tables
from services.matcher.bootstrap import MIGRATIONS, NAME
from services.matcher.handlers import Handlers


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine, MIGRATIONS, NAME)
    yield engine
    engine.dispose()


@pytest.fixture
def metrics() -> ServiceMetrics:
    return ServiceMetrics(CollectorRegistry(), NAME)


@pytest.fixture
def handlers(engine: Engine, metrics: ServiceMetrics) -> Handlers:
    return Handlers(engine, Inbox(tables.processed_events), metrics)
