"""Supply's composition root: settings in, a runnable Service out.

Building connects to nothing: migrations run in ``on_starting``, the broker
connects when the service runs, and the outbox relay is one of its loops
(the parts supply shares with intake and the operator: services.common.composition).
"""

from __future__ import annotations

from pathlib import Path

from schemas.topics import CAPACITY, PROVIDER_RESPONSES
from services.common.auth import TokenStore, authenticator
from services.common.composition import PublishingService
from services.common.kafka import KafkaConnection
from services.common.runtime import Service
from services.common.settings import Settings
from services.supply.adapters.tables import outbox
from services.supply.api import MAX_BODY_BYTES, routes
from services.supply.service_layer.context import Supply

NAME = "supply"
MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: Settings, connection: KafkaConnection) -> Service:
    # A broker that comes back empty gets the latest event of every provider and offer
    # again; answers are not republished (each was acted on once, as it was sent).
    parts = PublishingService.build(settings, connection, name=NAME, outbox=outbox,
                                    publishes=[CAPACITY, PROVIDER_RESPONSES],
                                    republishes=[CAPACITY], migrations=MIGRATIONS)
    supply = Supply(engine=parts.engine, outbox=outbox, metrics=parts.metrics)
    app = parts.api(
        title="Welfare supply",
        description=f"Providers publish, update and withdraw capacity offers ({CAPACITY}) "
                    f"and answer their awards ({PROVIDER_RESPONSES}).",
        max_body_bytes=MAX_BODY_BYTES,
    )
    app.include_router(routes(supply, authenticator(TokenStore.from_settings(settings)),
                              parts.relay.wake))
    return parts.service(app, settings.supply_port)
