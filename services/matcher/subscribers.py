"""The matcher's subscribers: each decodes (through ``guarded``) and calls a handler.

One consumer group per topic, so a burst of demand never waits behind a
command, and each topic's lag is its own. Every record reaches the guard
(``GUARDED``), and a round command the guard refuses still ends its round:
as failed, never left ``requested``.

Demand and capacity are read in batches (``GUARDED_BATCH``): each fetched batch
is one transaction and one offset commit, where a record at a time capped the
matcher at a few hundred events a second. Commands and answers stay one at a
time: they are few, and each may start a round.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from schemas.topics import CAPACITY, DEMAND, PROVIDER_RESPONSES, ROUND_COMMANDS
from services.common.consumer import (
    BATCH_RECORDS,
    GUARDED,
    GUARDED_BATCH,
    Publish,
    guarded,
    guarded_batch,
)
from services.common.kafka import KafkaConnection
from services.common.metrics import ServiceMetrics
from services.matcher.service_layer.handlers import Handlers

GROUPS = {
    DEMAND: "matcher.demand",
    CAPACITY: "matcher.capacity",
    ROUND_COMMANDS: "matcher.round-commands",
    PROVIDER_RESPONSES: "matcher.provider-responses",
}

# What the book of a round depends on: a round waits for these to catch up.
BOOK_TOPICS = (DEMAND, CAPACITY, PROVIDER_RESPONSES)


def subscribe(broker: KafkaBroker, connection: KafkaConnection, handlers: Handlers,
              publish: Publish, metrics: ServiceMetrics, max_attempts: int,
              batch_records: int = BATCH_RECORDS) -> None:
    routes = {
        DEMAND: handlers.book,
        CAPACITY: handlers.book,
        ROUND_COMMANDS: handlers.round_command,
        PROVIDER_RESPONSES: handlers.response,
    }
    refused = {ROUND_COMMANDS: handlers.round_refused}
    batched = {DEMAND: handlers.book_batch, CAPACITY: handlers.book_batch}
    for topic, handler in routes.items():
        group = GROUPS[topic]
        if topic in batched:
            broker.subscriber(
                topic, group_id=group, **{**GUARDED_BATCH, "max_records": batch_records},
                **connection.consumer_options(),
            )(guarded_batch(batched[topic], handler, group=group, publish=publish,
                            metrics=metrics, max_attempts=max_attempts))
            continue
        broker.subscriber(
            topic, group_id=group, **GUARDED, **connection.consumer_options(),
        )(guarded(handler, group=group, publish=publish, metrics=metrics,
                  max_attempts=max_attempts, on_dead_lettered=refused.get(topic)))
