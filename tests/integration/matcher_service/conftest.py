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
from services.matcher.adapters import tables
from services.matcher.bootstrap import MIGRATIONS, NAME
from services.matcher.service_layer.handlers import Handlers


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


def run_inline(engine: Engine, solve=None, owner: str = "inline") -> str | None:
    """Run the oldest runnable round in this process, as the runner would; return its id."""
    import time

    from services.common.outbox import Outbox
    from services.matcher.adapters import round_store as store
    from matcher import solve_round

    outbox = Outbox(tables.outbox)
    with engine.begin() as connection:
        claimed = store.claim_next(connection, owner, time.time(), 30.0)
    if claimed is None:
        return None
    with engine.begin() as connection:
        snapshot = store.freeze(connection, claimed, owner)
        started = store.start_round(connection, outbox, claimed, owner, snapshot, 0.0)
    result = (solve or solve_round)(snapshot, snapshot.parameters)
    with engine.begin() as connection:
        store.complete_round(connection, outbox, claimed, owner, snapshot, started.input_hash,
                             result, store.Timings(0.0, 0.0, 0.0))
    return claimed.round_id
