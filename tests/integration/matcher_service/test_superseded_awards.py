"""Repair rounds tell providers only what changed; answers to superseded awards are refused.

On a real database (SQLite and PostgreSQL), rounds run inline as the runner
runs them, answers go through the handlers as the subscriber calls them.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from schemas.parameters import RoundParameters
from schemas.topics import decode
from services.matcher.adapters import tables as t
from services.matcher.adapters.book import APPLIED, DUPLICATE
from services.matcher.domain.ids import award_event_id
from services.matcher.adapters.queries import get_round
from services.matcher.service_layer.responses import REFUSED
from services.matcher.adapters.snapshot import RoundSpec, build_snapshot
from tests.integration.matcher_service.conftest import run_inline
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres


def book() -> list:
    """aurora (home care), gulliver (camp) and serena (babysitting): one contract each."""
    return [*b.small_book(), b.provider("serena"),
            b.offer("serena.sit", "serena", category="babysitting"),
            b.line("ceramiche.sit", "ceramiche", units=2, category="babysitting")]


async def feed(handlers, events) -> None:
    for event in events:
        assert await handlers.book(event) == APPLIED


async def run_round(engine, handlers, round_id: str) -> list:
    """Run a committed round; what it told providers, in outbox order."""
    seen = len(outbox(engine))
    await handlers.start_round(b.start_round(round_id))
    assert run_inline(engine) == round_id
    return [e for e in outbox(engine)[seen:] if type(e).__name__.startswith("Contract")]


def outbox(engine) -> list:
    o = t.outbox.c
    with engine.connect() as connection:
        rows = connection.execute(select(o.topic, o.value).order_by(o.id)).all()
    return [decode(row.topic, row.value) for row in rows]


def pinned(engine) -> set[tuple[str, str, str]]:
    p = t.pinned.c
    with engine.connect() as connection:
        return {tuple(r) for r in connection.execute(select(p.line_id, p.offer_id,
                                                            p.contract_id))}


def snapshot_pins(engine) -> set[tuple[str, str]]:
    with engine.connect() as connection:
        snap = build_snapshot(connection, RoundSpec(b.NETWORK, "probe", "2027-W24", "2027-W36",
                                                    RoundParameters()))
    return {(p.line_id, p.offer_id) for p in snap.pinned}


def refused(metrics, reason: str) -> float:
    return metrics.answers_refused.labels(reason)._value.get()


async def test_a_repair_round_tells_only_what_changed(engine, handlers):
    await feed(handlers, book())
    told = await run_round(engine, handlers, "r1")
    assert sorted(e.provider_id for e in told) == ["aurora", "gulliver", "serena"]
    for provider in ("aurora", "gulliver", "serena"):
        assert await handlers.response(b.accepted("r1", provider)) == APPLIED

    # gulliver's camp gets one more line; serena's only line is withdrawn; aurora: nothing.
    await feed(handlers, [b.line("ceramiche.camp2", "ceramiche", units=3),
                          b.line_withdrawn("ceramiche.sit", "ceramiche", version=2)])
    told = await run_round(engine, handlers, "r2")

    assert [type(e).__name__ for e in told] == ["ContractAmended", "ContractWithdrawn"]
    amended, withdrawn = told
    assert (amended.provider_id, amended.contract_id, amended.replaces_contract_id) == (
        "gulliver", "r2:gulliver", "r1:gulliver")
    assert "ceramiche.camp2" in {x.line_id for o in amended.offers for x in o.lines}
    assert (withdrawn.provider_id, withdrawn.contract_id, withdrawn.withdrawn_by_round_id) == (
        "serena", "r1:serena", "r2")
    assert get_round(engine, "r2").kind == "repair"

    contracts = {c.provider_id: c for c in get_round(engine, "r2").contracts}
    # aurora: not told again, still accepted, its pin carried to r2's contract.
    assert contracts["aurora"].response == "accepted"
    assert contracts["aurora"].award_event_id == str(award_event_id("r1:aurora"))
    # gulliver: the amendment waits for an answer; its accepted lines stay pinned until then.
    assert contracts["gulliver"].response is None
    assert pinned(engine) == {("tessile.care", "aurora.care", "r2:aurora"),
                              ("ceramiche.camp", "gulliver.camp", "r2:gulliver"),
                              ("tessile.camp", "gulliver.camp", "r2:gulliver")}
    assert "serena" not in contracts  # and its pin went with the line

    # A third round with nothing new tells nobody anything.
    assert await run_round(engine, handlers, "r3") == []


async def test_an_answer_to_a_superseded_award_is_refused_counted_and_reported(
        engine, handlers, metrics):
    await feed(handlers, book())
    await run_round(engine, handlers, "r1")  # nobody answers
    await feed(handlers, [b.line("ceramiche.camp2", "ceramiche", units=3),
                          b.line_withdrawn("ceramiche.sit", "ceramiche", version=2)])
    await run_round(engine, handlers, "r2")  # gulliver amended, serena withdrawn

    late = b.accepted("r1", "gulliver")
    assert await handlers.response(late) == REFUSED
    assert await handlers.response(late) == DUPLICATE  # handled once, like any message
    assert await handlers.response(b.accepted("r1", "serena")) == REFUSED
    assert (refused(metrics, "superseded"), refused(metrics, "withdrawn")) == (1, 1)

    gulliver, serena = [e for e in outbox(engine) if type(e).__name__ == "ContractAnswerRefused"]
    assert (gulliver.contract_id, gulliver.answer_event_id, gulliver.answer) == (
        "r1:gulliver", late.event_id, "ContractAccepted")
    assert (gulliver.refusal, gulliver.superseded_by_round_id, gulliver.current_contract_id) == (
        "superseded", "r2", "r2:gulliver")
    assert "answer contract r2:gulliver instead" in gulliver.reason
    assert (serena.refusal, serena.current_contract_id) == ("withdrawn", None)
    assert "r2 gives provider serena no contract" in serena.reason

    # Nothing of the refused answers was kept: no pin now, none in the next round.
    assert pinned(engine) == set() and snapshot_pins(engine) == set()
    with engine.connect() as connection:
        assert not connection.execute(select(t.contract_responses)).all()

    # The amendment itself is answered as usual.
    assert await handlers.response(b.accepted("r2", "gulliver")) == APPLIED
    assert {pair for pair in snapshot_pins(engine)} == {
        ("ceramiche.camp", "gulliver.camp"), ("tessile.camp", "gulliver.camp"),
        ("ceramiche.camp2", "gulliver.camp")}


async def test_an_unchanged_contract_keeps_answering_under_the_id_the_provider_knows(
        engine, handlers):
    await feed(handlers, book())
    await run_round(engine, handlers, "r1")
    assert await handlers.response(b.accepted("r1", "aurora")) == APPLIED
    assert await run_round(engine, handlers, "r2") == []  # unchanged: nobody told

    # The award of r1 still stands for gulliver, never answered: its answer now applies
    # to r2's identical contract, and the next round pins it.
    assert await handlers.response(b.accepted("r1", "gulliver")) == APPLIED
    assert get_round(engine, "r2").contracts[1].response == "accepted"
    assert ("tessile.camp", "gulliver.camp") in snapshot_pins(engine)

    # aurora changes its mind on the contract it knows (r1): the decline applies.
    assert await handlers.response(b.declined("r1", "aurora", version=3)) == APPLIED
    assert ("tessile.care", "aurora.care") not in snapshot_pins(engine)
    with engine.connect() as connection:
        x = t.excluded.c
        assert connection.execute(select(x.line_id, x.offer_id, x.contract_id)).all() == [
            ("tessile.care", "aurora.care", "r2:aurora")]
    assert {c.provider_id: c.response for c in get_round(engine, "r2").contracts}[
        "aurora"] == "declined"
