"""/ready turns 503 when the broker or the database goes away, and 200 when they return.

The services run as their composition roots build them, on the embedded broker
and one PostgreSQL database (as in deploy/compose). The broker goes away for
real (its process is stopped, then started again on the same port); the
database too (PostgreSQL refuses new connections to it and ends the open ones,
then accepts them again).
"""

from __future__ import annotations

import asyncio
import contextlib

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.e2e.monitoring.pipeline import Pipeline, pipeline

pytestmark = [pytest.mark.system, pytest.mark.broker, pytest.mark.postgres]

BROKER_CHECKS = {"kafka"}  # every service names its broker check so
DATABASE_CHECKS = {"database"}  # each service checks its own database only


async def wait_until_every_service(live: Pipeline, ready: bool, timeout_s: float = 60) -> dict:
    """Poll /ready until every service answers 200 (ready) or 503 (not); return the bodies."""
    wanted = 200 if ready else 503
    bodies: dict[str, tuple[int, dict]] = {}
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout_s):
            while True:
                bodies = {s: await live.ready(s) for s in live.urls}
                if all(code == wanted for code, _ in bodies.values()):
                    return {s: body for s, (_, body) in bodies.items()}
                await asyncio.sleep(0.5)
    raise AssertionError(f"not all services answered /ready {wanted} in {timeout_s}s: {bodies}")


def failing(body: dict) -> set[str]:
    return {name for name, up in body.items() if name != "ready" and up is False}


async def metric_dependency_up(live: Pipeline, service: str) -> dict[str, float]:
    text = await live.scrape(service)
    values = {}
    for line in text.splitlines():
        if line.startswith("welfare_dependency_up{"):
            name = line.split('dependency="', 1)[1].split('"', 1)[0]
            values[name] = float(line.rsplit(" ", 1)[1])
    return values


async def test_ready_follows_the_broker(broker, postgres_url, tmp_path):
    async with pipeline(broker.bootstrap, postgres_url, tmp_path) as live:
        await wait_until_every_service(live, ready=True)

        broker.stop()
        try:
            bodies = await wait_until_every_service(live, ready=False)
            for service, body in bodies.items():
                assert body["ready"] is False
                assert failing(body) and failing(body) <= BROKER_CHECKS, (service, body)
                up = await metric_dependency_up(live, service)
                assert {name for name, v in up.items() if v == 0} == failing(body), service
        finally:
            broker.start()  # the same port; the services reconnect by themselves

        for service, body in (await wait_until_every_service(live, ready=True)).items():
            assert failing(body) == set(), (service, body)
            assert set((await metric_dependency_up(live, service)).values()) == {1.0}, service


async def test_ready_follows_the_database(broker, postgres_url, tmp_path):
    database = make_url(postgres_url).database
    admin = make_url(postgres_url).set(drivername="postgresql", database="postgres") \
        .render_as_string(hide_password=False)

    def allow_connections(allowed: bool) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
            if not allowed:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))

    async with pipeline(broker.bootstrap, postgres_url, tmp_path) as live:
        await wait_until_every_service(live, ready=True)

        await asyncio.to_thread(allow_connections, False)
        try:
            bodies = await wait_until_every_service(live, ready=False)
            for service, body in bodies.items():
                assert body["ready"] is False
                assert failing(body) and failing(body) <= DATABASE_CHECKS, (service, body)
        finally:
            await asyncio.to_thread(allow_connections, True)

        for service, body in (await wait_until_every_service(live, ready=True)).items():
            assert failing(body) == set(), (service, body)
