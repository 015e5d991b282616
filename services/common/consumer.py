"""Consuming the public topics safely: decode, retry, dead-letter, carry on.

``guarded(...)`` wraps a plain handler ``async (message) -> None`` for a
FastStream subscriber. A record that is not valid JSON or not a valid event
goes to ``welfare.dead-letter.v1`` at once; a handler that keeps failing goes
there after ``max_attempts``; either way the offset is committed and the
consumer carries on. Only a failure to dead-letter (the broker is away) leaves
the record uncommitted, to be delivered again.

The dead-letter record repeats the facts in headers (``dlq-original-topic``,
``dlq-original-partition``, ``dlq-original-offset``, ``dlq-error``,
``dlq-attempts``, ``dlq-consumer-group``). Its event id is derived from the
original record's coordinates, so a redelivery dead-letters it under the same id.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import uuid
from collections.abc import Awaitable, Callable

from faststream.kafka import KafkaMessage
from pydantic import BaseModel, ValidationError
from sqlalchemy import Column, Connection, DateTime, MetaData, String, Table, func, insert, select

from schemas.dead_letter import MessageDeadLettered
from schemas.topics import DEAD_LETTER, decode, encode, record_key
from services.common.errors import describe
from services.common.logs import bind
from services.common.metrics import ServiceMetrics

log = logging.getLogger(__name__)

Handler = Callable[[BaseModel], Awaitable[None]]
Publish = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[object]]

_DLQ_NAMESPACE = uuid.UUID("6b1f2c1e-3f57-4d0e-9a51-0d2a7c5e9b10")


def dead_letter_for(record, group: str, error: str, attempts: int) -> MessageDeadLettered:
    coordinates = f"{record.topic}:{record.partition}:{record.offset}"
    key = record.key
    return MessageDeadLettered(
        event_id=uuid.uuid5(_DLQ_NAMESPACE, f"{group}:{coordinates}"),
        entity_id=coordinates,
        entity_version=1,
        original_topic=record.topic,
        original_partition=record.partition,
        original_offset=record.offset,
        original_key=_key_text(key),
        original_value_b64=base64.b64encode(record.value or b"").decode(),
        consumer_group=group,
        error=error[:4000],
        attempts=attempts,
    )


def _key_text(key: bytes | None) -> str | None:
    if key is None:
        return None
    try:
        return key.decode()
    except UnicodeDecodeError:
        return base64.b64encode(key).decode()


def dead_letter_headers(letter: MessageDeadLettered) -> dict[str, str]:
    return {
        "event-type": "MessageDeadLettered",
        "event-id": str(letter.event_id),
        "dlq-original-topic": letter.original_topic,
        "dlq-original-partition": str(letter.original_partition),
        "dlq-original-offset": str(letter.original_offset),
        "dlq-error": letter.error[:500],
        "dlq-attempts": str(letter.attempts),
        "dlq-consumer-group": letter.consumer_group,
    }


def guarded(
    handler: Handler,
    *,
    group: str,
    publish: Publish,
    metrics: ServiceMetrics | None = None,
    max_attempts: int = 3,
    retry_delay_s: float = 0.2,
) -> Callable[..., Awaitable[None]]:
    """A FastStream handler (taking the raw ``KafkaMessage``) around ``handler``.

    Subscribe it with ``ack_policy=AckPolicy.NACK_ON_ERROR``: it returns
    normally once the record is handled or dead-lettered (commit), and raises
    only when dead-lettering itself failed (rewind, deliver again).
    """

    # FastStream hands over the raw record only to a parameter annotated so.
    async def on_record(message: KafkaMessage) -> None:
        record = message.raw_message
        try:
            event = decode(record.topic, record.value)
        except (ValidationError, KeyError) as exc:
            error = describe(exc) if isinstance(exc, ValidationError) else f"unknown topic {exc}"
            await _dead_letter(record, error, 1)
            return
        with bind(event_id=str(getattr(event, "event_id", ""))):
            for attempt in range(1, max_attempts + 1):
                try:
                    await handler(event)
                    return
                except Exception as exc:  # noqa: BLE001 - any failure counts as an attempt
                    log.warning("handler failed (attempt %d of %d): %s", attempt, max_attempts, exc)
                    last_error = f"{type(exc).__name__}: {exc}"
                    if attempt < max_attempts:
                        await asyncio.sleep(retry_delay_s * attempt)
            await _dead_letter(record, last_error, max_attempts)

    async def _dead_letter(record, error: str, attempts: int) -> None:
        letter = dead_letter_for(record, group, error, attempts)
        await publish(DEAD_LETTER, record_key(letter), encode(letter), dead_letter_headers(letter))
        log.error("dead-lettered %s: %s", letter.entity_id, error)
        if metrics:
            metrics.dead_letters.labels(record.topic).inc()

    return on_record


def inbox_table(metadata: MetaData, prefix: str) -> Table:
    """Event ids already applied, for deduplication inside the same transaction."""
    return Table(
        f"{prefix}_processed_events",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("topic", String(200), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


class Inbox:
    def __init__(self, table: Table) -> None:
        self.table = table

    def first_time(self, connection: Connection, event_id: uuid.UUID, topic: str) -> bool:
        """Record the event id; False if it was already recorded (a duplicate)."""
        t = self.table
        key = str(event_id)
        if connection.execute(select(t.c.event_id).where(t.c.event_id == key)).first():
            return False
        connection.execute(insert(t).values(event_id=key, topic=topic))
        return True
