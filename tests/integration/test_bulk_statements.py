"""The batch statements of services/common/bulk.py on SQLite and PostgreSQL: they
write what they should, and say exactly which rows they wrote (issue 12, item 11).

More rows than one SQLite statement takes, a key repeated in the batch, rows
already stored at a lower, equal and higher version, NULLs and text that is
JSON itself: what the inbox and the matcher's book hand them.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import (Boolean, Column, DateTime, Integer, MetaData, String, Table, Text,
                        select)

from services.common.bulk import insert_new, upsert_newer
from services.common.database import make_engine

metadata = MetaData()
ids = Table("bulk_test_ids", metadata, Column("event_id", String(36), primary_key=True),
            Column("topic", String(200), nullable=False))
book = Table("bulk_test_book", metadata,
             Column("network_id", String(100), primary_key=True),
             Column("item_id", String(100), primary_key=True),
             Column("payload", Text, nullable=True),
             Column("withdrawn", Boolean, nullable=False),
             Column("entity_version", Integer, nullable=False),
             Column("updated_at", DateTime(timezone=True), nullable=False))

MANY = 1_234  # above the rows of one SQLite statement (500)


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    metadata.create_all(engine)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


def test_insert_new_inserts_and_names_only_the_keys_not_stored_yet(engine):
    with engine.begin() as connection:
        assert insert_new(connection, ids, ("event_id", "topic"), [("old", "t")]) == [("old",)]
    rows = [(f"e{i:05d}", "t") for i in range(MANY)] + [("old", "t"), ("e00007", "again")]
    with engine.begin() as connection:
        inserted = insert_new(connection, ids, ("event_id", "topic"), rows)
        assert insert_new(connection, ids, ("event_id", "topic"), []) == []
    assert sorted(inserted) == [(f"e{i:05d}",) for i in range(MANY)]
    with engine.connect() as connection:
        stored = dict(connection.execute(select(ids.c.event_id, ids.c.topic)).all())
    assert len(stored) == MANY + 1 and stored["e00007"] == "t" and stored["old"] == "t"


def test_upsert_newer_writes_only_higher_versions_and_names_what_it_wrote(engine):
    earlier = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)
    now = dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC)
    columns = ("network_id", "item_id", "payload", "withdrawn", "entity_version")
    with engine.begin() as connection:
        upsert_newer(connection, book, columns,
                     [("n", "lower", "{}", False, 1), ("n", "equal", '{"v":2}', False, 2),
                      ("n", "higher", '{"v":9}', False, 9)], {"updated_at": earlier})
    payload = '{"units":7,"weeks":["2027-W27"],"name":"Caffè \\"Aurora\\""}'
    rows = [("n", f"i{i:05d}", payload, False, 1) for i in range(MANY)] + [
        ("n", "lower", None, True, 2), ("n", "equal", '{"v":"x"}', False, 2),
        ("n", "higher", '{"v":"x"}', False, 3), ("m", "lower", '{"other":1}', False, 1)]
    with engine.begin() as connection:
        written = upsert_newer(connection, book, columns, rows, {"updated_at": now})
    assert sorted(written) == sorted([("n", f"i{i:05d}") for i in range(MANY)]
                                     + [("n", "lower"), ("m", "lower")])
    with engine.connect() as connection:
        stored = {(r.network_id, r.item_id): r for r in connection.execute(select(book))}
    assert len(stored) == MANY + 4
    assert (stored["n", "lower"].payload, stored["n", "lower"].withdrawn,
            stored["n", "lower"].entity_version) == (None, True, 2)
    assert stored["n", "equal"].payload == '{"v":2}'  # the same version: left alone
    assert (stored["n", "higher"].payload, stored["n", "higher"].entity_version) == ('{"v":9}', 9)
    assert stored["n", "i00042"].payload == payload
    assert stored["m", "lower"].payload == '{"other":1}'
    assert _instant(stored["n", "i00042"].updated_at) == now
    assert _instant(stored["n", "higher"].updated_at) == earlier


@pytest.mark.postgres
def test_two_transactions_recording_one_id_at_once_only_one_records_it(postgres_url):
    """Two instances of a consumer group, the same redelivered batch: the second
    insert waits for the first transaction, then finds the id recorded."""
    engine = make_engine(postgres_url)
    metadata.create_all(engine)
    try:
        first = engine.connect()
        transaction = first.begin()
        assert insert_new(first, ids, ("event_id", "topic"), [("e1", "t")]) == [("e1",)]
        outcome: list = []

        def second() -> None:
            with engine.begin() as connection:
                outcome.append(insert_new(connection, ids, ("event_id", "topic"),
                                          [("e1", "t"), ("e2", "t")]))

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.5)  # it waits on the first transaction's row
        transaction.commit()
        first.close()
        thread.join(30)
        assert outcome == [[("e2",)]]
    finally:
        metadata.drop_all(engine)
        engine.dispose()


def _instant(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive UTC; PostgreSQL an aware instant.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
