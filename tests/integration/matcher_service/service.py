"""Driving the matcher service through the real broker: run it, publish, read back."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, func, select

from schemas.topics import TOPIC_OF, decode, encode, record_key
from services.common.database import database_url, make_engine
from services.common.embedded_broker import free_port
from services.common.kafka import KafkaConnection
from services.common.settings import Settings
from services.matcher.adapters import tables as t
from services.matcher.bootstrap import build
from services.matcher.options import MatcherOptions
from services.matcher.adapters.worker import DEFAULT_SOLVER

ROOT = Path(__file__).resolve().parents[3]
FAST = {"round_poll_s": 0.2, "lag_interval_s": 0.5, "gauges_interval_s": 0.5,
        "settle_timeout_s": 5.0, "relay_idle_interval_s": 0.2}


@dataclass
class Running:
    settings: Settings
    engine: Engine  # the test's own view of the matcher's database

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.matcher_port}"


@contextlib.asynccontextmanager
async def running_matcher(settings: Settings, solver: str = DEFAULT_SOLVER,
                          **options) -> AsyncIterator[Running]:
    """The service as ``bootstrap.build`` makes it, run in the test's event loop."""
    settings = settings.model_copy(update={"matcher_port": free_port()})
    service = build(settings, KafkaConnection.from_settings(settings),
                    MatcherOptions(solver=solver, **{**FAST, **options}))
    engine = make_engine(database_url(settings, "matcher"))
    stop = asyncio.Event()
    task = asyncio.create_task(service.run(stop=stop))
    try:
        await wait_for(lambda: _ready(settings), what="the matcher to be ready")
        yield Running(settings, engine)
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
        engine.dispose()


async def _ready(settings: Settings) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            reply = await client.get(f"http://127.0.0.1:{settings.matcher_port}/ready")
        return reply.status_code == 200
    except httpx.HTTPError:
        return False


class MatcherProcess:
    """``python -m services.matcher`` as a child process, to be killed for real."""

    def __init__(self, settings: Settings, log: Path, **options: str) -> None:
        self.port = free_port()
        self.log = log
        self.env = {
            **os.environ,
            "WELFARE_KAFKA_BOOTSTRAP": settings.kafka_bootstrap or "",
            "WELFARE_KAFKA_IDEMPOTENT_PRODUCER": "false",
            "WELFARE_KAFKA_SESSION_TIMEOUT_MS": str(settings.kafka_session_timeout_ms),
            "WELFARE_KAFKA_HEARTBEAT_INTERVAL_MS": str(settings.kafka_heartbeat_interval_ms),
            "WELFARE_KAFKA_REQUEST_TIMEOUT_MS": str(settings.kafka_request_timeout_ms),
            "WELFARE_DATABASE_URL": settings.database_url,
            "WELFARE_MATCHER_PORT": str(self.port),
            **{f"WELFARE_MATCHER_{k.upper()}": str(v) for k, v in {**FAST, **options}.items()},
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> MatcherProcess:
        with self.log.open("ab") as out:
            # Its own session: killing the group takes the solver's worker with it,
            # as a container's death would.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services.matcher"], cwd=ROOT, env=self.env,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, nothing is flushed or released."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    async def ready(self) -> None:
        settings = Settings(matcher_port=self.port)
        await wait_for(lambda: _ready(settings), what="the matcher process to be ready",
                       alive=lambda: self.process is not None and self.process.poll() is None,
                       log=self.log)


async def wait_for(condition: Callable, *, what: str, timeout_s: float = 90,
                   alive: Callable[[], bool] | None = None, log: Path | None = None):
    """Poll ``condition`` (sync or async) until it is truthy; return its value."""
    async with asyncio.timeout(timeout_s):
        while True:
            value = condition()
            if asyncio.iscoroutine(value):
                value = await value
            if value:
                return value
            if alive is not None and not alive():
                tail = log.read_text()[-3000:] if log else ""
                raise AssertionError(f"died while waiting for {what}:\n{tail}")
            await asyncio.sleep(0.2)


async def publish(bootstrap: str, *events, partition: int | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        sends = [await producer.send(TOPIC_OF[type(e)], encode(e), key=record_key(e),
                                     partition=partition) for e in events]
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def publish_raw(bootstrap: str, topic: str, value: bytes, key: bytes = b"k") -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str, until: Callable[[list], bool],
                     timeout_s: float = 90) -> list:
    """Every record of ``topic`` from the start, once ``until(records)`` holds."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    records: list = []
    try:
        async with asyncio.timeout(timeout_s):
            while not until(records):
                for batch in (await consumer.getmany(timeout_ms=300)).values():
                    records.extend(batch)
    finally:
        await consumer.stop()
    return records


def events_of(records: list) -> list:
    return [decode(r.topic, r.value) for r in records]


def has(event_type: str, round_id: str | None = None, count: int = 1):
    def check(records: list) -> bool:
        found = [e for e in events_of(records) if type(e).__name__ == event_type
                 and (round_id is None or getattr(e, "round_id", None) == round_id)]
        return len(found) >= count
    return check


async def metric(url: str, name: str, **labels: str) -> float | None:
    """A sample's value from the service's /metrics, or None if absent."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{url}/metrics")).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


def count(engine: Engine, table, *where) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table).where(*where)).scalar()


def round_status(engine: Engine, round_id: str) -> str | None:
    with engine.connect() as connection:
        return connection.execute(
            select(t.rounds.c.status).where(t.rounds.c.round_id == round_id)).scalar()
