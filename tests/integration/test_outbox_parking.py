"""One poisoned outbox row never blocks the rest (issue 12): it is parked, counted
and skipped; a broker outage parks nothing. Real broker, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData, Table, insert, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table

from schemas import TOPIC_OF, decode
from schemas.examples import examples
from schemas.topics import DEMAND
from services.common.database import make_engine
from services.common.kafka import KafkaConnection, declared_publish
from services.common.metrics import ServiceMetrics
from services.common.migrations import upgrade
from services.common.outbox import MAX_RECORD_BYTES, Outbox, OutboxRelay, outbox_table
from tests.integration.test_outbox_and_dead_letters import read_all

pytestmark = [pytest.mark.broker, pytest.mark.postgres]
EXAMPLES = examples()
SUBMITTED = next(m for m in EXAMPLES if type(m).__name__ == "DemandSubmitted")
WITHDRAWN = next(m for m in EXAMPLES if type(m).__name__ == "DemandWithdrawn")
SERVICES = Path(__file__).resolve().parents[2] / "services"


def submitted(firm_id: str, **line):
    """A demand line of ``firm_id``; model_copy skips validation, as a bug upstream would."""
    return SUBMITTED.model_copy(update={
        "event_id": uuid.uuid4(), "firm_id": firm_id,
        "line": SUBMITTED.line.model_copy(update=line)})


def withdrawn(firm_id: str):
    return WITHDRAWN.model_copy(update={"event_id": uuid.uuid4(), "firm_id": firm_id,
                                        "entity_version": WITHDRAWN.entity_version + 1})


def oversized(firm_id: str):
    """The issue's line: 30,000 required tags of 40 characters, about 1.3 MB."""
    tags = [f"tag-{i:05d}-" + "x" * 30 for i in range(30_000)]
    return submitted(firm_id, required_tags=tags)


def make_outbox(url: str):
    metadata = MetaData()
    outbox = Outbox(outbox_table(metadata, "test"))
    engine = make_engine(url)
    metadata.create_all(engine)
    return outbox, engine


def table_rows(outbox: Outbox, engine) -> dict[str, object]:
    with engine.connect() as db:
        return {row.event_id: row for row in db.execute(select(outbox.table)).all()}


async def wait_for(condition, timeout_s: float = 60) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.05)


async def test_an_oversized_event_is_parked_and_the_events_around_it_go_out(settings, caplog):
    outbox, engine = make_outbox(settings.database_url)
    connection = KafkaConnection.from_settings(settings)
    broker = connection.faststream_broker(client_id="parking-test")
    publish = declared_publish(broker, set(TOPIC_OF.values()))
    metrics = ServiceMetrics(CollectorRegistry(), "test")
    relay = OutboxRelay(outbox, engine, publish, metrics)
    before, poisoned = submitted("firm-a"), oversized("firm-b")
    after = withdrawn("firm-b")  # the same firm (key) withdraws: it must go out too
    assert len(poisoned.model_dump_json()) > MAX_RECORD_BYTES
    with engine.begin() as db:
        outbox.add(db, before, poisoned, after)
    caplog.set_level(logging.ERROR, logger="services.common.outbox")
    async with broker:
        await broker.start()
        await relay.drain()
    records = await read_all(settings.kafka_bootstrap, [DEMAND], 2)
    assert [decode(r.topic, r.value).event_id for r in records
            if r.key == b"firm-a"] == [before.event_id]
    assert [decode(r.topic, r.value).event_id for r in records
            if r.key == b"firm-b"] == [after.event_id]
    assert len(records) == 2

    rows = table_rows(outbox, engine)
    parked = rows[str(poisoned.event_id)]
    assert parked.parked_at is not None and parked.published_at is None
    assert parked.attempts == 1
    assert "larger than the 1048576 bytes a record may be" in parked.last_error
    assert all(rows[str(m.event_id)].published_at is not None for m in (before, after))
    with engine.connect() as db:
        assert outbox.backlog(db) == (0, None)  # parked rows are not the relay's backlog
        assert [row.event_id for row in outbox.parked(db)] == [str(poisoned.event_id)]
    assert metrics.outbox_parked._value.get() == 1
    assert metrics.outbox_parked_events.labels(DEMAND)._value.get() == 1
    assert metrics.outbox_backlog._value.get() == 0
    assert metrics.outbox_oldest_age._value.get() == 0
    logged = [r.getMessage() for r in caplog.records if "parked event" in r.getMessage()]
    assert len(logged) == 1
    assert str(poisoned.event_id) in logged[0] and "DemandSubmitted" in logged[0]
    assert DEMAND in logged[0] and "max_request_size" in logged[0]

    # Published again later (the runbook's republish), it is refused at once once more,
    # and nothing else is held back: a fresh event goes out.
    later = submitted("firm-c")
    with engine.begin() as db:
        assert outbox.unpark(db, [str(poisoned.event_id)]) == 1
        outbox.add(db, later)
    async with broker:
        await broker.start()
        await relay.drain()
    records = await read_all(settings.kafka_bootstrap, [DEMAND], 3)
    assert later.event_id in {decode(r.topic, r.value).event_id for r in records}
    assert metrics.outbox_parked_events.labels(DEMAND)._value.get() == 2
    with engine.begin() as db:
        assert outbox.drop_parked(db, [str(poisoned.event_id)]) == 1
    await relay.drain()
    assert metrics.outbox_parked._value.get() == 0
    engine.dispose()


