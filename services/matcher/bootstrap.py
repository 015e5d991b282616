"""The matcher's composition root: settings in, a runnable ``Service`` out.

Building connects to nothing and starts no process: migrations run in
``on_starting``, the solver's worker process starts with the first round.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from prometheus_client import CollectorRegistry

from schemas.topics import ASSIGNMENTS, DEAD_LETTER, ROUND_EVENTS
from services.common.auth import TokenStore, authenticator
from services.common.broker_log import BrokerLogWatch
from services.common.database import database_url, make_engine, reachable
from services.common.gc_tuning import collect_less_often
from services.common.http import create_api
from services.common.inbox import Inbox, InboxPruner
from services.common.kafka import KafkaConnection, declared_publish
from services.common.metrics import ServiceMetrics
from services.common.migrations import upgrade
from services.common.outbox import Outbox, OutboxRelay
from services.common.runtime import Service
from services.common.settings import Settings
from services.matcher.adapters import tables
from services.matcher.adapters.freshness import BookLag
from services.matcher.adapters.gauges import BookGauges
from services.matcher.service_layer.handlers import Handlers
from services.matcher.adapters.lag import LagProbe, ProviderGroupLag, ProviderLagOptions
from services.matcher.options import MatcherOptions
from services.matcher.read_api import read_router
from services.matcher.service_layer.runner import RoundRunner
from services.matcher.subscribers import BOOK_TOPICS, subscribe
from services.matcher.adapters.worker import SolverPool

NAME = "matcher"
MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: Settings, connection: KafkaConnection,
          options: MatcherOptions | None = None) -> Service:
    options = options or MatcherOptions()
    metrics = ServiceMetrics(CollectorRegistry(), NAME)
    engine = make_engine(database_url(settings, NAME))
    broker = connection.faststream_broker(client_id=NAME, metrics=metrics)
    publish = declared_publish(broker, [ROUND_EVENTS, ASSIGNMENTS, DEAD_LETTER])

    outbox = Outbox(tables.outbox)
    relay = OutboxRelay(outbox, engine, publish, metrics,
                        idle_interval_s=options.relay_idle_interval_s)
    # A broker that comes back empty gets every round's and contract's latest event again,
    # the awards awaiting an answer among them.
    log_watch = BrokerLogWatch(relay, connection.aiokafka_options(),
                               [ROUND_EVENTS, ASSIGNMENTS, DEAD_LETTER])
    lag = LagProbe(broker, metrics, interval_s=options.lag_interval_s)
    # The network overview's "N events still to apply": measured beside the gauges.
    book_lag = BookLag(lag, BOOK_TOPICS)
    solver = SolverPool(options.solver, grace_s=options.solver_grace_s)
    runner = RoundRunner(
        engine, outbox, solver, metrics,
        lease_s=options.round_lease_s, poll_s=options.round_poll_s,
        max_attempts=options.round_max_attempts, on_events=relay.wake,
        settled=lambda: lag.caught_up(BOOK_TOPICS), settle_timeout_s=options.settle_timeout_s)
    inbox = Inbox(tables.processed_events)
    handlers = Handlers(engine, inbox, metrics, on_round_requested=runner.wake)
    # The inbox keeps applied event ids only as long as a redelivery can come.
    pruner = InboxPruner(inbox, engine, metrics,
                         retention=dt.timedelta(days=settings.inbox_retention_days))
    subscribe(broker, connection, handlers, publish, metrics,
              settings.kafka_consumer_max_attempts, batch_records=options.ingest_batch_records)
    gauges = BookGauges(engine, metrics, interval_s=options.gauges_interval_s)
    provider_options = ProviderLagOptions()
    provider_lag = ProviderGroupLag(
        connection.aiokafka_options(), metrics, pattern=provider_options.provider_groups,
        interval_s=provider_options.provider_lag_interval_s)

    async def database_ready() -> bool:
        return await asyncio.to_thread(reachable, engine)

    async def kafka_ready() -> bool:
        return await broker.ping(timeout=2.0)

    app = create_api(
        title="Welfare matcher",
        description="The matcher's API: the rounds it stored (operators only), health, "
                    "readiness, metrics.",
        metrics=metrics,
        checks={"database": database_ready, "kafka": kafka_ready},
    )
    # What the operator service reads: it never opens this service's database.
    app.include_router(read_router(
        authenticate=authenticator(TokenStore.from_settings(settings)), engine=engine,
        book_lag=book_lag))

    async def on_starting() -> None:
        await asyncio.to_thread(upgrade, engine, MIGRATIONS, NAME)
        collect_less_often()  # ingestion holds whole batches: services/common/gc_tuning.py

    async def on_stopped() -> None:
        solver.close()
        engine.dispose()

    return Service(
        name=NAME, app=app, port=settings.matcher_port, broker=broker,
        loops=[relay.run, log_watch.run, runner.run, lag.run, book_lag.run, gauges.run,
               provider_lag.run, pruner.run],
        on_starting=on_starting, on_stopped=on_stopped,
    )
