"""Running a service built by its composition root, and reading what it published.

The service runs whole in the test's event loop (``services.common.runtime.running``:
migrations, HTTP on a free port, broker, outbox relay) against the test's
embedded broker and database. Tokens reach it through settings, as in
production. Supply's tests use this module too.
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
from services.common.runtime import running as serving
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
    """The whole service (HTTP on a free port, broker, relay), and a client for it."""
    async with serving(service) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


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