async def test_an_event_refused_on_every_attempt_is_parked_while_others_go_out(settings):
    """The broker's own refusal (here an unknown error for one event only): the row is
    retried a bounded number of times, its key waits behind it, other keys do not."""
    outbox, engine = make_outbox(settings.database_url)
    connection = KafkaConnection.from_settings(settings)
    broker = connection.faststream_broker(client_id="refusal-test")
    real_publish = declared_publish(broker, set(TOPIC_OF.values()))
    poisoned, behind, other = submitted("firm-p"), withdrawn("firm-p"), submitted("firm-q")
    calls: list[str] = []

    async def publish(topic, key, value, headers):
        calls.append(headers["event-id"])
        if headers["event-id"] == str(poisoned.event_id):
            raise RuntimeError("the broker says this record is invalid")
        return await real_publish(topic, key, value, headers)

    metrics = ServiceMetrics(CollectorRegistry(), "test")
    relay = OutboxRelay(outbox, engine, publish, metrics, max_attempts=3, retry_delay_s=0.01,
                        idle_interval_s=0.05)
    with engine.begin() as db:
        outbox.add(db, poisoned, behind, other)
    stop = asyncio.Event()
    async with broker:
        await broker.start()
        running = asyncio.create_task(relay.run(stop))
        await wait_for(lambda: metrics.outbox_parked._value.get() == 1
                       and metrics.outbox_backlog._value.get() == 0)
        stop.set()
        await running
    assert calls.count(str(poisoned.event_id)) == 3
    # Its key waited behind it until it was parked; the other key did not wait.
    assert calls.index(str(behind.event_id)) > len(calls) - 1 - calls[::-1].index(
        str(poisoned.event_id))
    assert calls.index(str(other.event_id)) < calls.index(str(behind.event_id))
    records = await read_all(settings.kafka_bootstrap, [DEMAND], 2)
    assert {decode(r.topic, r.value).event_id for r in records} == {
        behind.event_id, other.event_id}
    row = table_rows(outbox, engine)[str(poisoned.event_id)]
    assert row.attempts == 3 and row.parked_at is not None
    assert row.last_error == "RuntimeError: the broker says this record is invalid"
    assert metrics.outbox_parked_events.labels(DEMAND)._value.get() == 1
    engine.dispose()


async def test_a_broker_outage_parks_nothing_and_loses_nothing(settings, broker):
    outbox, engine = make_outbox(settings.database_url)
    connection = KafkaConnection.from_settings(settings)
    producer = connection.faststream_broker(client_id="outage-parking-test")
    publish = declared_publish(producer, set(TOPIC_OF.values()))
    metrics = ServiceMetrics(CollectorRegistry(), "test")
    relay = OutboxRelay(outbox, engine, publish, metrics, max_backoff_s=0.3, max_attempts=1,
                        retry_delay_s=0.01)
    events = [submitted(f"firm-{i}") for i in range(4)]
    stop = asyncio.Event()
    async with producer:
        await producer.start()
        running = asyncio.create_task(relay.run(stop))
        broker.stop()
        with engine.begin() as db:
            outbox.add(db, *events)
        relay.wake()
        await wait_for(lambda: metrics.outbox_publish_failures._value.get() >= 3)
        with engine.connect() as db:
            assert outbox.backlog(db)[0] == 4
            assert outbox.parked(db) == []
        assert all(row.attempts == 0 for row in table_rows(outbox, engine).values())
        broker.start()
        await wait_for(lambda: metrics.outbox_backlog._value.get() == 0
                       and not any(r.published_at is None
                                   for r in table_rows(outbox, engine).values()))
        stop.set()
        await running
    records = await read_all(broker.bootstrap, [DEMAND], 4)
    assert {decode(r.topic, r.value).event_id for r in records} == {m.event_id for m in events}
    assert metrics.outbox_parked._value.get() == 0
    engine.dispose()


