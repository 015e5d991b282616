"""The dead-letter record of a poison message: its value, its headers, its size.

A dead letter repeats the original record's value, base64 (4/3 of its size),
inside a JSON envelope. A value of about 780 KB would make a copy larger than
the producer's request limit; the broker would refuse it, the consumer could
not move on, and the partition would stop for good. So the copy keeps only the
prefix that fits, and says so (``original_value_truncated``, the original size,
and the same in headers).
"""

from __future__ import annotations

import base64
import uuid

from schemas.dead_letter import MessageDeadLettered
from schemas.topics import encode

# aiokafka's default ``max_request_size``, which the services' producers keep.
PRODUCER_MAX_REQUEST_BYTES = 1_048_576
# Room left in that request for the record's key, headers and batch framing
# (dlq-error is cut to 500 characters, the key is a topic name).
_FRAMING_BYTES = 16_384
DEAD_LETTER_MAX_BYTES = PRODUCER_MAX_REQUEST_BYTES - _FRAMING_BYTES
# A key is an id on every public topic; a longer one is poison too, kept in part.
_KEY_CHARS = 1_024

_DLQ_NAMESPACE = uuid.UUID("6b1f2c1e-3f57-4d0e-9a51-0d2a7c5e9b10")


def dead_letter_for(record, group: str, error: str, attempts: int,
                    max_bytes: int = DEAD_LETTER_MAX_BYTES) -> MessageDeadLettered:
    """The dead letter of ``record`` (an aiokafka ``ConsumerRecord``), at most
    ``max_bytes`` once encoded: the value is cut to a prefix if need be."""
    coordinates = f"{record.topic}:{record.partition}:{record.offset}"
    value = record.value or b""
    whole = _letter(record, coordinates, group, error, attempts, value, truncated=False)
    size = len(encode(whole))
    if size <= max_bytes:
        return whole
    # Everything but the value stays (the flag's "true" is shorter than its
    # "false"); the value gets what is left, in whole base64 quanta (3 bytes -> 4).
    envelope = size - len(whole.original_value_b64)
    keep = max(0, (max_bytes - envelope) // 4 * 3)
    return _letter(record, coordinates, group, error, attempts, value[:keep], truncated=True,
                   original_bytes=len(value))


def _letter(record, coordinates: str, group: str, error: str, attempts: int, value: bytes,
            *, truncated: bool, original_bytes: int | None = None) -> MessageDeadLettered:
    return MessageDeadLettered(
        event_id=uuid.uuid5(_DLQ_NAMESPACE, f"{group}:{coordinates}"),
        entity_id=coordinates,
        entity_version=1,
        original_topic=record.topic,
        original_partition=record.partition,
        original_offset=record.offset,
        original_key=_key_text(record.key),
        original_value_b64=base64.b64encode(value).decode(),
        original_value_truncated=truncated,
        original_value_bytes=len(value) if original_bytes is None else original_bytes,
        consumer_group=group,
        error=error[:4000],
        attempts=attempts,
    )


def emptied(letter: MessageDeadLettered) -> MessageDeadLettered:
    """The same letter without any of the value: the last resort when even the
    truncated copy is refused (a broker whose message limit is below ours)."""
    return letter.model_copy(update={"original_value_b64": "",
                                     "original_value_truncated": True})


def _key_text(key: bytes | None) -> str | None:
    if key is None:
        return None
    try:
        text = key.decode()
    except UnicodeDecodeError:
        text = base64.b64encode(key).decode()
    return text[:_KEY_CHARS]


def dead_letter_headers(letter: MessageDeadLettered) -> dict[str, str]:
    return {
        "event-type": "MessageDeadLettered",
        "event-id": str(letter.event_id),
        "content-type": "application/json",
        "dlq-original-topic": letter.original_topic,
        "dlq-original-partition": str(letter.original_partition),
        "dlq-original-offset": str(letter.original_offset),
        "dlq-original-value-bytes": str(letter.original_value_bytes),
        "dlq-original-value-truncated": "true" if letter.original_value_truncated else "false",
        "dlq-error": letter.error[:500],
        "dlq-attempts": str(letter.attempts),
        "dlq-consumer-group": letter.consumer_group,
    }
