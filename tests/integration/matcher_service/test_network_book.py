"""``GET /v1/networks/{network_id}/book``: what the matcher's book holds of a network,
when it last changed, and the events it has yet to apply, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from fastapi import FastAPI

from services.common.auth import Principal, Role
from services.matcher.adapters.freshness import MeasuredLag
from services.matcher.read_api import read_router
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres

MEASURED = dt.datetime(2026, 12, 3, 8, 5, tzinfo=dt.UTC)


def read_api(engine, role: Role = Role.OPERATOR, lag=lambda: None) -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(read_router(authenticate=lambda: Principal(role, "someone"),
                                   engine=engine, book_lag=lag))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://matcher")


async def test_the_book_of_a_network_counts_what_stands_and_says_when_it_changed(
        engine, handlers):
    before = dt.datetime.now(dt.UTC)
    for event in b.small_book():
        await handlers.book(event)
    measured = MeasuredLag(3, MEASURED)
    async with read_api(engine, lag=lambda: measured) as api:
        full = (await api.get("/v1/networks/modena/book")).json()
        await handlers.book(b.line_withdrawn("tessile.care", "tessile", version=2))
        await handlers.book(b.offer_withdrawn("aurora.care", "aurora", version=2))
        after_withdrawal = (await api.get("/v1/networks/modena/book")).json()
        unknown = (await api.get("/v1/networks/bologna/book")).json()

    assert {k: full[k] for k in ("network_id", "firms", "providers", "demand_lines", "offers")
            } == {"network_id": "modena", "firms": 2, "providers": 2, "demand_lines": 3,
                  "offers": 2}
    changed = dt.datetime.fromisoformat(full["changed_at"])
    assert before <= changed <= dt.datetime.now(dt.UTC)
    assert (full["unapplied_events"], dt.datetime.fromisoformat(full["measured_at"])) == (
        3, MEASURED)
    # A withdrawal leaves the counts and is a change of the book.
    assert (after_withdrawal["demand_lines"], after_withdrawal["offers"]) == (2, 1)
    assert dt.datetime.fromisoformat(after_withdrawal["changed_at"]) >= changed
    assert unknown == {"network_id": "bologna", "firms": 0, "providers": 0, "demand_lines": 0,
                       "offers": 0, "changed_at": None, "unapplied_events": 3,
                       "measured_at": MEASURED.isoformat().replace("+00:00", "Z")}


async def test_before_the_lag_is_measured_it_says_none_and_only_operators_may_read(engine):
    async with read_api(engine) as api:
        book = (await api.get("/v1/networks/modena/book")).json()
    async with read_api(engine, Role.FIRM) as api:
        refused = await api.get("/v1/networks/modena/book")
    assert (book["unapplied_events"], book["measured_at"], book["changed_at"]) == (
        None, None, None)
    assert refused.status_code == 403


@pytest.mark.broker
async def test_the_running_matcher_says_when_it_has_applied_everything_sent(settings, tmp_path):
    """bootstrap.build wires the lag measured on the book's topics to the route."""
    from services.common.auth import issue
    from tests.integration.matcher_service.service import publish, running_matcher, wait_for

    settings.tokens_file = tmp_path / "tokens.json"
    token = issue(settings.tokens_file, Role.OPERATOR, "ops-modena")
    async with running_matcher(settings) as matcher, httpx.AsyncClient(
            base_url=matcher.url, headers={"Authorization": f"Bearer {token}"}) as api:
        await publish(settings.kafka_bootstrap, *b.small_book())

        async def applied() -> dict | None:
            shown = (await api.get("/v1/networks/modena/book")).json()
            return shown if (shown["demand_lines"], shown["unapplied_events"]) == (3, 0) \
                else None

        shown = await wait_for(applied, what="the book applied and its lag measured at 0")
    assert shown["measured_at"] is not None and shown["changed_at"] is not None
