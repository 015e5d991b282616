"""Consuming the public topics safely: decode, retry, dead-letter, carry on.

``guarded(...)`` wraps a plain handler ``async (message) -> None`` for a
FastStream subscriber, which is declared with ``**GUARDED`` so that every
record reaches it whatever its bytes and headers: FastStream neither decodes
the headers strictly nor parses the body (by its content-type) before the
guard runs, since a failure there would redeliver the record without end.

A record that is not a valid event (empty, not UTF-8, not JSON, nested too
deep, the wrong shape) goes to ``welfare.dead-letter.v1`` at once; a handler
that keeps failing goes there after ``max_attempts``; either way the offset is
committed and the consumer carries on. Only a failure to dead-letter (the
broker is away) leaves the record uncommitted, to be delivered again.

The dead-letter record repeats the facts in headers (``dlq-original-topic``,
``dlq-original-partition``, ``dlq-original-offset``, ``dlq-error``,
``dlq-attempts``, ``dlq-consumer-group``). Its event id is derived from the
original record's coordinates, so a redelivery dead-letters it under the same
id. A value too large to be copied whole is copied in part
(``services.common.dead_letters``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka.errors import MessageSizeTooLargeError
from faststream import AckPolicy
from faststream.kafka import KafkaMessage
from pydantic import BaseModel, ValidationError

from schemas.dead_letter import MessageDeadLettered
from schemas.topics import DEAD_LETTER, decode, encode, record_key
from services.common.dead_letters import (  # noqa: F401 - dead_letter_for is public here too
    dead_letter_for,
    dead_letter_headers,
    emptied,
)
from services.common.errors import describe
from services.common.inbox import Inbox, inbox_table  # noqa: F401 - public here, as before
from services.common.logs import bind
from services.common.metrics import ServiceMetrics
from services.common.retrying import within_attempts

log = logging.getLogger(__name__)

Handler = Callable[[BaseModel], Awaitable[None]]
# Applies the valid events of one fetched batch together (or raises: none applied).
BatchHandler = Callable[[list[BaseModel]], Awaitable[object]]
Publish = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[object]]
# Told of each dead letter with the original value, after it is on the topic.
OnDeadLettered = Callable[[bytes, MessageDeadLettered], Awaitable[None]]

# An exception's text in a dead letter or a log line; some repeat their input.
_EXCEPTION_CHARS = 1_000


async def _parse_leniently(record, default_parser) -> Any:
    """FastStream's own parser, given headers it can read: it decodes every
    header value as UTF-8, and a binary or null one would make it fail before
    the guard. A batch subscriber hands over a tuple of records."""
    if isinstance(record, tuple):
        return await default_parser(tuple(_readable(one) for one in record))
    return await default_parser(_readable(record))


def _readable(record):
    if not all(isinstance(value, bytes) and _is_utf8(value) for _, value in record.headers):
        readable = tuple((name, (value or b"").decode("utf-8", "replace").encode())
                         for name, value in record.headers)
        record = dataclasses.replace(record, headers=readable)
    return record


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode()
    except UnicodeDecodeError:
        return False
    return True


async def _body_as_bytes(message: KafkaMessage) -> bytes:
    """The value untouched: the guard decodes it, whatever the content-type says."""
    return message.body


# Subscriber options for a guarded handler: ``broker.subscriber(topic, **GUARDED, ...)``.
GUARDED: dict[str, Any] = {
    "ack_policy": AckPolicy.NACK_ON_ERROR,
    "parser": _parse_leniently,
    "decoder": _body_as_bytes,
}

# Records per batch for ``guarded_batch``: one database transaction and one offset
# commit each. Large enough that the per-transaction costs (commit, fsync, the
# pool's pre-ping, the offset commit round trip) vanish per event; small enough
# that a batch stays well inside the poll interval and its SQL parameters within
# the databases' limits.
BATCH_RECORDS = 2_000

# Records per ``handle_batch`` call (one transaction in the matcher) within a fetched
# batch: with smaller chunks the next chunk is decoded while the database applies this
# one. On the shared 2-core machine of BENCHMARKS.md chunks of 500 showed no gain (both
# cores were busy with other work: nothing to overlap into) and no clear cost, within
# the noise: so by default a chunk is the fetched batch, one transaction, as before.
CHUNK_RECORDS = BATCH_RECORDS

# Subscriber options for ``guarded_batch``: ``broker.subscriber(topic, **GUARDED_BATCH, ...)``.
# ``getmany`` returns at once what is fetched; the timeout only bounds an idle wait.
GUARDED_BATCH: dict[str, Any] = {
    **GUARDED, "batch": True, "max_records": BATCH_RECORDS, "batch_timeout_ms": 100,
}


def why_unreadable(topic: str, value: bytes | None, exc: BaseException) -> str:
    """Why a record is not an event of its topic, in words naming the fault."""
    if isinstance(exc, KeyError):
        return f"unknown topic {topic!r}: this consumer has no schema for it"
    if not value:
        return "the record has no value (empty or a tombstone); a JSON event was expected"
    try:
        value.decode()
    except UnicodeDecodeError as bad:
        return (f"the value is not UTF-8 text (byte 0x{value[bad.start]:02x} at position "
                f"{bad.start} is invalid); a JSON event was expected")
    if isinstance(exc, ValidationError):
        text = describe(exc)
        if "recursion limit exceeded" in text:
            return f"{text} (the JSON is nested too deeply to be an event)"
        if all(_at_root(error["loc"]) for error in exc.errors()):
            return f"the value is not an event of {topic}: {text}"  # no field to name
        return text
    return f"the value could not be decoded: {_exception_text(exc)}"


def _at_root(location: tuple) -> bool:
    # A discriminated union puts the member it tried (a class name) in the path.
    return all(isinstance(step, str) and step[:1].isupper() for step in location)


def _exception_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:_EXCEPTION_CHARS]}"


def _decoded(record) -> BaseModel:
    """The record's event, or an exception saying why it is none."""
    if not record.value:
        raise ValueError("empty")  # pydantic would only say "EOF"
    record.value.decode()  # pydantic would say "expected value", not why
    return decode(record.topic, record.value)


