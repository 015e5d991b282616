"""Poison records on the matcher's four input topics, through the real broker.

Each kind of poison is produced with a plain aiokafka producer into the same
partition as a valid event that follows it (same key). The running matcher
must dead-letter the poison once, with its reason, commit it and apply the
event behind it: a poison never stops a partition. A round command the matcher
refuses ends its round as failed, with a RoundFailed the operator can read.
"""

from __future__ import annotations

import base64
import json
import logging

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from sqlalchemy import select

from schemas.topics import (
    CAPACITY,
    DEAD_LETTER,
    DEMAND,
    PROVIDER_RESPONSES,
    ROUND_COMMANDS,
    ROUND_EVENTS,
    decode,
    encode,
    record_key,
)
from services.common.dead_letters import dead_letter_for
from services.matcher.adapters import tables as t
from services.matcher.adapters.queries import get_round, list_rounds
from tests.integration.matcher_service.service import (
    count,
    events_of,
    has,
    metric,
    publish,
    read_topic,
    round_status,
    running_matcher,
    wait_for,
)
from tests.unit.matcher_service import builders as b

JSON = [("content-type", b"application/json")]
OVERSIZED = b'{"padding": "' + b"x" * 900_000 + b'"}'

# kind: (value, headers, what the dead letter's error must say)
POISONS = {
    "nested": (b"[" * 1500, [], "nested too deeply"),
    "not JSON": (b"not json at all", JSON, "Invalid JSON"),
    "invalid UTF-8": (b"\xff\xfe\x00 broken", [("content-type", b"text/plain")], "not UTF-8"),
    "empty": (b"", JSON, "has no value"),
    "oversized": (OVERSIZED, JSON, ""),
    "wrong shape": (b"[1, 2, 3]", JSON, "is not an event of"),
}


def _followers(topic: str) -> list:
    """One valid event per poison kind, keyed as the poison is, each applicable in turn."""
    if topic == DEMAND:
        return [b.firm("poisoned", version=v) for v in range(1, 7)]
    if topic == CAPACITY:
        return [b.again(b.provider("poisoned"), entity_version=v) for v in range(1, 7)]
    if topic == ROUND_COMMANDS:
        return [b.start_round(f"after-{i}", dry_run=True) for i in range(6)]
    return [b.accepted("r1", "gulliver", version=v) for v in range(2, 8)]


pytestmark = [pytest.mark.broker, pytest.mark.postgres]


async def test_every_kind_of_poison_is_dead_lettered_and_the_partition_moves_on(
        settings, caplog):
    caplog.set_level(logging.INFO, logger="services")
    bootstrap = settings.kafka_bootstrap
    async with running_matcher(settings) as matcher:
        # A committed round, so that providers' answers have a contract to apply to.
        await publish(bootstrap, *b.small_book())
        await wait_for(lambda: count(matcher.engine, t.demand_lines) == 3, what="the book")
        await publish(bootstrap, b.start_round("r1"))
        await read_topic(bootstrap, ROUND_EVENTS, has("RoundCompleted", "r1"))

        poisons, valid = {}, []
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            for topic in (DEMAND, CAPACITY, ROUND_COMMANDS, PROVIDER_RESPONSES):
                for (kind, (value, headers, _)), event in zip(
                        POISONS.items(), _followers(topic), strict=True):
                    key = record_key(event)
                    sent = await producer.send_and_wait(topic, value, key=key, headers=headers)
                    poisons[topic, sent.partition, sent.offset] = kind
                    # A binary header on a valid event must not stop it either.
                    after = await producer.send_and_wait(
                        topic, encode(event), key=key, headers=[("trace", b"\xff\x00")])
                    assert after.partition == sent.partition
                    valid.append(str(event.event_id))
        finally:
            await producer.stop()

        await wait_for(lambda: count(matcher.engine, t.processed_events,
                                     t.processed_events.c.event_id.in_(valid)) == len(valid),
                       what="every valid event behind a poison")
        with matcher.engine.connect() as connection:
            firm_version = connection.execute(select(t.firms.c.entity_version).where(
                t.firms.c.firm_id == "poisoned")).scalar()
        assert firm_version == 6  # applied in turn, none skipped
        assert all(round_status(matcher.engine, f"after-{i}") for i in range(6))

        letters = await read_topic(bootstrap, DEAD_LETTER, lambda r: len(r) >= len(poisons))
        assert len(letters) == len(poisons) == 24
        for raw in letters:
            letter, headers = decode(DEAD_LETTER, raw.value), dict(raw.headers)
            coordinates = (letter.original_topic, letter.original_partition,
                           letter.original_offset)
            kind = poisons[coordinates]
            value, _, says = POISONS[kind]
            assert says in letter.error, (kind, letter.error)
            assert letter.error and letter.attempts == 1
            assert headers["dlq-original-topic"] == letter.original_topic.encode()
            assert headers["dlq-original-offset"] == str(letter.original_offset).encode()
            kept = base64.b64decode(letter.original_value_b64)
            assert letter.original_value_bytes == len(value)
            if kind == "oversized":
                assert letter.original_value_truncated and headers[
                    "dlq-original-value-truncated"] == b"true"
                assert value.startswith(kept) and 500_000 < len(kept) < len(value)
            else:
                assert not letter.original_value_truncated and kept == value
        for topic in (DEMAND, CAPACITY, ROUND_COMMANDS, PROVIDER_RESPONSES):
            assert await metric(matcher.url, "welfare_dead_letters_total", topic=topic) == 6
        logged = [r.getMessage() for r in caplog.records if "dead-lettered" in r.getMessage()]
        assert len(logged) == 24
        assert any("value cut to its first" in line for line in logged)


