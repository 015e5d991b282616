"""The envelope every command and event carries.

Consumers deduplicate on ``event_id`` and apply an entity's versions in order:
a version at or below the one already applied is stale and ignored.
Unknown extra fields are ignored, so a producer may add optional fields within
version 1 without breaking consumers that do not know them yet.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from schemas.types import Identifier, Version


class Contract(BaseModel):
    """Base of every wire and file model: immutable, tolerant of extra fields."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Envelope(Contract):
    """Fields common to all messages on the public topics.

    ``entity_path`` names where the entity's id sits in the payload; the
    envelope's ``entity_id`` is filled from it, and must agree with it.
    """

    entity_path: ClassVar[tuple[str, ...]] = ()

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    schema_version: Literal[1] = 1
    occurred_at: AwareDatetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    entity_id: str = Field(min_length=1, max_length=200)
    entity_version: Version

    @model_validator(mode="before")
    @classmethod
    def _entity_id_from_payload(cls, data: Any) -> Any:
        if not cls.entity_path or not isinstance(data, dict):
            return data
        value: Any = data
        for step in cls.entity_path:
            value = value.get(step) if isinstance(value, dict) else getattr(value, step, None)
            if value is None:
                return data  # the missing field is reported by its own validator
        given = data.get("entity_id")
        if given is None:
            return {**data, "entity_id": str(value)}
        if given != str(value):
            path = ".".join(cls.entity_path)
            raise ValueError(f"entity_id {given!r} must equal {path} ({value!r})")
        return data


class NetworkScoped(Envelope):
    """A message that belongs to one welfare network."""

    network_id: Identifier
