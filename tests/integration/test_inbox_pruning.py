"""The inbox pruned on SQLite and PostgreSQL: old ids go, recent ones stay and still dedupe."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, func, insert, select

from schemas.topics import DEMAND
from services.common.database import make_engine
from services.common.inbox import Inbox, InboxPruner
from services.common.kafka import KafkaConnection
from services.common.metrics import ServiceMetrics
from services.common.migrations import upgrade
from services.common.settings import Settings
from services.matcher import bootstrap
from services.matcher.adapters import tables
from services.matcher.adapters.book import APPLIED, DUPLICATE
from services.matcher.service_layer.handlers import Handlers
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres

RETENTION = dt.timedelta(days=14)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine, bootstrap.MIGRATIONS, bootstrap.NAME)  # the table as deployed
    yield engine
    engine.dispose()


@pytest.fixture
def metrics() -> ServiceMetrics:
    return ServiceMetrics(CollectorRegistry(), bootstrap.NAME)


@pytest.fixture
def inbox() -> Inbox:
    return Inbox(tables.processed_events)


def database_now(engine: Engine) -> dt.datetime:
    # The clock that stamped the rows: the database's, so the test is not at the
    # mercy of a difference between the two clocks or a time zone.
    with engine.connect() as connection:
        stamp = connection.execute(select(func.now())).scalar_one()
    if isinstance(stamp, str):  # SQLite answers CURRENT_TIMESTAMP as UTC text
        stamp = dt.datetime.fromisoformat(stamp)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def recorded_days_ago(engine: Engine, days: float, count: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(count)]
    stamp = database_now(engine) - dt.timedelta(days=days)
    with engine.begin() as connection:
        connection.execute(insert(tables.processed_events), [
            {"event_id": i, "topic": DEMAND, "processed_at": stamp} for i in ids])
    return ids


def kept(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(select(tables.processed_events.c.event_id)))


def pruner(engine, inbox, metrics, batch=2) -> InboxPruner:
    return InboxPruner(inbox, engine, metrics, retention=RETENTION, batch=batch,
                       now=lambda: database_now(engine))


def test_ids_older_than_the_retention_go_in_batches_and_recent_ones_stay(
        engine, inbox, metrics):
    old = recorded_days_ago(engine, 30, 5)
    just_old = recorded_days_ago(engine, 14.5, 1)
    nearly_old = recorded_days_ago(engine, 13.5, 1)
    with engine.begin() as connection:  # stamped by the database's now(), as in production
        assert inbox.first_time(connection, uuid.UUID(int=1), DEMAND)

    # Batches of 2: the 6 old ids take 4 transactions (2, 2, 2, then 0).
    assert pruner(engine, inbox, metrics).prune_once() == 6

    assert kept(engine) == {*nearly_old, str(uuid.UUID(int=1))}
    assert not kept(engine) & {*old, *just_old}
    assert metrics.inbox_pruned._value.get() == 6
    assert pruner(engine, inbox, metrics).prune_once() == 0  # nothing more to do


async def test_a_recent_event_redelivered_after_pruning_is_still_a_duplicate(
        engine, inbox, metrics):
    handlers = Handlers(engine, inbox, metrics)
    line = b.line("l1", "f1", units=5)
    assert await handlers.book(line) == APPLIED
    recorded_days_ago(engine, 40, 3)

    assert pruner(engine, inbox, metrics).prune_once() == 3

    assert await handlers.book(line) == DUPLICATE  # redelivered: its id was kept
    assert metrics.events_ignored.labels(DEMAND, "duplicate")._value.get() == 1


async def test_the_loop_prunes_at_once_and_stops_when_told(engine, inbox, metrics):
    old = recorded_days_ago(engine, 20, 3)
    loop = InboxPruner(inbox, engine, metrics, retention=RETENTION, interval_s=3600,
                       now=lambda: database_now(engine))
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop))
    async with asyncio.timeout(30):
        while metrics.inbox_pruned._value.get() < 3:
            await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 30)  # not an hour: the wait ends with stop
    assert not kept(engine) & set(old)


def test_the_matcher_runs_the_pruner_with_the_retention_setting(tmp_path):
    settings = Settings(kafka_bootstrap="127.0.0.1:1", database_url=f"sqlite:///{tmp_path}/m.db",
                        data_dir=tmp_path, inbox_retention_days=21)
    service = bootstrap.build(settings, KafkaConnection.from_settings(settings))
    pruners = [loop.__self__ for loop in service.loops
               if isinstance(getattr(loop, "__self__", None), InboxPruner)]
    assert [p.retention for p in pruners] == [dt.timedelta(days=21)]
    assert pruners[0].inbox.table is tables.processed_events


def test_the_default_retention_is_longer_than_the_topics_keep_records():
    kafka_default_retention = dt.timedelta(days=7)
    assert dt.timedelta(days=Settings().inbox_retention_days) > kafka_default_retention
