"""Reference provider consumer: read awards and amendments, answer accept or decline.

A cooperative can run this as it is (``welfare provider listen``) or copy it:
it needs nothing but aiokafka and the public contracts in ``schemas``.

It reads ``welfare.assignments.v1`` in its own consumer group and keeps the
events addressed to its provider(s) (records are keyed by provider id):

- ``ContractAwarded`` and ``ContractAmended``: asks ``decide`` what to answer
  and publishes the answer on ``welfare.provider-responses.v1``;
- ``ContractWithdrawn``: notes that the contract is dropped;
- ``ContractAnswerRefused``: reports that an answer was not applied, and why.

A contract that a later event replaced (an amendment, a withdrawal, a newer
award to the same provider on the same network) is superseded and never
answered: its answer would be refused. So that a listener started late does
not answer an award the topic already replaced, it reads everything already
on the topic before it answers anything, and then answers only what still
stands. Answers go out before the offsets are committed; a crash in between
answers again after restart, under the same event id (derived from the
contract and the decision), so the matcher applies it once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pydantic import ValidationError

from schemas.assignments import (
    ContractAmended,
    ContractAnswerRefused,
    ContractAwarded,
    ContractWithdrawn,
)
from schemas.responses import ContractAccepted, ContractDeclined, LineOfferPair
from schemas.topics import ASSIGNMENTS, PROVIDER_RESPONSES, decode, encode, record_key

log = logging.getLogger(__name__)

_RESPONSES = uuid.UUID("0c5d3a8e-7d4b-4f1e-8f0a-6a3e1d2b9c47")

Offered = ContractAwarded | ContractAmended  # what needs an answer


@dataclass(frozen=True)
class Decision:
    accept: bool
    reason: str = ""
    pairs: tuple[tuple[str, str], ...] = ()  # declined (line, offer); empty = all


@dataclass(frozen=True)
class Superseded:
    """An award or amendment left unanswered: a later event replaced it."""

    offered: Offered
    by: ContractAmended | ContractAwarded | ContractWithdrawn


Notice = ContractWithdrawn | ContractAnswerRefused | Superseded
Decide = Callable[[Offered], Decision | Awaitable[Decision]]


def accept_all(_award: Offered) -> Decision:
    return Decision(accept=True)


def decline_all(_award: Offered) -> Decision:
    return Decision(accept=False, reason="declined by the provider")


def response_for(award: Offered, decision: Decision):
    common = dict(
        event_id=uuid.uuid5(_RESPONSES, f"{award.contract_id}:{decision.accept}"),
        network_id=award.network_id,
        contract_id=award.contract_id,
        round_id=award.round_id,
        provider_id=award.provider_id,
        entity_version=award.entity_version + 1,
    )
    if decision.accept:
        return ContractAccepted(**common)
    pairs = [LineOfferPair(line_id=line, offer_id=offer) for line, offer in decision.pairs]
    return ContractDeclined(**common, pairs=pairs, reason=decision.reason)


@dataclass
class Standing:
    """What the listener knows of each provider's contracts, from the events it read."""

    current: dict[tuple[str, str], Offered] = field(default_factory=dict)  # (network, provider)
    superseded: dict[str, Any] = field(default_factory=dict)  # contract id -> the later event

    def read(self, event) -> None:
        """Take in one event, in topic order (one provider's events share a partition)."""
        if isinstance(event, ContractAnswerRefused):
            return
        key = (event.network_id, event.provider_id)
        before = self.current.get(key)
        if isinstance(event, ContractWithdrawn):
            self.superseded[event.contract_id] = event
            if before is not None and before.contract_id == event.contract_id:
                del self.current[key]
            return
        if isinstance(event, ContractAmended):
            self.superseded[event.replaces_contract_id] = event
        if event.contract_id in self.superseded:
            return  # an award republished after it was replaced
        self.current[key] = event
        if before is not None and before.contract_id != event.contract_id:
            self.superseded[before.contract_id] = event  # a newer contract replaces it

    def stands(self, offered: Offered) -> bool:
        return offered.contract_id not in self.superseded


@dataclass
class ProviderListener:
    kafka_options: dict[str, Any]
    decide: Decide
    providers: set[str] | None = None  # None: every provider (a network's test double)
    group_id: str = "provider-reference"
    on_answer: Callable[[Offered, Any], None] | None = None
    on_notice: Callable[[Notice], None] | None = None
    answered: set[str] = field(default_factory=set)
    standing: Standing = field(default_factory=Standing)

    async def run(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(
            ASSIGNMENTS, group_id=self.group_id, enable_auto_commit=False,
            auto_offset_reset="earliest", **self.kafka_options,
        )
        producer = AIOKafkaProducer(enable_idempotence=False, acks="all", **self.kafka_options)
        await consumer.start()
        await producer.start()
        try:
            while not stop.is_set():
                records = await _read_what_is_there(consumer)
                if records:
                    await self.handle(records, producer)
                    await consumer.commit()
        finally:
            await consumer.stop()
            await producer.stop()

    async def handle(self, records: list, producer: AIOKafkaProducer) -> None:
        """Take in every record first, then answer what still stands, in topic order."""
        offered: list[Offered] = []
        for record in records:
            event = self._decode(record)
            if event is None:
                continue
            self.standing.read(event)
            if isinstance(event, ContractAwarded | ContractAmended):
                offered.append(event)
            else:
                self._notice(event)
        for event in offered:
            if event.contract_id in self.answered:
                continue  # a republished award: already answered
            if not self.standing.stands(event):
                self._notice(Superseded(event, self.standing.superseded[event.contract_id]))
                continue
            await self._answer(event, producer)

    def _decode(self, record):
        provider = record.key.decode() if record.key else None
        if self.providers is not None and provider not in self.providers:
            return None
        try:
            return decode(ASSIGNMENTS, record.value)
        except ValidationError as exc:
            log.error("ignoring an unreadable record at offset %s: %s", record.offset, exc)
            return None

    async def _answer(self, offered: Offered, producer: AIOKafkaProducer) -> None:
        decision = self.decide(offered)
        if asyncio.iscoroutine(decision):
            decision = await decision
        response = response_for(offered, decision)
        await producer.send_and_wait(
            PROVIDER_RESPONSES, encode(response), key=record_key(response),
            headers=[("event-type", type(response).__name__.encode()),
                     ("event-id", str(response.event_id).encode())],
        )
        self.answered.add(offered.contract_id)
        if self.on_answer is not None:
            self.on_answer(offered, response)

    def _notice(self, notice: Notice) -> None:
        if isinstance(notice, ContractAnswerRefused):
            log.warning("answer to %s refused: %s", notice.contract_id, notice.reason)
        if self.on_notice is not None:
            self.on_notice(notice)


async def _read_what_is_there(consumer: AIOKafkaConsumer) -> list:
    """Every record up to the partitions' ends as the broker last reported them."""
    records: list = []
    timeout_ms = 500
    while True:
        batches = await consumer.getmany(timeout_ms=timeout_ms)
        for batch in batches.values():
            records.extend(batch)
        if not batches or not await _behind(consumer):
            return records
        timeout_ms = 100


async def _behind(consumer: AIOKafkaConsumer) -> bool:
    for partition in consumer.assignment():
        end = consumer.highwater(partition)
        if end is not None and await consumer.position(partition) < end:
            return True
    return False
