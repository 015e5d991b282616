"""``GET /v1/firms/{firm_id}/outcome``: a firm reads its own lines of the latest committed
round through the operator, which asks the matcher's read API (conftest.py) with the
firm's token. The round is solved for real on a small book in the matcher's database.
"""

from __future__ import annotations

import asyncio

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
from tests.integration.matcher_service.conftest import run_inline
from tests.support.services import running
from tests.unit.matcher_service import builders as b

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


async def run_round(settings, round_id: str, *, dry_run: bool, book: list = ()) -> None:
    """Book events, then one round solved in this process, as the matcher would."""
    engine = make_engine(database_url(settings, NAME))  # migrated by conftest.py
    handlers = Handlers(engine, Inbox(tables.processed_events),
                        ServiceMetrics(CollectorRegistry(), NAME))
    try:
        for event in book:
            await handlers.book(event)
        await handlers.start_round(b.start_round(round_id, dry_run=dry_run))
        assert await asyncio.to_thread(run_inline, engine) == round_id
    finally:
        engine.dispose()


SMALL_BOOK = [
    *b.small_book(),
    # Below every home-care offer's price: not served, with the change that would serve it.
    b.line("ceramiche.care", "ceramiche", units=3, category="home_care", price="50.00"),
]


async def test_a_firm_reads_its_own_outcome_of_the_latest_committed_round(settings):
    firm = issue(settings.tokens_file, Role.FIRM, "ceramiche")
    other = issue(settings.tokens_file, Role.FIRM, "tessile")
    operator = issue(settings.tokens_file, Role.OPERATOR, "ops-modena")
    async with running(build(settings, KafkaConnection.from_settings(settings))) as url, \
            httpx.AsyncClient(base_url=url) as client:
        async def outcome(token: str, firm_id: str = "ceramiche") -> httpx.Response:
            return await client.get(f"/v1/firms/{firm_id}/outcome",
                                    headers={"Authorization": f"Bearer {token}"})

        await run_round(settings, "modena.dry", dry_run=True, book=SMALL_BOOK)
        before = await outcome(firm)  # a dry run is not an outcome: nothing was awarded
        await run_round(settings, "modena.r1", dry_run=False)
        mine = await outcome(firm)
        for_the_operator = await outcome(operator)
        not_mine = await outcome(firm, "tessile")
        anonymous = await client.get("/v1/firms/ceramiche/outcome")
        theirs = await outcome(other, "tessile")

    assert before.status_code == 404, before.text
    assert before.json()["code"] == "not_found"
    assert before.json()["error"] == (
        "nessun round confermato comprende ancora l'impresa 'ceramiche': il suo esito sarà "
        "noto quando l'operatore della rete confermerà un round che la comprende")
    assert mine.status_code == 200, mine.text
    assert for_the_operator.status_code == 200 and for_the_operator.json() == mine.json()
    assert not_mine.status_code == 403 and anonymous.status_code == 401

    body = mine.json()
    assert (body["round_id"], body["firm_id"], body["firm_name"]) == (
        "modena.r1", "ceramiche", "Ceramiche")
    assert body["budget_eur"] == "100000.00"
    lines = {line["line_id"]: line for line in body["lines"]}
    assert set(lines) == {"ceramiche.camp", "ceramiche.care"}  # never another firm's

    camp = lines["ceramiche.camp"]
    assert (camp["category"], camp["municipality"], camp["municipality_name"]) == (
        "childcare", "036023", "Modena (MO)")
    assert camp["unserved"] is None
    [served] = camp["served"]
    assert (served["provider_id"], served["provider_name"], served["offer_id"]) == (
        "gulliver", "Gulliver", "gulliver.camp")
    assert (served["units"], served["weeks"]) == (6, b.SUMMER)
    assert served["unit_price_eur"] == "100.00" and served["cost_eur"] == "1200.00"
    assert body["spend_eur"] == "1200.00"  # the served camp only

    care = lines["ceramiche.care"]
    assert care["served"] == [] and care["unserved"]["units"] == 3
    assert care["unserved"]["reason"] == "price_above_maximum"
    assert care["unserved"]["change"]["max_unit_price_eur"] == "100.00"

    tessile = {line["line_id"] for line in theirs.json()["lines"]}
    assert theirs.status_code == 200 and tessile == {"tessile.camp", "tessile.care"}
