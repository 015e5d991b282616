"""Messages a consumer could not process (topic welfare.dead-letter.v1)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.envelope import Envelope
from schemas.types import NonNegativeInt, PositiveInt


class MessageDeadLettered(Envelope):
    """A poison message, kept verbatim with why it was set aside.

    The same facts travel in the record's headers (``dlq-original-topic`` and so
    on) so that tools can route on them without parsing the value.
    """

    event_type: Literal["MessageDeadLettered"] = "MessageDeadLettered"
    original_topic: str
    original_partition: NonNegativeInt
    original_offset: NonNegativeInt
    original_key: str | None = Field(default=None, description="UTF-8, or base64 if binary")
    original_value_b64: str = Field(description="the original record value, base64")
    consumer_group: str
    error: str = Field(max_length=4000)
    attempts: PositiveInt
