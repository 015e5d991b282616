"""Queueing the latest event of every entity again, for a broker that lost its log:
``Outbox.republish``, the relay noticing offsets gone backwards, ``welfare republish``."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData, select

from schemas.examples import examples
from schemas.topics import DEMAND
from services.cli.main import main
from services.common.database import database_url as service_database_url
from services.common.database import make_engine
from services.common.metrics import ServiceMetrics
from services.common.migrations import upgrade
from services.common.outbox import Outbox, OutboxRelay, outbox_table
from services.common.settings import Settings

pytestmark = pytest.mark.postgres
EXAMPLES = {type(m).__name__: m for m in examples()}
FIRM = EXAMPLES["FirmEnrolled"]
SUBMITTED = EXAMPLES["DemandSubmitted"]
WITHDRAWN = EXAMPLES["DemandWithdrawn"]
FIRM_ID = FIRM.entity_id
SERVICES = Path(__file__).resolve().parents[2] / "services"


def firm(version: int):
    return FIRM.model_copy(update={"event_id": uuid.uuid4(), "entity_version": version})


def line(line_id: str, version: int = 1, *, withdrawn: bool = False):
    if withdrawn:
        return WITHDRAWN.model_copy(update={"event_id": uuid.uuid4(), "line_id": line_id,
                                            "entity_id": line_id, "entity_version": version})
    return SUBMITTED.model_copy(update={
        "event_id": uuid.uuid4(), "entity_id": line_id, "entity_version": version,
        "line": SUBMITTED.line.model_copy(update={"line_id": line_id})})


def make_outbox(url: str) -> tuple[Outbox, object]:
    metadata = MetaData()
    outbox = Outbox(outbox_table(metadata, "test"))
    engine = make_engine(url)
    metadata.create_all(engine)
    return outbox, engine


def put(outbox: Outbox, engine, *messages, published: bool = True) -> None:
    with engine.begin() as connection:
        outbox.add(connection, *messages)
        if published:
            t = outbox.table
            ids = [row.id for row in connection.execute(select(t.c.id).where(
                t.c.event_id.in_([str(m.event_id) for m in messages])))]
            outbox.mark_published(connection, ids)


def pending_ids(outbox: Outbox, engine) -> list[str]:
    with engine.connect() as connection:
        return [row.event_id for row in outbox.pending(connection, 1000)]


def test_the_latest_published_event_of_each_entity_is_queued_again(database_url):
    outbox, engine = make_outbox(database_url)
    try:
        old_firm, new_firm = firm(1), firm(2)
        put(outbox, engine, old_firm, new_firm)
        l1, l1_gone = line("l1"), line("l1", 2, withdrawn=True)
        put(outbox, engine, l1, l1_gone)
        l2 = line("l2")
        put(outbox, engine, l2)
        l2_next = line("l2", 2)
        put(outbox, engine, l2_next, published=False)  # its state goes out anyway
        # A line named as its firm, under the same key: another entity all the same.
        namesake = line(FIRM_ID)
        put(outbox, engine, namesake)
        # A parked row waits for a person still; the version before it is what consumers had.
        l3, l3_parked, l4_parked = line("l3"), line("l3", 2), line("l4")
        put(outbox, engine, l3)
        put(outbox, engine, l3_parked, l4_parked, published=False)
        with engine.begin() as connection:
            for row in outbox.pending(connection, 100):
                if row.event_id in (str(l3_parked.event_id), str(l4_parked.event_id)):
                    outbox.record_failure(connection, row.id, "RecordTooLargeError", park=True)

        with engine.begin() as connection:
            assert outbox.republish(connection) == 4

        # Original event ids, in the order first written: consumers drop what they had.
        assert pending_ids(outbox, engine) == [str(m.event_id) for m in (
            new_firm, l1_gone, l2_next, namesake, l3)]
        with engine.connect() as connection:
            assert [r.event_id for r in outbox.parked(connection)] == [
                str(l3_parked.event_id), str(l4_parked.event_id)]
        with engine.begin() as connection:  # nothing published since: nothing more to queue
            assert outbox.republish(connection) == 0
    finally:
        engine.dispose()


class Log:
    """A stand-in broker: acknowledges with offsets, and can lose its log."""

    def __init__(self) -> None:
        self.records: list[str] = []
        self.base = 100  # offsets the old log had reached

    async def publish(self, topic, key, value, headers):
        self.records.append(headers["event-id"])
        return SimpleNamespace(topic=topic, partition=0, offset=self.base + len(self.records))

    def lose_everything(self) -> None:
        self.records.clear()
        self.base = -1


async def test_an_acknowledgement_below_an_earlier_one_queues_the_latest_events_again(
        sqlite_url, caplog, monkeypatch):
    monkeypatch.setattr("services.common.outbox.SETTLED_S", 0.0)  # acknowledged() at once
    outbox, engine = make_outbox(sqlite_url)
    broker = Log()
    metrics = ServiceMetrics(CollectorRegistry(), "test")
    relay = OutboxRelay(outbox, engine, broker.publish, metrics)
    try:
        first = [firm(1), line("l1"), line("l2")]
        put(outbox, engine, *first, published=False)
        await relay.drain()
        assert relay.acknowledged() == {(DEMAND, 0): 103}

        broker.lose_everything()
        later = line("l3")
        put(outbox, engine, later, published=False)
        await relay.drain()  # offset 0 acknowledged after 103: the log went backwards
        await relay.drain()
        # Everything the new log should have; the line that revealed the loss went to
        # the new log already and goes again (a duplicate consumers drop).
        assert set(broker.records) == {str(m.event_id) for m in [later, *first]}
        assert metrics.registry.get_sample_value("welfare_broker_log_rewinds_total") == 1
        assert "the broker's log went backwards" in caplog.text
        assert "publishing the latest event of 4 entities again" in caplog.text
    finally:
        engine.dispose()


@pytest.fixture
def url(database_url: str, monkeypatch) -> str:
    if database_url.startswith("sqlite"):
        database_url = database_url.replace("welfare.db", "{service}.db")
    monkeypatch.setenv("WELFARE_DATABASE_URL", database_url)
    return database_url


def test_welfare_republish_queues_a_services_events_again(url, capsys):
    from services.intake.adapters.tables import outbox

    engine = make_engine(service_database_url(Settings(), "intake"))
    try:
        upgrade(engine, SERVICES / "intake" / "migrations", "intake")
        sent = [firm(1), line("l1"), line("l1", 2)]
        put(outbox, engine, *sent)
        assert pending_ids(outbox, engine) == []

        assert main(["republish", "intake"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("intake: queued the latest event of 2 entities again")
        assert pending_ids(outbox, engine) == [str(sent[0].event_id), str(sent[2].event_id)]
    finally:
        engine.dispose()


def test_welfare_republish_names_the_service_whose_tables_are_missing(url, capsys):
    if url.startswith("sqlite"):
        assert main(["republish", "all"]) == 0  # no files yet: each says so
        assert capsys.readouterr().out.count("no database yet") == 4
        Path(service_database_url(Settings(), "matcher").removeprefix("sqlite:///")).touch()
    assert main(["republish", "matcher"]) == 2
    err = capsys.readouterr().err
    assert "matcher: could not queue its events again" in err
    assert "welfare db upgrade matcher" in err
