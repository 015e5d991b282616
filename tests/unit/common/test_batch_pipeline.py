"""A fetched batch applied a chunk at a time, the next chunk decoded meanwhile
(issue 12, item 11): in order, one chunk applied at a time, poison still
dead-lettered, a failing chunk still tried event by event. No broker, no database."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace

from aiokafka.structs import ConsumerRecord

import services.common.consumer as consumer
from schemas.topics import DEMAND, encode
from services.common.consumer import guarded_batch
from tests.unit.matcher_service import builders as b

CHUNK = 4


def _record(value: bytes, offset: int) -> ConsumerRecord:
    return ConsumerRecord(topic=DEMAND, partition=0, offset=offset, timestamp=0,
                          timestamp_type=0, key=b"f1", value=value, checksum=None,
                          serialized_key_size=0, serialized_value_size=len(value), headers=())


def _batch(count: int, poison_at: int | None = None) -> tuple[list, tuple[ConsumerRecord, ...]]:
    events = [b.line(f"l{i:02d}", "f1") for i in range(count)]
    values = [encode(event) for event in events]
    if poison_at is not None:
        values.insert(poison_at, b"not json at all")
    return events, tuple(_record(value, offset) for offset, value in enumerate(values))


class Letters:
    def __init__(self) -> None:
        self.offsets: list[int] = []

    async def publish(self, _topic, _key, value, _headers) -> None:
        self.offsets.append(consumer.decode(consumer.DEAD_LETTER, value).original_offset)


async def test_the_next_chunk_is_decoded_while_a_chunk_is_applied(monkeypatch):
    decoded = 0
    next_chunk_decoded = threading.Event()
    real_decode = consumer.decode

    def counting_decode(topic, value):
        nonlocal decoded
        decoded += 1
        if decoded > CHUNK:
            next_chunk_decoded.set()
        return real_decode(topic, value)

    monkeypatch.setattr(consumer, "decode", counting_decode)
    overlapped: list[bool] = []

    async def handle_batch(events):
        if not overlapped:
            # Applied in a thread, as the matcher does: meanwhile the loop decodes on.
            # Without the pipeline the next chunk waits for this one: the wait runs out.
            overlapped.append(await asyncio.to_thread(next_chunk_decoded.wait, 30))

    _, records = _batch(3 * CHUNK)
    on_batch = guarded_batch(handle_batch, _never, group="g", publish=Letters().publish,
                             chunk_records=CHUNK)
    await on_batch(SimpleNamespace(raw_message=records))
    assert overlapped == [True]


async def test_chunks_are_applied_in_order_one_at_a_time_and_poison_is_dead_lettered():
    events, records = _batch(10, poison_at=5)
    applied: list[list[str]] = []
    running = 0
    most_at_once = 0

    async def handle_batch(chunk):
        nonlocal running, most_at_once
        running += 1
        most_at_once = max(most_at_once, running)
        await asyncio.to_thread(lambda: None)
        applied.append([event.line.line_id for event in chunk])
        running -= 1

    letters = Letters()
    on_batch = guarded_batch(handle_batch, _never, group="g", publish=letters.publish,
                             chunk_records=CHUNK)
    await on_batch(SimpleNamespace(raw_message=records))
    # Chunks of the fetched records: the poison takes its place in the second.
    assert applied == [["l00", "l01", "l02", "l03"], ["l04", "l05", "l06"], ["l07", "l08", "l09"]]
    assert most_at_once == 1
    assert letters.offsets == [5]


async def test_a_chunk_that_keeps_failing_is_tried_event_by_event_and_the_rest_goes_on():
    events, records = _batch(8)
    one_by_one: list[str] = []
    applied: list[str] = []

    async def handle_batch(chunk):
        if any(event.line.line_id == "l05" for event in chunk):
            raise RuntimeError("the database refused the chunk")
        applied.extend(event.line.line_id for event in chunk)

    async def handler(event):
        if event.line.line_id == "l05":
            raise RuntimeError("this one is bad")
        one_by_one.append(event.line.line_id)

    letters = Letters()
    on_batch = guarded_batch(handle_batch, handler, group="g", publish=letters.publish,
                             retry_delay_s=0, chunk_records=CHUNK)
    await on_batch(SimpleNamespace(raw_message=records))
    assert applied == ["l00", "l01", "l02", "l03"]
    assert one_by_one == ["l04", "l06", "l07"]
    assert letters.offsets == [5]


async def _never(event):
    raise AssertionError(f"not expected one at a time: {event}")
