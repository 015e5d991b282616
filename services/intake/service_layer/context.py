"""What every intake use case works with: the database, the outbox, metrics, k."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlalchemy import Engine

from services.common.metrics import ServiceMetrics
from services.common.outbox import Outbox
from services.intake.service_layer.group_commit import GroupCommit


@dataclass(frozen=True)
class Intake:
    engine: Engine
    outbox: Outbox
    metrics: ServiceMetrics
    k: int
    # One line's writes, grouped with those of other requests into one transaction.
    writes: GroupCommit = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.writes is None:
            object.__setattr__(self, "writes", GroupCommit(self.engine))


class Receipt(BaseModel):
    """What a change did to one entity: its version now, and whether an event was written."""

    entity_id: str
    entity_version: int
    changed: bool
