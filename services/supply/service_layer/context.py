"""What every supply use case works with: the database, the outbox, metrics."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import Engine

from services.common.metrics import ServiceMetrics
from services.common.outbox import Outbox


@dataclass(frozen=True)
class Supply:
    engine: Engine
    outbox: Outbox
    metrics: ServiceMetrics


class Receipt(BaseModel):
    """What a change did to one entity: its version now, and whether an event was written."""

    entity_id: str
    entity_version: int
    changed: bool
