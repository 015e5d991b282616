"""Intake's composition root: settings in, a runnable Service out.

Building connects to nothing: migrations run in ``on_starting``, the broker
connects when the service runs, and the outbox relay is one of its loops
(the parts intake shares with supply and the operator: services.common.composition).
"""

from __future__ import annotations

from pathlib import Path

from schemas.topics import DEMAND
from services.common.auth import TokenStore, authenticator
from services.common.composition import PublishingService
from services.common.kafka import KafkaConnection
from services.common.runtime import Service
from services.common.settings import Settings
from services.intake.adapters.tables import outbox
from services.intake.api import MAX_BODY_BYTES, routes
from services.intake.service_layer.context import Intake

NAME = "intake"
MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: Settings, connection: KafkaConnection) -> Service:
    # A broker that comes back empty gets the latest event of every firm and line again.
    parts = PublishingService.build(settings, connection, name=NAME, outbox=outbox,
                                    publishes=[DEMAND], republishes=[DEMAND],
                                    migrations=MIGRATIONS)
    intake = Intake(engine=parts.engine, outbox=outbox, metrics=parts.metrics,
                    k=settings.k_anonymity)
    app = parts.api(
        title="Welfare intake",
        description=(
            "Firms submit their employees' survey answers, or lines they aggregated "
            f"themselves; intake publishes only aggregates of at least k = "
            f"{settings.k_anonymity} employees to {DEMAND}."
        ),
        max_body_bytes=MAX_BODY_BYTES,
    )
    app.include_router(routes(intake, authenticator(TokenStore.from_settings(settings)),
                              parts.relay.wake))
    return parts.service(app, settings.intake_port)