def _start_round_json(round_id: str, parameters: dict | None = None, **changes) -> bytes:
    """A dry-run StartRound as raw JSON, with fields the schema may refuse."""
    command = json.loads(encode(b.start_round(round_id, dry_run=True)))
    command.update(changes)
    command["parameters"].update(parameters or {})
    return json.dumps(command).encode()


async def test_a_refused_round_command_ends_its_round_as_failed(settings):
    bootstrap = settings.kafka_bootstrap
    infinite = _start_round_json("infinite").replace(b'"cost_weight": 1.0',
                                                      b'"cost_weight": 1e309')
    assert b"1e309" in infinite
    backwards = _start_round_json("backwards", first_week="2027-W30", last_week="2027-W20")
    async with running_matcher(settings) as matcher:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            for value in (infinite, backwards):
                await producer.send_and_wait(ROUND_COMMANDS, value, key=b"modena")
        finally:
            await producer.stop()
        await publish(bootstrap, b.start_round("after", dry_run=True))

        records = await read_topic(bootstrap, ROUND_EVENTS, lambda r: has(
            "RoundFailed", "infinite")(r) and has("RoundFailed", "backwards")(r))
        failed = {e.round_id: e for e in events_of(records) if type(e).__name__ == "RoundFailed"}
        assert "cost_weight" in failed["infinite"].reason
        assert "last_week" in failed["backwards"].reason
        assert "dead-letter topic as welfare.round-commands.v1:" in failed["infinite"].reason
        await wait_for(lambda: round_status(matcher.engine, "after"), what="the next command")

        # What the operator reads: failed, with the reason; not requested.
        # (The operator reads them through the matcher's read API, which serves these.)
        shown = get_round(matcher.engine, "infinite")
        assert shown.status == "failed" and "cost_weight" in shown.failure_reason
        assert (shown.network_id, shown.first_week, shown.dry_run) == ("modena", "2027-W24", True)
        listed = list_rounds(matcher.engine, network="modena", limit=10)
        assert {r.round_id: r.status for r in listed}["backwards"] == "failed"
        assert await metric(matcher.url, "welfare_rounds_total", network="modena",
                            outcome="refused", kind="dry_run") == 2


# --- the matcher's answer to a refused command, on the database alone ------------------


async def test_a_refused_command_fails_its_round_once(handlers, engine):
    value = _start_round_json("refused-once", parameters={"time_limit_s": -1})
    letter = _letter(value)
    await handlers.round_refused(value, letter)
    await handlers.round_refused(value, letter)  # redelivered: nothing more
    detail = get_round(engine, "refused-once")
    assert detail.status == "failed" and detail.finished_at is not None
    assert detail.failure_reason.startswith(
        "the matcher refused the command that started this round, so the round did not run: ")
    assert count(engine, t.outbox, t.outbox.c.event_type == "RoundFailed") == 1
    with engine.connect() as connection:
        event = decode(ROUND_EVENTS, connection.execute(select(t.outbox.c.value)).scalar())
    assert (event.round_id, event.network_id, event.entity_version) == ("refused-once",
                                                                      "modena", 2)
    # A later, valid command for the same round id is a duplicate: the round stays failed.
    assert await handlers.start_round(b.start_round("refused-once")) == "duplicate"
    assert round_status(engine, "refused-once") == "failed"


async def test_a_refused_command_for_a_recorded_round_leaves_that_round_alone(handlers, engine):
    await handlers.start_round(b.start_round("kept"))
    value = _start_round_json("kept", parameters={"seed": -1})
    await handlers.round_refused(value, _letter(value))
    await handlers.round_refused(b"[" * 1500, _letter(b"[" * 1500))  # names no round
    assert round_status(engine, "kept") == "requested"
    assert count(engine, t.rounds) == 1 and count(engine, t.outbox) == 0


def _letter(value: bytes):
    raw = ConsumerRecord(topic=ROUND_COMMANDS, partition=0, offset=7, timestamp=0,
                         timestamp_type=0, key=b"modena", value=value, checksum=None,
                         serialized_key_size=0, serialized_value_size=0, headers=())
    return dead_letter_for(raw, "matcher.round-commands", "parameters: refused", 1)
