"""``welfare dead-letters list|show|replay`` against the real broker and the running matcher.

A poison DemandSubmitted (a field the schema refuses) is produced raw; the
running matcher dead-letters it. The engineer lists it, fixes the value and
replays it: the line lands in the matcher's book once, and a second replay
changes nothing (the inbox holds the event id once).
"""

from __future__ import annotations

import asyncio
import json

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from schemas.topics import DEAD_LETTER, DEMAND, encode, record_key
from services.cli.main import main
from services.common.dead_letters import dead_letter_for, dead_letter_headers
from services.matcher.adapters import tables as t
from tests.integration.matcher_service.service import (
    count,
    publish,
    read_topic,
    running_matcher,
    wait_for,
)
from tests.unit.matcher_service import builders as b

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("WELFARE_KAFKA_BOOTSTRAP", settings.kafka_bootstrap)
    # Idempotence left at its default on purpose: the command must cope with Tansu refusing it.
    monkeypatch.delenv("WELFARE_KAFKA_IDEMPOTENT_PRODUCER", raising=False)
    return settings


async def welfare(capsys, *argv: str) -> tuple[int, str, str]:
    """The CLI in-process (in a thread: it runs its own event loop)."""
    code = await asyncio.to_thread(main, list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def produce_raw(bootstrap: str, topic: str, value: bytes, key: bytes | None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def test_a_poison_fixed_and_replayed_is_applied_once_and_twice_still_once(
        cli_env, capsys, tmp_path):
    settings = cli_env
    bootstrap = settings.kafka_bootstrap
    good = b.line("line-1", "acme")
    poison = json.loads(encode(good))
    poison["line"]["units"] = "a dozen"  # the field the engineer will fix
    async with running_matcher(settings) as matcher:
        await publish(bootstrap, b.firm("acme"))
        await produce_raw(bootstrap, DEMAND, json.dumps(poison).encode(), record_key(good))
        await read_topic(bootstrap, DEAD_LETTER, lambda records: len(records) >= 1)

        code, out, _ = await welfare(capsys, "dead-letters", "list")
        assert code == 0
        header, row = out.splitlines()
        assert header.split()[:3] == ["OFFSET", "TIME", "(UTC)"]
        assert DEMAND in row and " acme " in row and "units" in row
        offset = row.split()[0]

        code, out, _ = await welfare(capsys, "dead-letters", "show", str(good.event_id))
        assert code == 0 and f"offset:           {offset}" in out
        assert '"units": "a dozen"' in out  # the original value, decoded and indented

        # Replaying the poison as it is would only dead-letter it again: refused, in words.
        code, _, err = await welfare(capsys, "dead-letters", "replay", offset)
        assert code == 2 and "line.units" in err and "dead-letter it again" in err

        fixed = tmp_path / "fixed.json"
        poison["line"]["units"] = 12
        fixed.write_text(json.dumps(poison))
        for _ in range(2):
            code, out, _ = await welfare(capsys, "dead-letters", "replay", offset,
                                         "--fixed-file", str(fixed))
            assert code == 0 and f"replayed dead letter {offset} (fixed value) to {DEMAND}" in out

        # A later event on the same key (same partition) tells that both replays were read.
        later = b.firm("acme", version=2)
        await publish(bootstrap, later)
        inbox = t.processed_events
        await wait_for(lambda: count(matcher.engine, inbox,
                                     inbox.c.event_id == str(later.event_id)),
                       what="the event behind the two replays")
        lines = t.demand_lines
        assert count(matcher.engine, lines, lines.c.line_id == "line-1") == 1
        assert count(matcher.engine, inbox, inbox.c.event_id == str(good.event_id)) == 1
        with matcher.engine.connect() as connection:
            payload = connection.execute(t.demand_lines.select().where(
                lines.c.line_id == "line-1")).one().payload
        assert json.loads(payload)["units"] == 12
        # Neither replay came back as a dead letter.
        code, out, _ = await welfare(capsys, "dead-letters", "list")
        assert len(out.splitlines()) == 2


def _record(topic: str, value: bytes, key: bytes = b"acme", offset: int = 7) -> ConsumerRecord:
    return ConsumerRecord(topic=topic, partition=2, offset=offset, timestamp=0,
                          timestamp_type=0, key=key, value=value, checksum=None,
                          serialized_key_size=len(key), serialized_value_size=len(value),
                          headers=())


async def _put_letter(bootstrap: str, letter) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            DEAD_LETTER, encode(letter), key=record_key(letter),
            headers=[(k, v.encode()) for k, v in dead_letter_headers(letter).items()])
    finally:
        await producer.stop()


async def test_a_truncated_letter_cannot_be_replayed_as_it_is_and_a_broken_one_hides_nothing(
        cli_env, capsys):
    bootstrap = cli_env.kafka_bootstrap
    value = encode(b.line("big", "acme"))
    whole_size = len(encode(dead_letter_for(_record(DEMAND, value), "matcher", "too large", 1)))
    truncated = dead_letter_for(_record(DEMAND, value), "matcher", "too large", 1,
                                max_bytes=whole_size - 100)
    assert truncated.original_value_truncated
    await _put_letter(bootstrap, truncated)
    await produce_raw(bootstrap, DEAD_LETTER, b"not a dead letter", b"x")
    whole = dead_letter_for(_record(DEMAND, value, offset=8), "matcher", "handler failed", 3)
    await _put_letter(bootstrap, whole)

    code, out, _ = await welfare(capsys, "dead-letters", "list")
    rows = out.splitlines()[1:]
    assert code == 0 and len(rows) == 3
    assert "not replayable as is" in rows[0]
    assert "unreadable dead letter" in rows[1]
    assert "handler failed" in rows[2] and " 3 " in rows[2]

    code, out, _ = await welfare(capsys, "dead-letters", "show", "0")
    kept = len(truncated.original_value_b64) * 3 // 4
    assert code == 0 and f"only the first {kept} of {len(value)} bytes were kept" in out
    assert value[:kept].decode() in out  # the prefix, as text: not JSON any more
    code, _, err = await welfare(capsys, "dead-letters", "replay", "0")
    assert code == 2
    assert "cannot be replayed as it is" in err and "--fixed-file" in err

    # Filters: by original topic, by time, by count.
    code, out, err = await welfare(capsys, "dead-letters", "list", "--topic",
                                   "welfare.capacity.v1")
    assert code == 0 and out == "" and "no dead letters matching" in err
    code, out, _ = await welfare(capsys, "dead-letters", "list", "--since", "1h",
                                 "--limit", "1")
    assert code == 0 and len(out.splitlines()) == 2 and "handler failed" in out
    code, _, err = await welfare(capsys, "dead-letters", "list", "--since", "yesterday")
    assert code == 2 and "--since 'yesterday'" in err

    code, _, err = await welfare(capsys, "dead-letters", "show", "99")
    assert code == 2 and "no dead letter is '99'" in err


def test_without_a_bootstrap_the_command_says_which_setting_is_missing(monkeypatch, capsys):
    monkeypatch.delenv("WELFARE_KAFKA_BOOTSTRAP", raising=False)
    assert main(["dead-letters", "list"]) == 2
    assert "WELFARE_KAFKA_BOOTSTRAP is not set" in capsys.readouterr().err
