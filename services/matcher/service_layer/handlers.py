"""What the matcher does with each incoming message: plain functions over the database.

Each message is applied in one transaction together with its event id in the
inbox, so a redelivered message (after a crash, a rebalance, a retry) finds
its id and changes nothing. Database work runs in a thread: the event loop,
and with it the Kafka heartbeats, never waits on SQL.

Demand and capacity arrive in bulk (a firm's spreadsheet is thousands of
lines), so ``book_batch`` applies a whole fetched batch in one transaction:
the inbox rows in one insert, the book in one upsert per table. One commit per
batch instead of per event is what lets the matcher keep up with the topic.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable

from pydantic import BaseModel
from sqlalchemy import Connection, Engine

from schemas.dead_letter import MessageDeadLettered
from schemas.responses import ContractAccepted, ContractDeclined
from schemas.rounds import CommitRound, StartRound
from schemas.topics import TOPIC_OF
from services.common.consumer import Inbox
from services.common.metrics import ServiceMetrics
from services.common.outbox import Outbox
from services.matcher.adapters import tables
from services.matcher.adapters.book import (APPLIED, DUPLICATE, STALE, apply_book_event,
                                   apply_book_events)
from services.matcher.service_layer.commit import request_commit
from services.matcher.service_layer.refused import refused_round
from services.matcher.service_layer.responses import REFUSED, apply_response
from services.matcher.adapters.round_store import refuse_round, request_round

log = logging.getLogger(__name__)


class Handlers:
    def __init__(self, engine: Engine, inbox: Inbox, metrics: ServiceMetrics,
                 on_round_requested: Callable[[], None] = lambda: None,
                 outbox: Outbox | None = None) -> None:
        self.engine = engine
        self.inbox = inbox
        self.metrics = metrics
        self.on_round_requested = on_round_requested
        # Where a refused answer's ContractAnswerRefused is queued, with the inbox row.
        self.outbox = outbox or Outbox(tables.outbox)

    async def book(self, event: BaseModel) -> str:
        return await self._once(event, apply_book_event)

    async def book_batch(self, events: list[BaseModel]) -> list[str]:
        """Demand and capacity events fetched together, applied in one transaction;
        the outcome of each, as ``book`` would give it."""
        outcomes = await asyncio.to_thread(self._book_transaction, events)
        counted: Counter[tuple[str, str]] = Counter()
        for event, outcome in zip(events, outcomes, strict=True):
            counted[TOPIC_OF[type(event)], outcome] += 1
            if outcome != APPLIED:
                log.info("%s %s ignored: %s", type(event).__name__, event.entity_id, outcome)
        for (topic, outcome), times in counted.items():
            if outcome == APPLIED:
                self.metrics.events_applied.labels(topic).inc(times)
            else:
                self.metrics.events_ignored.labels(topic, outcome).inc(times)
        return outcomes

    def _book_transaction(self, events: list[BaseModel]) -> list[str]:
        with self.engine.begin() as connection:
            first = self.inbox.first_times(
                connection, [(event.event_id, TOPIC_OF[type(event)]) for event in events])
            fresh = [event for event, new in zip(events, first, strict=True) if new]
            applied = iter(apply_book_events(connection, fresh))
            return [(APPLIED if next(applied) else STALE) if new else DUPLICATE
                    for new in first]

    async def response(self, event: ContractAccepted | ContractDeclined) -> str:
        # An answer to a superseded contract is handled (in the inbox, not dead-lettered:
        # the message is valid), not applied, and the provider is told why.
        refusals = []

        def apply(connection: Connection, answer) -> bool | str:
            outcome = apply_response(connection, answer, self.outbox)
            if isinstance(outcome, bool):
                return outcome
            refusals.append(outcome)
            return REFUSED

        outcome = await self._once(event, apply)
        if outcome == REFUSED:
            refusal = refusals[-1]
            self.metrics.answers_refused.labels(refusal.refusal).inc()
            log.warning("answer %s refused: %s", event.event_id, refusal.reason)
        return outcome

    async def start_round(self, command: StartRound) -> str:
        # A second command for a round id already known is a duplicate, whatever its event id.
        outcome = await self._once(command, request_round, when_false=DUPLICATE)
        if outcome == APPLIED:
            log.info("round %s requested on %s", command.round_id, command.network_id)
            self.on_round_requested()
        return outcome

    async def commit_round(self, command: CommitRound) -> str:
        # Recorded as a requested round; the runner commits it (services/matcher/service_layer/commit.py).
        outcome = await self._once(command, request_commit, when_false=DUPLICATE)
        if outcome == APPLIED:
            log.info("round %s requested on %s: commit dry run %s", command.round_id,
                     command.network_id, command.dry_run_id)
            self.on_round_requested()
        return outcome

    async def round_command(self, command: StartRound | CommitRound) -> str:
        if isinstance(command, CommitRound):
            return await self.commit_round(command)
        return await self.start_round(command)

    async def round_refused(self, value: bytes, letter: MessageDeadLettered) -> None:
        """A StartRound was dead-lettered: fail its round, if its value names one,
        so that the operator sees it failed with the reason, not requested for ever."""
        refused = refused_round(value, letter.event_id)
        if refused is None:
            log.warning("refused round command %s names no readable round", letter.entity_id)
            return
        reason = (f"the matcher refused the command that started this round, so the round "
                  f"did not run: {letter.error} (the command is on the dead-letter topic as "
                  f"{letter.entity_id})")
        failed = await asyncio.to_thread(self._refuse, refused, reason)
        if failed:
            log.info("round %s on %s failed: its command was refused",
                     refused.round_id, refused.network_id)
            self.metrics.rounds.labels(refused.network_id, "refused",
                                       "dry_run" if refused.dry_run else "plain").inc()

    def _refuse(self, refused, reason: str) -> bool:
        with self.engine.begin() as connection:
            return refuse_round(connection, self.outbox, refused, reason)

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
            outcome = apply(connection, event)
            if isinstance(outcome, str):
                return outcome
            return APPLIED if outcome else when_false
