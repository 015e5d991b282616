"""Messages a consumer could not process (topic welfare.dead-letter.v1)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.envelope import Envelope
from schemas.types import NonNegativeInt, PositiveInt


class MessageDeadLettered(Envelope):
    """A poison message, kept verbatim with why it was set aside.

    The same facts travel in the record's headers (``dlq-original-topic`` and so
    on) so that tools can route on them without parsing the value. A value too
    large to travel whole (its copy would exceed the producer's request size) is
    cut to a prefix, and ``original_value_truncated`` says so.
    """

    event_type: Literal["MessageDeadLettered"] = "MessageDeadLettered"
    original_topic: str
    original_partition: NonNegativeInt
    original_offset: NonNegativeInt
    original_key: str | None = Field(default=None, description="UTF-8, or base64 if binary")
    original_value_b64: str = Field(
        description="the original record value, base64; only its first bytes when "
                    "original_value_truncated is true")
    original_value_truncated: bool = Field(
        default=False,
        description="true when the value was too large to travel whole on the dead-letter "
                    "topic (the producer's request size limit) and only a prefix was kept")
    original_value_bytes: NonNegativeInt | None = Field(
        default=None, description="size of the original value in bytes, before any truncation")
    consumer_group: str
    error: str = Field(max_length=4000)
    attempts: PositiveInt