def guarded(
    handler: Handler,
    *,
    group: str,
    publish: Publish,
    metrics: ServiceMetrics | None = None,
    max_attempts: int = 3,
    retry_delay_s: float = 0.2,
    on_dead_lettered: OnDeadLettered | None = None,
) -> Callable[..., Awaitable[None]]:
    """A FastStream handler (taking the raw ``KafkaMessage``) around ``handler``.

    Subscribe it with ``**GUARDED``: it returns normally once the record is
    handled or dead-lettered (commit), and raises only when dead-lettering
    itself failed (rewind, deliver again). ``on_dead_lettered`` lets the
    service answer for what it refused (the matcher fails a refused round);
    it is tried like a handler and its failure never holds the partition.
    """
    guard = _Guard(group, publish, metrics, max_attempts, retry_delay_s, on_dead_lettered)

    # FastStream hands over the raw record only to a parameter annotated so.
    async def on_record(message: KafkaMessage) -> None:
        await guard.one(handler, message.raw_message)

    return on_record


def guarded_batch(
    handle_batch: BatchHandler,
    handler: Handler,
    *,
    group: str,
    publish: Publish,
    metrics: ServiceMetrics | None = None,
    max_attempts: int = 3,
    retry_delay_s: float = 0.2,
    on_dead_lettered: OnDeadLettered | None = None,
    chunk_records: int = CHUNK_RECORDS,
) -> Callable[..., Awaitable[None]]:
    """A FastStream batch handler: the fetched records applied together.

    Subscribe it with ``**GUARDED_BATCH``. Every record is decoded on its own;
    the poison among them is dead-lettered exactly as ``guarded`` does, and the
    valid events go to ``handle_batch`` (the matcher applies them in one
    transaction, the inbox with them), ``chunk_records`` at a time (by default
    the whole fetched batch) and in their order; with smaller chunks, the next
    chunk is decoded while one is applied (in a worker thread, or on the
    database's side), so that the two can overlap instead of adding up.
    Should a chunk keep failing, each of its events is tried alone through
    ``handler``, with its own attempts and dead letter, so that one bad event
    never holds back the others. The offsets are committed once this returns;
    it raises only when dead-lettering failed (the whole batch is delivered
    again, and the inbox turns what was applied into duplicates).
    """
    guard = _Guard(group, publish, metrics, max_attempts, retry_delay_s, on_dead_lettered)

    async def apply(chunk: list[tuple[Any, BaseModel]]) -> None:
        if not await guard.attempts(lambda: handle_batch([e for _, e in chunk]),
                                    f"batch of {len(chunk)}"):
            log.warning("a batch of %d event(s) kept failing: applying them one at a time",
                        len(chunk))
            for record, _ in chunk:
                await guard.one(handler, record)

    async def on_batch(message: KafkaMessage) -> None:
        records = message.raw_message
        if not isinstance(records, tuple):
            records = (records,)
        poison: list[tuple[Any, str]] = []
        applying: asyncio.Task | None = None
        try:
            for start in range(0, len(records), chunk_records):
                valid: list[tuple[Any, BaseModel]] = []
                for record in records[start:start + chunk_records]:
                    try:
                        valid.append((record, _decoded(record)))
                    except Exception as exc:  # noqa: BLE001 - whatever the bytes, it is poison
                        poison.append((record, why_unreadable(record.topic, record.value, exc)))
                if applying is not None:
                    await applying  # one chunk at a time, in order: per-key order holds
                    applying = None
                if valid:
                    applying = asyncio.create_task(apply(valid))
                    # Let it start (hand its work to its thread) before the next decode.
                    await asyncio.sleep(0)
            if applying is not None:
                await applying
                applying = None
        finally:
            if applying is not None:  # this call was cancelled: so is the chunk's
                applying.cancel()
        for record, error in poison:
            await guard.dead_letter(record, error, 1)

    return on_batch