async def test_a_broker_refusing_every_event_parks_none_of_them(settings):
    """No record accepted at all: the fault is the broker's or the configuration's
    (an ACL, say), not the rows'; once it is fixed everything goes out."""
    outbox, engine = make_outbox(settings.database_url)
    connection = KafkaConnection.from_settings(settings)
    broker = connection.faststream_broker(client_id="refuse-all-test")
    real_publish = declared_publish(broker, set(TOPIC_OF.values()))
    fixed = asyncio.Event()

    async def publish(topic, key, value, headers):
        if not fixed.is_set():
            raise RuntimeError("TopicAuthorizationFailed")
        return await real_publish(topic, key, value, headers)

    metrics = ServiceMetrics(CollectorRegistry(), "test")
    relay = OutboxRelay(outbox, engine, publish, metrics, max_attempts=2, retry_delay_s=0.01,
                        max_backoff_s=0.05, idle_interval_s=0.05)
    events = [submitted(f"firm-{i}") for i in range(5)]
    with engine.begin() as db:
        outbox.add(db, *events)
    stop = asyncio.Event()
    async with broker:
        await broker.start()
        running = asyncio.create_task(relay.run(stop))
        # Well past max_attempts for the rows it tried (it tries a few, then backs off).
        await wait_for(lambda: sum(row.attempts
                                   for row in table_rows(outbox, engine).values()) >= 12)
        assert metrics.outbox_parked._value.get() == 0
        assert metrics.outbox_publish_failures._value.get() >= 1  # backed off as an outage
        fixed.set()
        await wait_for(lambda: metrics.outbox_backlog._value.get() == 0
                       and all(r.published_at is not None
                               for r in table_rows(outbox, engine).values()))
        stop.set()
        await running
    assert all(row.parked_at is None for row in table_rows(outbox, engine).values())
    records = await read_all(settings.kafka_bootstrap, [DEMAND], 5)
    assert {decode(r.topic, r.value).event_id for r in records} == {m.event_id for m in events}
    engine.dispose()


# --- the migrations: every service's outbox gets the columns, rows kept ---------

def _service_tables(service: str) -> MetaData:
    if service == "intake":
        from services.intake.adapters.tables import metadata
    elif service == "supply":
        from services.supply.adapters.tables import metadata
    elif service == "operator":
        from services.operator.adapters.tables import metadata
    else:
        from services.matcher.adapters.tables import metadata
    return metadata


@pytest.mark.parametrize("service, first", [
    ("intake", "intake_0001"), ("supply", "supply_0001"),
    ("operator", "operator_0001"), ("matcher", "0001"),
])
def test_the_migration_adds_the_parking_columns_and_keeps_pending_rows(
        database_url, service, first):
    engine = make_engine(database_url)
    migrations = SERVICES / service / "migrations"
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.attributes["version_table"] = f"alembic_version_{service}"
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, first)
    table = outbox_table(MetaData(), service)
    before = {"event_id": str(uuid.uuid4()), "event_type": "DemandSubmitted", "topic": DEMAND,
              "record_key": b"firm", "value": b"{}", "headers": json.dumps({}),
              "created_at": SUBMITTED.occurred_at}
    with engine.begin() as connection:  # a row written by the old code, not yet published
        connection.execute(insert(_old_columns(table)), [before])
    upgrade(engine, migrations, service)
    outbox = Outbox(table)
    with engine.connect() as connection:
        rows = outbox.pending(connection, 10)
        assert [(row.event_id, row.attempts, row.parked_at) for row in rows] == [
            (before["event_id"], 0, None)]
        context = MigrationContext.configure(
            connection, opts={"version_table": f"alembic_version_{service}"})
        differences = [d for d in compare_metadata(context, _service_tables(service))
                       if f"{service}_outbox" in repr(d)]
        assert differences == []
    with engine.begin() as connection:  # and back down
        config.attributes["connection"] = connection
        command.downgrade(config, first)
    engine.dispose()


def _old_columns(table: Table):
    """The outbox as migration 0001 built it (without the parking columns)."""
    return sql_table(table.name, *[sql_column(c.name) for c in table.columns
                                   if c.name not in ("id", "attempts", "last_error",
                                                     "parked_at")])
