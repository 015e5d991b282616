"""Reference provider consumer: read awards, answer accept or decline.

A cooperative can run this as it is (``welfare provider listen``) or copy it:
it needs nothing but aiokafka and the public contracts in ``schemas``.

It reads ``welfare.assignments.v1`` in its own consumer group, keeps the
awards addressed to its provider(s) (records are keyed by provider id), asks
``decide`` what to answer and publishes the answer on
``welfare.provider-responses.v1`` before committing the award's offset. A crash
in between answers again after restart, under the same event id (derived from
the contract and the decision), so the matcher applies it once.
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

from schemas.assignments import ContractAwarded
from schemas.responses import ContractAccepted, ContractDeclined, LineOfferPair
from schemas.topics import ASSIGNMENTS, PROVIDER_RESPONSES, decode, encode, record_key

log = logging.getLogger(__name__)

_RESPONSES = uuid.UUID("0c5d3a8e-7d4b-4f1e-8f0a-6a3e1d2b9c47")


@dataclass(frozen=True)
class Decision:
    accept: bool
    reason: str = ""
    pairs: tuple[tuple[str, str], ...] = ()  # declined (line, offer); empty = all


Decide = Callable[[ContractAwarded], Decision | Awaitable[Decision]]


def accept_all(_award: ContractAwarded) -> Decision:
    return Decision(accept=True)


def decline_all(_award: ContractAwarded) -> Decision:
    return Decision(accept=False, reason="declined by the provider")


def response_for(award: ContractAwarded, decision: Decision):
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
class ProviderListener:
    kafka_options: dict[str, Any]
    decide: Decide
    providers: set[str] | None = None  # None: every provider (a network's test double)
    group_id: str = "provider-reference"
    on_answer: Callable[[ContractAwarded, Any], None] | None = None
    answered: set[str] = field(default_factory=set)

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
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        await self._handle(record, producer)
                if batches:
                    await consumer.commit()
        finally:
            await consumer.stop()
            await producer.stop()

    async def _handle(self, record, producer: AIOKafkaProducer) -> None:
        provider = record.key.decode() if record.key else None
        if self.providers is not None and provider not in self.providers:
            return
        try:
            award = decode(ASSIGNMENTS, record.value)
        except ValidationError as exc:
            log.error("ignoring an unreadable award at offset %s: %s", record.offset, exc)
            return
        if award.contract_id in self.answered:
            return  # a republished award: already answered
        decision = self.decide(award)
        if asyncio.iscoroutine(decision):
            decision = await decision
        response = response_for(award, decision)
        await producer.send_and_wait(
            PROVIDER_RESPONSES, encode(response), key=record_key(response),
            headers=[("event-type", type(response).__name__.encode()),
                     ("event-id", str(response.event_id).encode())],
        )
        self.answered.add(award.contract_id)
        if self.on_answer is not None:
            self.on_answer(award, response)
