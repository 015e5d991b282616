"""``GET /v1/networks/{network_id}/book`` through the operator: the matcher's book of the
network, passed on as the matcher's read API (conftest.py) answers it; operators only.
"""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import CollectorRegistry

from services.common.auth import Role, issue
from services.common.consumer import Inbox
from services.common.database import database_url, make_engine
from services.common.kafka import KafkaConnection
from services.common.metrics import ServiceMetrics
from services.matcher.adapters import tables
from services.matcher.bootstrap import NAME
from services.matcher.service_layer.handlers import Handlers
from services.operator.bootstrap import build
from tests.support.services import running
from tests.unit.matcher_service import builders as b

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


async def fill_book(settings, events) -> None:
    engine = make_engine(database_url(settings, NAME))  # migrated by conftest.py
    handlers = Handlers(engine, Inbox(tables.processed_events),
                        ServiceMetrics(CollectorRegistry(), NAME))
    try:
        for event in events:
            await handlers.book(event)
    finally:
        engine.dispose()


async def test_an_operator_reads_the_matchers_book_of_a_network(settings):
    operator = issue(settings.tokens_file, Role.OPERATOR, "ops-modena")
    firm = issue(settings.tokens_file, Role.FIRM, "ceramiche")
    await fill_book(settings, b.small_book())
    async with running(build(settings, KafkaConnection.from_settings(settings))) as url, \
            httpx.AsyncClient(base_url=url) as client:
        async def get(token: str) -> httpx.Response:
            return await client.get("/v1/networks/modena/book",
                                    headers={"Authorization": f"Bearer {token}"})

        book, refused = await get(operator), await get(firm)
        async with httpx.AsyncClient(base_url=settings.matcher_url) as matcher:
            direct = await matcher.get("/v1/networks/modena/book",
                                       headers={"Authorization": f"Bearer {operator}"})

    assert book.status_code == 200 and refused.status_code == 403
    shown = book.json()
    assert shown == direct.json()  # passed on as the matcher wrote it
    assert (shown["firms"], shown["providers"], shown["demand_lines"], shown["offers"]) == (
        2, 2, 3, 2)
    assert shown["changed_at"] is not None
    # This read API was given no lag measurement: the operator says so, it invents none.
    assert (shown["unapplied_events"], shown["measured_at"]) == (None, None)
