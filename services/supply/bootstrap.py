"""Supply's composition root: settings in, a runnable Service out.

Building connects to nothing: migrations run in ``on_starting``, the broker
connects when the service runs, and the outbox relay is one of its loops.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from prometheus_client import CollectorRegistry

from schemas.topics import CAPACITY, PROVIDER_RESPONSES
from services.common.auth import TokenStore, authenticator
from services.common.broker_log import BrokerLogWatch
from services.common.database import database_url, make_engine, reachable
from services.common.http import create_api
from services.common.kafka import KafkaConnection, declared_publish
from services.common.metrics import ServiceMetrics
from services.common.migrations import upgrade
from services.common.outbox import OutboxRelay
from services.common.runtime import Service
from services.common.settings import Settings
from services.supply.adapters.tables import outbox
from services.supply.api import MAX_BODY_BYTES, routes
from services.supply.service_layer.context import Supply

NAME = "supply"
MIGRATIONS = Path(__file__).parent / "migrations"
PING_TIMEOUT_S = 2.0


def build(settings: Settings, connection: KafkaConnection) -> Service:
    engine = make_engine(database_url(settings, NAME))
    metrics = ServiceMetrics(CollectorRegistry(), NAME)
    broker = connection.faststream_broker(client_id=NAME, metrics=metrics)
    relay = OutboxRelay(outbox, engine, declared_publish(broker, [CAPACITY, PROVIDER_RESPONSES]), metrics)
    # A broker that comes back empty gets the latest event of every provider and offer again.
    log_watch = BrokerLogWatch(relay, connection.aiokafka_options(), [CAPACITY])
    supply = Supply(engine=engine, outbox=outbox, metrics=metrics)

    async def database_up() -> bool:
        return await asyncio.to_thread(reachable, engine)

    async def kafka_up() -> bool:
        return await broker.ping(PING_TIMEOUT_S)

    app = create_api(
        title="Welfare supply",
        description=f"Providers publish, update and withdraw capacity offers ({CAPACITY}) "
                    f"and answer their awards ({PROVIDER_RESPONSES}).",
        metrics=metrics,
        checks={"database": database_up, "kafka": kafka_up},
        max_body_bytes=MAX_BODY_BYTES,
    )
    app.include_router(routes(supply, authenticator(TokenStore.from_settings(settings)),
                              relay.wake))

    async def migrate() -> None:
        await asyncio.to_thread(upgrade, engine, MIGRATIONS, NAME)

    async def dispose() -> None:
        engine.dispose()

    return Service(name=NAME, app=app, port=settings.supply_port, broker=broker,
                   loops=[relay.run, log_watch.run], on_starting=migrate, on_stopped=dispose)
