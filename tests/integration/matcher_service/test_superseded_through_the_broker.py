"""Superseded awards and repair notices through the embedded broker, SQLite and PostgreSQL.

The matcher runs as ``bootstrap.build`` makes it; answers go in on the
responses topic, what providers are told comes back from the assignments
topic, and the reference provider listener reads it as a cooperative would.
"""

from __future__ import annotations

import asyncio

import pytest

from schemas.topics import ASSIGNMENTS, ROUND_EVENTS
from services.matcher.adapters import tables as t
from services.matcher.adapters.queries import get_round
from services.provider.listener import ProviderListener, Superseded, accept_all
from tests.integration.matcher_service.service import (
    count,
    events_of,
    has,
    metric,
    publish,
    read_topic,
    running_matcher,
    wait_for,
)
from tests.integration.matcher_service.test_superseded_awards import book
from tests.unit.matcher_service import builders as b

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


def of_type(name: str, count: int = 1):
    return lambda records: sum(type(e).__name__ == name for e in events_of(records)) >= count


async def round_done(bootstrap: str, round_id: str) -> None:
    await publish(bootstrap, b.start_round(round_id))
    await read_topic(bootstrap, ROUND_EVENTS, has("RoundCompleted", round_id))


async def committed_then_repaired(bootstrap: str, matcher, accept: tuple[str, ...]) -> None:
    """r1 awards aurora, gulliver and serena; ``accept`` answer; r2 amends gulliver's
    contract (one more camp line) and withdraws serena's (its line is withdrawn)."""
    await publish(bootstrap, *book())
    await wait_for(lambda: count(matcher.engine, t.offers) == 3, what="the book")
    await round_done(bootstrap, "r1")
    if accept:
        await publish(bootstrap, *[b.accepted("r1", p) for p in accept])
        await wait_for(lambda: count(matcher.engine, t.contract_responses) == len(accept),
                       what="the answers")
    await publish(bootstrap, b.line("ceramiche.camp2", "ceramiche", units=3),
                  b.line_withdrawn("ceramiche.sit", "ceramiche", version=2))
    await wait_for(lambda: count(matcher.engine, t.demand_lines, t.demand_lines.c.withdrawn)
                   == 1 and count(matcher.engine, t.demand_lines) == 5, what="the book")
    await round_done(bootstrap, "r2")


async def test_an_answer_to_a_superseded_award_is_refused_and_the_provider_told(settings):
    bootstrap = settings.kafka_bootstrap
    async with running_matcher(settings) as matcher:
        await committed_then_repaired(bootstrap, matcher, accept=("aurora",))
        told = events_of(await read_topic(bootstrap, ASSIGNMENTS, of_type("ContractWithdrawn")))
        assert sorted((type(e).__name__, e.contract_id) for e in told) == [
            ("ContractAmended", "r2:gulliver"),
            ("ContractAwarded", "r1:aurora"), ("ContractAwarded", "r1:gulliver"),
            ("ContractAwarded", "r1:serena"),
            ("ContractWithdrawn", "r1:serena")]  # nothing again for aurora, unchanged

        # As the issue found it: an answer to r1's award, after r2 replaced it.
        await publish(bootstrap, b.accepted("r1", "gulliver"))
        told = events_of(await read_topic(bootstrap, ASSIGNMENTS,
                                          of_type("ContractAnswerRefused")))
        (refusal,) = [e for e in told if type(e).__name__ == "ContractAnswerRefused"]
        assert (refusal.provider_id, refusal.contract_id, refusal.refusal,
                refusal.current_contract_id) == ("gulliver", "r1:gulliver", "superseded",
                                                 "r2:gulliver")
        assert await metric(matcher.url, "welfare_answers_refused_total",
                            reason="superseded") == 1
        assert count(matcher.engine, t.processed_events) > 0  # handled, not dead-lettered
        assert await metric(matcher.url, "welfare_dead_letters_total") in (None, 0)

        # The next round pins aurora's accepted line and nothing of r1:gulliver.
        await round_done(bootstrap, "r3")
        r3 = get_round(matcher.engine, "r3")
        assert r3.pinned == 1
        pins = {(x.line_id, o.offer_id) for c in r3.contracts for o in c.offers
                for x in o.lines if x.pinned}
        assert pins == {("tessile.care", "aurora.care")}


async def test_a_listener_started_late_answers_only_what_still_stands(settings):
    bootstrap = settings.kafka_bootstrap
    answered, notices = [], []
    async with running_matcher(settings) as matcher:
        await committed_then_repaired(bootstrap, matcher, accept=())
        await read_topic(bootstrap, ASSIGNMENTS, of_type("ContractWithdrawn"))

        listener = ProviderListener(
            kafka_options={"bootstrap_servers": bootstrap}, decide=accept_all,
            group_id="late-providers", on_notice=notices.append,
            on_answer=lambda offered, response: answered.append(offered.contract_id))
        stop = asyncio.Event()
        task = asyncio.create_task(listener.run(stop))
        try:
            await wait_for(lambda: len(answered) >= 2, what="the listener's answers")
            # aurora's r1 award still stands (r2 kept it); gulliver's amendment needs one.
            assert sorted(answered) == ["r1:aurora", "r2:gulliver"]
            await wait_for(lambda: count(matcher.engine, t.contract_responses) == 2,
                           what="the answers applied")
            responses = {c.provider_id: c.response for c in get_round(matcher.engine,
                                                                       "r2").contracts}
            assert responses == {"aurora": "accepted", "gulliver": "accepted"}

            superseded = {n.offered.contract_id: type(n.by).__name__
                          for n in notices if isinstance(n, Superseded)}
            assert superseded == {"r1:gulliver": "ContractAmended",
                                  "r1:serena": "ContractWithdrawn"}
            assert "ContractWithdrawn" in {type(n).__name__ for n in notices}

            # Someone answers the replaced award anyway: the listener reports the refusal.
            await publish(bootstrap, b.declined("r1", "gulliver"))
            await wait_for(lambda: any(type(n).__name__ == "ContractAnswerRefused"
                                       for n in notices), what="the refusal")
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
        assert await metric(matcher.url, "welfare_answers_refused_total",
                            reason="superseded") == 1
        assert count(matcher.engine, t.excluded) == 0  # the refused decline excluded nothing