class _Guard:
    """What ``guarded`` and ``guarded_batch`` share: attempts and dead letters."""

    def __init__(self, group: str, publish: Publish, metrics: ServiceMetrics | None,
                 max_attempts: int, retry_delay_s: float,
                 on_dead_lettered: OnDeadLettered | None) -> None:
        self.group = group
        self.publish = publish
        self.metrics = metrics
        self.max_attempts = max_attempts
        self.retry_delay_s = retry_delay_s
        self.on_dead_lettered = on_dead_lettered
        self.last_error = ""

    async def one(self, handler: Handler, record) -> None:
        try:
            event = _decoded(record)
        except Exception as exc:  # noqa: BLE001 - whatever the bytes, the record is poison
            await self.dead_letter(record, why_unreadable(record.topic, record.value, exc), 1)
            return
        with bind(event_id=str(getattr(event, "event_id", ""))):
            if not await self.attempts(lambda: handler(event), "handler"):
                await self.dead_letter(record, self.last_error, self.max_attempts)

    async def attempts(self, call: Callable[[], Awaitable[object]], what: str) -> bool:
        """Try ``call`` up to ``max_attempts`` times; False if every attempt failed."""

        def failed(exc: BaseException, attempt: int) -> None:
            self.last_error = _exception_text(exc)
            log.warning("%s failed (attempt %d of %d): %s",
                        what, attempt, self.max_attempts, self.last_error)

        return await within_attempts(call, attempts=self.max_attempts,
                                     delay_s=self.retry_delay_s, on_failure=failed)

    async def dead_letter(self, record, error: str, attempts: int) -> None:
        letter = dead_letter_for(record, self.group, error, attempts)
        try:
            try:
                await self._publish(letter)
            except MessageSizeTooLargeError:
                letter = emptied(letter)  # the broker's limit is below the producer's
                await self._publish(letter)
        except Exception as exc:
            log.error("could not dead-letter %s (it will be delivered again): %s",
                      letter.entity_id, _exception_text(exc))
            raise
        cut = (f", value cut to its first {len(letter.original_value_b64) * 3 // 4} of "
               f"{letter.original_value_bytes} bytes" if letter.original_value_truncated else "")
        log.error("dead-lettered %s after %d attempt(s)%s: %s",
                  letter.entity_id, attempts, cut, error)
        if self.metrics:
            self.metrics.dead_letters.labels(record.topic).inc()
        if self.on_dead_lettered is not None:
            await self._answer_for(record.value or b"", letter)

    async def _publish(self, letter: MessageDeadLettered) -> None:
        await self.publish(DEAD_LETTER, record_key(letter), encode(letter),
                           dead_letter_headers(letter))

    async def _answer_for(self, value: bytes, letter: MessageDeadLettered) -> None:
        # The letter is out: a failure here never holds the partition.
        def failed(exc: BaseException, attempt: int) -> None:
            log.warning("answering for dead letter %s failed (attempt %d of %d): %s",
                        letter.entity_id, attempt, self.max_attempts, _exception_text(exc))

        if not await within_attempts(lambda: self.on_dead_lettered(value, letter),
                                     attempts=self.max_attempts, delay_s=self.retry_delay_s,
                                     on_failure=failed):
            log.error("gave up answering for dead letter %s", letter.entity_id)
