"""A broker that comes back empty loses nothing (services/common/broker_log.py).

The embedded broker keeps nothing across a restart: what it had acknowledged
and a consumer had not yet read is gone with it. The services notice that the
log went backwards and publish the latest event of every entity again; no one
has to do anything.
"""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest
from sqlalchemy import select

from schemas.topics import ASSIGNMENTS, ROUND_EVENTS
from services.common.database import database_url, make_engine
from services.common.outbox import Outbox
from services.matcher.adapters import tables as t
from services.matcher.domain.ids import award_event_id
from tests.e2e.monitoring.pipeline import INTAKE_FIRM, INTAKE_NETWORK, WEEKS, build, pipeline
from tests.integration.matcher_service.service import (
    events_of,
    has,
    metric,
    publish,
    read_topic,
    round_status,
    running_matcher,
    wait_for,
)
from tests.support.gated_broker import GatedBroker
from tests.support.services import running
from tests.unit.matcher_service import builders as b

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


@pytest.fixture
def broker():
    """Comes back empty with its topics, as a cluster does (tests/support/gated_broker.py)."""
    with GatedBroker() as gated:
        yield gated


def line(line_id: str) -> dict:
    return {"line": {"line_id": line_id, "category": "childcare", "municipality": "035033",
                     "weeks": WEEKS, "units": 2, "max_unit_price_eur": "150.00", "priority": 1,
                     "respondents": 12}}


class Firm:
    """Intake's HTTP API as the firm sees it; remembers every line intake accepted."""

    def __init__(self, url: str, operator_token: str, firm_token: str) -> None:
        self.client = httpx.AsyncClient(base_url=url, timeout=30)
        self.operator = {"Authorization": f"Bearer {operator_token}"}
        self.firm = {"Authorization": f"Bearer {firm_token}"}
        self.accepted: list[str] = []
        self.sent = 0

    async def enrol(self) -> None:
        firm = {"firm_id": INTAKE_FIRM, "name": "Fonderia S.p.A.", "ateco_sector": "C",
                "employees": 120, "welfare_budget_eur": "25000.00"}
        reply = await self.client.put(f"/v1/firms/{INTAKE_FIRM}", headers=self.operator,
                                      json={"network_id": INTAKE_NETWORK, "firm": firm})
        assert reply.status_code == 200, reply.text

    async def submit(self) -> None:
        line_id = f"{INTAKE_FIRM}.l{self.sent:03d}"
        self.sent += 1
        reply = await self.client.put(f"/v1/firms/{INTAKE_FIRM}/demand/{line_id}",
                                      headers=self.firm, json=line(line_id))
        if reply.status_code in (200, 202):
            self.accepted.append(line_id)

    async def keep_submitting(self, stop: asyncio.Event) -> None:
        """Ten lines a second, as the firms did in the probe, until told to stop."""
        while not stop.is_set():
            with contextlib.suppress(httpx.HTTPError):
                await self.submit()
            await asyncio.sleep(0.1)


def book(engine) -> set[str]:
    with engine.connect() as connection:
        rows = connection.execute(select(t.demand_lines.c.line_id).where(
            t.demand_lines.c.network_id == INTAKE_NETWORK, t.demand_lines.c.payload.is_not(None)))
        return {row.line_id for row in rows}


def intake_pending(engine) -> int:
    from services.intake.adapters.tables import outbox

    with engine.connect() as connection:
        return outbox.backlog(connection)[0]


async def test_every_accepted_line_reaches_the_book_after_the_broker_comes_back_empty(
        broker, database_url, tmp_path):
    async with contextlib.AsyncExitStack() as stack:
        live = await stack.enter_async_context(
            pipeline(broker.bootstrap, database_url, tmp_path, services=["intake"]))
        intake_engine = make_engine(database_url_of(live, "intake"))
        stack.callback(intake_engine.dispose)
        firm = Firm(live.urls["intake"], live.operator_token, live.firm_token)
        stack.push_async_callback(firm.client.aclose)
        await firm.enrol()
        for _ in range(10):
            await firm.submit()
        assert len(firm.accepted) == 10
        # Relayed and acknowledged, read by no one yet: the broker had them, and loses them.
        await wait_for(lambda: intake_pending(intake_engine) == 0, what="intake's outbox to drain")

        stop = asyncio.Event()
        feeder = asyncio.create_task(firm.keep_submitting(stop))
        await asyncio.sleep(0.5)
        await asyncio.to_thread(broker.restart)  # stopped, started again empty, same port
        await asyncio.sleep(1.0)

        matcher_url = await stack.enter_async_context(
            running(build("matcher", live.settings), ready_timeout_s=90))
        await asyncio.sleep(0.5)
        stop.set()
        await feeder
        assert len(firm.accepted) > 10

        matcher_engine = make_engine(database_url_of(live, "matcher"))
        stack.callback(matcher_engine.dispose)
        wanted = set(firm.accepted)
        await wait_for(lambda: book(matcher_engine) >= wanted, timeout_s=120,
                       what=f"the {len(wanted)} accepted lines in the matcher's book")
        assert book(matcher_engine) == wanted
        assert await metric(live.urls["intake"], "welfare_broker_log_rewinds_total") >= 1
        assert await metric(matcher_url, "welfare_broker_log_rewinds_total") in (None, 0)


def database_url_of(live, service: str) -> str:
    return database_url(live.settings, service)


def pending(engine) -> list[str]:
    with engine.connect() as connection:
        return [row.event_type for row in Outbox(t.outbox).pending(connection, 100)]


async def test_awards_awaiting_an_answer_are_on_the_topic_again(settings, broker, caplog):
    async with running_matcher(settings) as matcher:
        await publish(broker.bootstrap, *b.small_book())
        await wait_for(lambda: len(book_of(matcher.engine)) == 3, what="the book")
        await publish(broker.bootstrap, b.start_round("r1"))
        awarded = {award_event_id("r1:aurora"), award_event_id("r1:gulliver")}
        await read_topic(broker.bootstrap, ROUND_EVENTS, has("RoundCompleted", "r1"))
        assert round_status(matcher.engine, "r1") == "completed"
        await wait_for(lambda: not pending(matcher.engine), what="the outbox to drain")

        # The matcher has nothing new to publish: only its watch can notice.
        await asyncio.to_thread(broker.restart)
        awards = events_of(await read_topic(broker.bootstrap, ASSIGNMENTS,
                                            lambda r: len(r) >= 2, timeout_s=60))
        assert {a.event_id for a in awards} == awarded
        await read_topic(broker.bootstrap, ROUND_EVENTS, has("RoundCompleted", "r1"))
        assert await metric(matcher.url, "welfare_broker_log_rewinds_total") == 1
        assert "ends at offset" in caplog.text  # found by the watch's end offsets


def book_of(engine) -> list:
    with engine.connect() as connection:
        return connection.execute(select(t.demand_lines.c.line_id)).all()
