"""Running a service built by its composition root, in the test's event loop.

The HTTP app is reached through httpx's ASGI transport; the broker connection
and the outbox relay run for real against the test's embedded broker. Tokens
are given to the service through settings, as in production. Supply's tests
use this module too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord

from services.common.auth import digest
from services.common.runtime import Service
from services.common.settings import Settings

# (role, subject) -> token; the service only ever sees the digests.
TOKENS = {
    ("operator", "ops"): "token-operator-ops",
    ("firm", "acme"): "token-firm-acme",
    ("firm", "bolts"): "token-firm-bolts",
    ("provider", "coop-gulliver"): "token-provider-gulliver",
    ("provider", "coop-aurora"): "token-provider-aurora",
}


def with_tokens(settings: Settings) -> Settings:
    entries = [{"sha256": digest(token), "role": role, "subject": subject}
               for (role, subject), token in TOKENS.items()]
    return settings.model_copy(update={"tokens": json.dumps({"tokens": entries})})


def auth(role: str, subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[(role, subject)]}"}


@asynccontextmanager
async def running(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    if service.on_starting is not None:
        await service.on_starting()
    assert service.broker is not None
    await service.broker.start()
    stop = asyncio.Event()
    loops = [asyncio.create_task(loop(stop)) for loop in service.loops]
    try:
        transport = httpx.ASGITransport(app=service.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client
    finally:
        stop.set()
        await asyncio.gather(*loops)
        await service.broker.stop()
        if service.on_stopped is not None:
            await service.on_stopped()


async def read_topic(bootstrap: str, topic: str | Iterable[str], expected: int,
                     timeout_s: float = 30) -> list[ConsumerRecord]:
    """Every record on the topic (or topics), once at least ``expected`` arrived.

    One more short poll after that catches records beyond those expected, so
    that a test can assert the exact number.
    """
    topics = [topic] if isinstance(topic, str) else list(topic)
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        async with asyncio.timeout(timeout_s):
            while len(records) < expected:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    records.extend(batch)
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            records.extend(batch)
    finally:
        await consumer.stop()
    return sorted(records, key=lambda r: (r.partition, r.offset))
