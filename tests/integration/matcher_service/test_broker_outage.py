"""The broker goes away while a round completes: the awards wait in the outbox."""

from __future__ import annotations

import httpx
import pytest

from schemas.topics import ASSIGNMENTS, ROUND_EVENTS
from services.common.outbox import Outbox
from services.matcher.adapters import tables as t
from services.matcher.domain.ids import award_event_id
from tests.integration.matcher_service.service import (
    count,
    events_of,
    has,
    metric,
    publish,
    read_topic,
    round_status,
    running_matcher,
    wait_for,
)
from tests.unit.matcher_service import builders as b
from tests.unit.matcher_service.standin import SLOW

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


def pending(engine) -> list[str]:
    with engine.connect() as connection:
        return [row.event_type for row in Outbox(t.outbox).pending(connection, 100)]


async def test_awards_wait_in_the_outbox_and_go_out_when_the_broker_is_back(
        settings, broker, monkeypatch):
    monkeypatch.setenv("WELFARE_TEST_SOLVE_S", "3")  # read by the worker it spawns
    async with running_matcher(settings, solver=SLOW) as matcher:
        await publish(broker.bootstrap, *b.small_book())
        await wait_for(lambda: count(matcher.engine, t.demand_lines) == 3, what="the book")
        await publish(broker.bootstrap, b.start_round("r1"))
        await read_topic(broker.bootstrap, ROUND_EVENTS, has("RoundStarted", "r1"))

        broker.stop()  # Kafka goes away while the round is solving
        await wait_for(lambda: round_status(matcher.engine, "r1") == "completed",
                       what="the round to complete")
        assert pending(matcher.engine) == ["ContractAwarded", "ContractAwarded",
                                           "RoundCompleted"]
        await wait_for(lambda: _not_ready(matcher.url), what="/ready to say Kafka is away")
        await wait_for(lambda: _backlog(matcher.url, 3), what="the backlog gauge")

        broker.start()  # back, empty (Tansu keeps nothing), topics recreated
        awards = events_of(await read_topic(broker.bootstrap, ASSIGNMENTS,
                                            lambda r: len(r) >= 2))
        assert {a.event_id for a in awards} == {award_event_id("r1:aurora"),
                                                award_event_id("r1:gulliver")}
        await read_topic(broker.bootstrap, ROUND_EVENTS, has("RoundCompleted", "r1"))
        await wait_for(lambda: not pending(matcher.engine), what="the outbox to drain")

        # The consumers found their groups gone, rejoined and read the new log.
        await publish(broker.bootstrap, b.start_round("r2", dry_run=True))
        await read_topic(broker.bootstrap, ROUND_EVENTS, has("RoundCompleted", "r2"))
        await wait_for(lambda: _backlog(matcher.url, 0), what="the backlog gauge to clear")


async def _not_ready(url: str) -> bool:
    async with httpx.AsyncClient() as client:
        reply = await client.get(f"{url}/ready", timeout=10)
    return reply.status_code == 503 and reply.json()["kafka"] is False


async def _backlog(url: str, n: int) -> bool:
    return await metric(url, "welfare_outbox_backlog_messages") == n
