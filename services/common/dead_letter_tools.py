"""What the engineer on call does with dead letters: read them, look at one, replay it.

Reading uses a consumer without a group and commits nothing, so looking at the
dead-letter topic never consumes it. A replay republishes the original value
(or a fixed one) to the original topic with the original key, so it lands in
the same partition, behind what the consumer has already applied; consumers
drop an event id they have applied, so replaying twice changes nothing.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from schemas.dead_letter import MessageDeadLettered
from schemas.topics import DEAD_LETTER, decode
from services.common.consumer import why_unreadable

_POLL_MS = 500
# Reading stops with an error rather than hang if the end offsets are never reached.
_READ_TIMEOUT_S = 120


@dataclass(frozen=True)
class Letter:
    """One record of the dead-letter topic, read or not."""

    offset: int  # on the dead-letter topic: what `show` and `replay` take
    at: datetime  # when it was dead-lettered (the record's timestamp)
    letter: MessageDeadLettered | None
    unreadable: str | None = None  # why ``letter`` is None

    @property
    def value(self) -> bytes:
        return base64.b64decode(self.letter.original_value_b64) if self.letter else b""

    def original_event_id(self) -> str | None:
        """The event id inside the original value, when it has one to read."""
        try:
            found = json.loads(self.value).get("event_id")
        except (ValueError, AttributeError):
            return None
        return found if isinstance(found, str) else None


async def read_letters(options: dict[str, Any], *, since: datetime | None = None,
                       topic: str | None = None) -> list[Letter]:
    """Every dead letter up to the topic's current end, oldest first, without a group."""
    consumer = AIOKafkaConsumer(**options, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        await consumer.topics()  # fills the metadata partitions_for_topic reads
        partitions = [TopicPartition(DEAD_LETTER, p)
                      for p in sorted(consumer.partitions_for_topic(DEAD_LETTER) or ())]
        if not partitions:
            raise LookupError(f"the topic {DEAD_LETTER} does not exist on this Kafka")
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        letters: list[Letter] = []
        pending = {tp for tp in partitions if ends[tp] > 0}
        async with asyncio.timeout(_READ_TIMEOUT_S):
            while pending:
                batches = await consumer.getmany(*pending, timeout_ms=_POLL_MS)
                for tp, records in batches.items():
                    letters.extend(_letter(r) for r in records if r.offset < ends[tp])
                pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    letters.sort(key=lambda item: (item.at, item.offset))
    return [item for item in letters
            if (since is None or item.at >= since)
            and (topic is None or (item.letter and item.letter.original_topic == topic))]


def _letter(record) -> Letter:
    at = datetime.fromtimestamp(record.timestamp / 1000, UTC)
    try:
        return Letter(record.offset, at, decode(DEAD_LETTER, record.value))
    except Exception as exc:  # noqa: BLE001 - one bad record must not hide the others
        return Letter(record.offset, at, None, why_unreadable(DEAD_LETTER, record.value, exc))


def find(letters: list[Letter], reference: str) -> list[Letter]:
    """The letters a reference names: an offset on the dead-letter topic, the dead
    letter's event id, the original event's id, or ``topic:partition:offset``."""
    if reference.isdigit():
        return [item for item in letters if item.offset == int(reference)]
    try:
        wanted = str(uuid.UUID(reference))
    except ValueError:
        return [item for item in letters if item.letter and item.letter.entity_id == reference]
    return [item for item in letters if item.letter and (
        str(item.letter.event_id) == wanted or item.original_event_id() == wanted)]


def readable_value(value: bytes) -> str:
    """The original value for a person: indented JSON, else text, else its bytes."""
    if not value:
        return "(empty: the record had no value)"
    try:
        text = value.decode()
    except UnicodeDecodeError:
        return f"(not UTF-8 text; {len(value)} bytes) {value[:2000]!r}"
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return text


class ReplayRefused(ValueError):
    """The replay would not help: said in words, nothing is published."""


def replay_value(item: Letter, fixed: bytes | None) -> bytes:
    """The value to republish, checked against the original topic's contract first:
    a value still poison would only come back to the dead-letter topic."""
    if item.letter is None:
        raise ReplayRefused(f"dead letter at offset {item.offset} is itself unreadable "
                            f"({item.unreadable}); there is nothing to replay")
    letter = item.letter
    if fixed is None and letter.original_value_truncated:
        raise ReplayRefused(
            f"dead letter at offset {item.offset} kept only the first "
            f"{len(item.value)} of the original {letter.original_value_bytes} bytes "
            f"(too large to travel whole), so it cannot be replayed as it is: fix the value "
            f"and replay it with --fixed-file")
    value = item.value if fixed is None else fixed
    try:
        if not value:
            raise ValueError("empty")
        value.decode()
        decode(letter.original_topic, value)
    except Exception as exc:  # noqa: BLE001 - whatever is wrong, say it and publish nothing
        source = "the fixed value" if fixed is not None else "the original value"
        reason = why_unreadable(letter.original_topic, value, exc)
        raise ReplayRefused(f"{source} of dead letter at offset {item.offset} is not a valid "
                            f"event of {letter.original_topic}, so the consumer would "
                            f"dead-letter it again: {reason}") from None
    return value


async def republish(options: dict[str, Any], item: Letter, value: bytes, *,
                    idempotent: bool) -> tuple[int, int]:
    """Produce ``value`` to the original topic with the original key; (partition, offset)."""
    letter = item.letter
    key = letter.original_key.encode() if letter.original_key is not None else None
    headers = [("content-type", b"application/json"),
               ("dlq-replayed-from", f"{DEAD_LETTER}:{item.offset}".encode())]
    producer = AIOKafkaProducer(**options, enable_idempotence=idempotent, acks="all")
    await producer.start()
    try:
        sent = await producer.send_and_wait(letter.original_topic, value, key=key,
                                            headers=headers)
    finally:
        await producer.stop()
    return sent.partition, sent.offset
