"""Every service of the system in one event loop, each on its own loopback port."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families

from services.common.kafka import KafkaConnection, ensure_topics
from services.common.runtime import running
from services.common.settings import Settings

SERVICES = ("intake", "supply", "matcher", "operator")


@dataclass
class Pipeline:
    settings: Settings
    connection: KafkaConnection
    urls: dict[str, str]  # service name -> base URL

    async def metric(self, service: str, name: str, **labels: str) -> float:
        """The sum of a metric's samples on a service's /metrics, filtered by labels."""
        async with httpx.AsyncClient(base_url=self.urls[service], timeout=10) as client:
            text = (await client.get("/metrics")).text
        total = 0.0
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v
                                               for k, v in labels.items()):
                    total += sample.value
        return total


@contextlib.asynccontextmanager
async def running_pipeline(settings: Settings, connection: KafkaConnection,
                           services: tuple[str, ...] = SERVICES) -> AsyncIterator[Pipeline]:
    """Build each service by its composition root and run it until the block ends."""
    if settings.kafka_create_topics:
        await ensure_topics(connection)
    urls: dict[str, str] = {}
    async with contextlib.AsyncExitStack() as stack:
        for name in services:
            # The operator reads rounds through the matcher's API, on whatever port it took.
            wired = (settings.model_copy(update={"matcher_url": urls["matcher"]})
                     if "matcher" in urls else settings)
            service = importlib.import_module(f"services.{name}.bootstrap").build(
                wired, connection)
            urls[name] = await stack.enter_async_context(running(service, ready_timeout_s=120))
        yield Pipeline(settings, connection, urls)
