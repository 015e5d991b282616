"""Composition root of the operator service."""

from __future__ import annotations

import asyncio
from pathlib import Path

from prometheus_client import CollectorRegistry

from schemas.topics import ROUND_COMMANDS
from services.common.auth import TokenStore, authenticator
from services.common.broker_log import BrokerLogWatch
from services.common.database import database_url, make_engine, reachable
from services.common.http import create_api
from services.common.kafka import KafkaConnection, declared_publish
from services.common.metrics import ServiceMetrics
from services.common.migrations import upgrade
from services.common.outbox import Outbox, OutboxRelay
from services.common.runtime import Service
from services.common.settings import Settings
from services.operator import tables
from services.operator.api import operator_router
from services.operator.downloads import downloads_router
from services.operator.rounds import ForwardLanguage, MatcherRounds

NAME = "operator"


def build(settings: Settings, connection: KafkaConnection) -> Service:
    metrics = ServiceMetrics(CollectorRegistry(), NAME)
    engine = make_engine(database_url(settings, NAME))
    broker = connection.faststream_broker(client_id=NAME, metrics=metrics)
    publish = declared_publish(broker, [ROUND_COMMANDS])
    outbox = Outbox(tables.outbox)
    relay = OutboxRelay(outbox, engine, publish, metrics)
    # A broker that comes back empty gets each round's latest command again.
    log_watch = BrokerLogWatch(relay, connection.aiokafka_options(), [ROUND_COMMANDS])

    async def database_ready() -> bool:
        return await asyncio.to_thread(reachable, engine)

    async def kafka_ready() -> bool:
        return await broker.ping(timeout=2)

    app = create_api(
        title="Welfare operator API",
        description="Start matching rounds (dry run first, then commit) and read their outcome.",
        metrics=metrics,
        # Not the matcher: the operator is ready without it; reading rounds while it
        # is away answers 503 with the reason.
        checks={"database": database_ready, "kafka": kafka_ready},
    )
    # Rounds are read through the matcher's API, never from its database, in the
    # caller's language (ForwardLanguage keeps its Accept-Language for MatcherRounds).
    rounds = MatcherRounds(settings.matcher_url, engine, outbox)
    app.add_middleware(ForwardLanguage)
    app.include_router(operator_router(
        authenticate=authenticator(TokenStore.from_settings(settings)),
        engine=engine,
        outbox=outbox,
        rounds=rounds,
        on_queued=relay.wake,
    ))
    app.include_router(downloads_router(  # exports: contracts CSV/XLSX, statement and award PDFs
        authenticate=authenticator(TokenStore.from_settings(settings)), rounds=rounds))

    async def migrate() -> None:
        await asyncio.to_thread(upgrade, engine, Path(__file__).parent / "migrations", NAME)

    async def dispose() -> None:
        await rounds.close()
        engine.dispose()

    return Service(name=NAME, app=app, port=settings.operator_port, broker=broker,
                   loops=[relay.run, log_watch.run], on_starting=migrate, on_stopped=dispose)
