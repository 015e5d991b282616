"""What the matcher does with each incoming message: plain functions over the database.

Each message is applied in one transaction together with its event id in the
inbox, so a redelivered message (after a crash, a rebalance, a retry) finds
its id and changes nothing. Database work runs in a thread: the event loop,
and with it the Kafka heartbeats, never waits on SQL.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from pydantic import BaseModel
from sqlalchemy import Connection, Engine

from schemas.responses import ContractAccepted, ContractDeclined
from schemas.rounds import StartRound
from schemas.topics import TOPIC_OF
from services.common.consumer import Inbox
from services.common.metrics import ServiceMetrics
from services.matcher.book import APPLIED, DUPLICATE, STALE, apply_book_event
from services.matcher.responses import apply_response
from services.matcher.round_store import request_round

log = logging.getLogger(__name__)


class Handlers:
    def __init__(self, engine: Engine, inbox: Inbox, metrics: ServiceMetrics,
                 on_round_requested: Callable[[], None] = lambda: None) -> None:
        self.engine = engine
        self.inbox = inbox
        self.metrics = metrics
        self.on_round_requested = on_round_requested

    async def book(self, event: BaseModel) -> str:
        return await self._once(event, apply_book_event)

    async def response(self, event: ContractAccepted | ContractDeclined) -> str:
        return await self._once(event, apply_response)

    async def start_round(self, command: StartRound) -> str:
        # A second command for a round id already known is a duplicate, whatever its event id.
        outcome = await self._once(command, request_round, when_false=DUPLICATE)
        if outcome == APPLIED:
            log.info("round %s requested on %s", command.round_id, command.network_id)
            self.on_round_requested()
        return outcome

    async def _once(self, event: BaseModel, apply: Callable[[Connection, BaseModel], bool],
                    when_false: str = STALE) -> str:
        topic = TOPIC_OF[type(event)]
        outcome = await asyncio.to_thread(self._transaction, event, topic, apply, when_false)
        if outcome == APPLIED:
            self.metrics.events_applied.labels(topic).inc()
        else:
            self.metrics.events_ignored.labels(topic, outcome).inc()
            log.info("%s %s ignored: %s", type(event).__name__, event.entity_id, outcome)
        return outcome

    def _transaction(self, event, topic: str, apply, when_false: str) -> str:
        with self.engine.begin() as connection:
            if not self.inbox.first_time(connection, event.event_id, topic):
                return DUPLICATE
            return APPLIED if apply(connection, event) else when_false
