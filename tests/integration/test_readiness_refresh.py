"""The readiness gauge follows the database on its own, with nobody calling /ready.

Intake runs as its composition root builds it, on a PostgreSQL database of its
own; the test drops that database, then only scrapes ``/metrics`` (as
Prometheus does) until ``welfare_dependency_up{dependency="database"}`` is 0,
and back to 1 once the database is there again.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import KafkaConnection
from services.common.readiness import DEFAULT_INTERVAL_S
from services.common.runtime import running
from services.common.settings import Settings
from services.intake.bootstrap import build

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

# Several refresh intervals: the gauge must move well within it, on a busy machine.
WAIT_S = DEFAULT_INTERVAL_S * 8


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def samples(text: str, name: str) -> dict[tuple, float]:
    return {tuple(sorted(s.labels.items())): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples if s.name == name}


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return response.text


async def database_gauge_becomes(client: httpx.AsyncClient, value: float) -> None:
    async with asyncio.timeout(WAIT_S):
        while True:
            gauge = samples(await scrape(client), "welfare_dependency_up")
            if gauge.get((("dependency", "database"),)) == value:
                return
            await asyncio.sleep(0.2)


def ready_calls(text: str) -> float:
    calls = samples(text, "welfare_http_requests_total")
    return sum(v for labels, v in calls.items() if ("route", "/ready") in labels)


async def test_the_gauge_goes_to_zero_when_the_database_goes_away(postgres_server_url, tmp_path):
    admin = _libpq(postgres_server_url)
    name = f"welfare_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    try:
        with EmbeddedBroker() as broker:
            settings = Settings(kafka_bootstrap=broker.bootstrap, kafka_idempotent_producer=False,
                                kafka_request_timeout_ms=3000, database_url=url,
                                data_dir=tmp_path)
            service = build(settings, KafkaConnection.from_settings(settings))
            async with running(service) as base, httpx.AsyncClient(base_url=base) as client:
                await database_gauge_becomes(client, 1)
                before = ready_calls(await scrape(client))
                assert before >= 1  # running() waited on /ready: the counter does count it

                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                await database_gauge_becomes(client, 0)

                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{name}"')
                await database_gauge_becomes(client, 1)

                assert ready_calls(await scrape(client)) == before  # nobody asked /ready
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
