"""The parts every service that owns a database and publishes through its outbox is built of.

Intake, supply and the operator are each a database of their own, an outbox
relayed to the topics they publish, a watch on the broker's log (a broker that
comes back empty gets the latest state again), readiness on the database and
the broker, migrations before serving and the engine closed after. Their
composition roots differ only in their use cases and routes: those stay in
each root; what is the same is built here, once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from faststream.kafka import KafkaBroker
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, Table

from services.common.broker_log import BrokerLogWatch
from services.common.database import database_url, make_engine, reachable
from services.common.http import DEFAULT_MAX_BODY_BYTES, create_api
from services.common.kafka import KafkaConnection, declared_publish
from services.common.metrics import ServiceMetrics
from services.common.migrations import upgrade
from services.common.outbox import Outbox, OutboxRelay
from services.common.runtime import Service
from services.common.settings import Settings

PING_TIMEOUT_S = 2.0


@dataclass
class PublishingService:
    name: str
    engine: Engine
    metrics: ServiceMetrics
    broker: KafkaBroker
    outbox: Outbox
    relay: OutboxRelay
    log_watch: BrokerLogWatch
    migrations: Path

    @classmethod
    def build(cls, settings: Settings, connection: KafkaConnection, *, name: str,
              outbox: Outbox | Table, publishes: Sequence[str], republishes: Sequence[str],
              migrations: Path) -> PublishingService:
        """``publishes``: the topics its outbox relays to; ``republishes``: those whose
        latest state it sends again when the broker's log went backwards (state
        topics, not answers or commands already acted on)."""
        engine = make_engine(database_url(settings, name))
        metrics = ServiceMetrics(CollectorRegistry(), name)
        broker = connection.faststream_broker(client_id=name, metrics=metrics)
        outbox = outbox if isinstance(outbox, Outbox) else Outbox(outbox)
        relay = OutboxRelay(outbox, engine, declared_publish(broker, list(publishes)), metrics)
        log_watch = BrokerLogWatch(relay, connection.aiokafka_options(), list(republishes))
        return cls(name, engine, metrics, broker, outbox, relay, log_watch, migrations)

    def api(self, *, title: str, description: str,
            max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> FastAPI:
        """The service's HTTP API, ready when its database and the broker answer."""
        engine, broker = self.engine, self.broker

        async def database_up() -> bool:
            return await asyncio.to_thread(reachable, engine)

        async def kafka_up() -> bool:
            return await broker.ping(PING_TIMEOUT_S)

        return create_api(title=title, description=description, metrics=self.metrics,
                          checks={"database": database_up, "kafka": kafka_up},
                          max_body_bytes=max_body_bytes)

    def service(self, app: FastAPI, port: int, *,
                on_stopped: Callable[[], Awaitable[None]] | None = None) -> Service:
        """Migrations before serving; the relay and the log watch beside it; the
        engine closed last (after ``on_stopped``, the root's own closing)."""
        engine, migrations, name = self.engine, self.migrations, self.name

        async def migrate() -> None:
            await asyncio.to_thread(upgrade, engine, migrations, name)

        async def dispose() -> None:
            if on_stopped is not None:
                await on_stopped()
            engine.dispose()

        return Service(name=name, app=app, port=port, broker=self.broker,
                       loops=[self.relay.run, self.log_watch.run], on_starting=migrate,
                       on_stopped=dispose)
