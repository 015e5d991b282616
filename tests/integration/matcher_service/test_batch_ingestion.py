"""Demand and capacity applied a fetched batch at a time, exactly once (issue 12, item 11).

One batch holds a poison record, a duplicate event id and an older version of a
line among valid events. The valid ones are applied as one by one in order
would apply them, the duplicate and the older version change nothing, the
poison is dead-lettered with its reason: on the database alone (the batch
handler) and through the broker, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select, text

from schemas.topics import DEAD_LETTER, DEMAND, decode, encode, record_key
from services.matcher.adapters import tables as t
from services.matcher.adapters.book import (APPLIED, DUPLICATE, STALE, _stored_versions,
                                   apply_book_events, book_row)
from tests.integration.matcher_service.service import count, read_topic, running_matcher, wait_for
from tests.unit.matcher_service import builders as b


def _batch() -> tuple[list, set[str]]:
    """Valid events with a duplicate and an older version among them; the event ids
    that must end in the inbox."""
    newer = b.line("l1", "ceramiche", units=7, version=3)
    older = b.line("l1", "ceramiche", units=2, version=2)  # after the newer: stale
    middle = b.line("l2", "ceramiche", units=4, version=1)
    latest = b.line("l2", "ceramiche", units=6, version=2)  # both applied, in turn
    gone = b.line_withdrawn("l3", "ceramiche", version=5)  # a tombstone first
    late = b.line("l3", "ceramiche", version=4)  # the submission behind it: stale
    events = [b.firm("ceramiche"), newer, middle, older, latest, newer, gone, late]
    return events, {str(e.event_id) for e in events}


def _book(engine) -> dict[str, tuple]:
    with engine.connect() as connection:
        rows = connection.execute(select(t.demand_lines)).all()
    return {r.line_id: (r.entity_version, r.withdrawn, r.payload) for r in rows}


def _assert_applied_as_in_order(engine) -> None:
    book = _book(engine)
    assert book["l1"][0] == 3 and '"units":7' in book["l1"][2]
    assert book["l2"][0] == 2 and '"units":6' in book["l2"][2]
    assert book["l3"][:2] == (5, True) and book["l3"][2] is None


async def test_a_batch_applies_each_event_once_and_keeps_the_highest_version(
        handlers, engine, metrics):
    # l1 is already stored at version 3 by an earlier batch: a lower one stays out.
    events, ids = _batch()
    outcomes = await handlers.book_batch(events)
    assert outcomes == [APPLIED, APPLIED, APPLIED, STALE, APPLIED, DUPLICATE, APPLIED, STALE]
    _assert_applied_as_in_order(engine)
    assert count(engine, t.processed_events) == len(ids)

    # The whole batch delivered again (a crash before the offset commit): nothing changes.
    assert await handlers.book_batch(events) == [DUPLICATE] * len(events)
    _assert_applied_as_in_order(engine)
    assert count(engine, t.processed_events) == len(ids)

    # A later batch with an older version of a stored line, new event id: stale.
    assert await handlers.book_batch([b.line("l1", "ceramiche", units=1, version=1)]) == [STALE]
    assert _book(engine)["l1"][0] == 3
    sample = metrics.registry.get_sample_value
    assert sample("welfare_events_applied_total", {"topic": DEMAND}) == 5
    assert sample("welfare_events_ignored_total", {"topic": DEMAND, "reason": "stale"}) == 3


async def test_the_version_lookup_reads_only_its_rows_on_a_table_never_analysed(engine):
    """PostgreSQL plans a statement it has prepared once; planned on the empty, fresh
    table it would read every line of the network for each lookup. After the book
    grew (no ANALYZE), a lookup of three lines reads no more than a few rows."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the plan question is PostgreSQL's")
    wanted = [b.line(f"x{i}", "ceramiche") for i in range(3)]
    rows = [book_row(e) for e in wanted]
    with engine.begin() as connection:
        for _ in range(8):  # enough executions for psycopg to prepare it, and PostgreSQL
            _stored_versions(connection, rows)  # to settle on a plan, on the empty table
        apply_book_events(connection, [b.line(f"l{i:05d}", "ceramiche") for i in range(3000)])
        before = _index_reads(connection)
        assert _stored_versions(connection, rows) == {}
        assert _index_reads(connection) - before <= 10


def _index_reads(connection) -> int:
    return connection.execute(text(
        "SELECT coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) "
        "FROM pg_stat_xact_user_tables WHERE relname = 'matcher_demand_lines'")).scalar()


@pytest.mark.broker
@pytest.mark.postgres
async def test_a_fetched_batch_with_poison_duplicate_and_older_version(settings):
    bootstrap = settings.kafka_bootstrap
    events, ids = _batch()
    # Everything in one partition, produced before the matcher starts: one fetch.
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=50)
    await producer.start()
    try:
        key = record_key(events[1])
        sends = []
        for index, event in enumerate(events):
            if index == 3:
                sends.append(await producer.send(DEMAND, b"not json at all", key=key))
            sends.append(await producer.send(DEMAND, encode(event), key=key))
        results = [await s for s in sends]
    finally:
        await producer.stop()
    assert len({r.partition for r in results}) == 1
    poison_offset = results[3].offset

    async with running_matcher(settings) as matcher:
        await wait_for(lambda: count(matcher.engine, t.processed_events) == len(ids),
                       what="the batch")
        letters = await read_topic(bootstrap, DEAD_LETTER, lambda r: len(r) >= 1)
        _assert_applied_as_in_order(matcher.engine)
        assert count(matcher.engine, t.firms) == 1
    assert len(letters) == 1
    letter = decode(DEAD_LETTER, letters[0].value)
    assert (letter.original_topic, letter.original_offset) == (DEMAND, poison_offset)
    assert "Invalid JSON" in letter.error and letter.attempts == 1


def test_a_newer_version_written_after_the_lookup_is_not_overwritten(engine, monkeypatch):
    """The upsert's own condition (stored version lower) guards the race the lookup
    cannot see: another instance, still holding a partition it is losing in a
    rebalance, writes version 5 after this batch read the versions and before it
    writes its version 4. Without the condition, version 4 would replace 5."""
    with engine.begin() as connection:
        apply_book_events(connection, [b.firm("ceramiche"),
                                       b.line("l1", "ceramiche", units=8, version=5)])
    monkeypatch.setattr("services.matcher.adapters.book._stored_versions",
                        lambda _connection, _rows: {})  # the versions read too early
    with engine.begin() as connection:
        apply_book_events(connection, [b.line("l1", "ceramiche", units=1, version=4)])
    version, _withdrawn, payload = _book(engine)["l1"]
    assert version == 5 and '"units":8' in payload
    with engine.begin() as connection:  # a really newer one still goes in
        apply_book_events(connection, [b.line("l1", "ceramiche", units=2, version=6)])
    assert _book(engine)["l1"][0] == 6
