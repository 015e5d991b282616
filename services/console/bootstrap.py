"""Composition root of the console: its pages, the services it calls, its cookie's secret.

No database and no Kafka: the console reads and writes through the intake,
supply and operator HTTP APIs (``WELFARE_INTAKE_URL``, ``WELFARE_SUPPLY_URL``,
``WELFARE_OPERATOR_URL``) with the logged-in person's token, and learns who a
token belongs to from the same tokens file the services read.
"""

from __future__ import annotations

import httpx
from prometheus_client import CollectorRegistry

from services.common.auth import TokenStore
from services.common.http import create_api
from services.common.metrics import ServiceMetrics
from services.common.runtime import Service
from services.common.settings import Settings
from services.console.apis import ServiceUrls
from services.console.app import console_app
from services.console.session import session_secret

NAME = "console"


def build(settings: Settings, connection: object = None) -> Service:
    """``connection`` is unused (the console talks to no broker); it is accepted so
    that ``welfare serve`` and the demo build every service the same way."""
    metrics = ServiceMetrics(CollectorRegistry(), NAME)
    # Idle connections are dropped before the services' servers drop them (uvicorn
    # closes a keep-alive connection after 5 s): reusing one the server is closing
    # fails the request with "server disconnected".
    client = httpx.AsyncClient(timeout=30, limits=httpx.Limits(keepalive_expiry=2))
    app = create_api(title="Welfare console",
                     description="The web pages of operators, firms and providers.",
                     metrics=metrics, checks={})
    console_app(app, tokens=TokenStore.from_settings(settings),
                urls=ServiceUrls(settings.intake_url.rstrip("/"),
                                 settings.supply_url.rstrip("/"),
                                 settings.operator_url.rstrip("/")),
                secret=session_secret(settings), client=client)

    async def dispose() -> None:
        await client.aclose()

    return Service(name=NAME, app=app, port=settings.console_port, on_stopped=dispose)
