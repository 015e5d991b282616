"""Committing a stored dry run: the reviewed snapshot and result, with no new solve.

On a real database (SQLite and PostgreSQL): the dry run runs inline as the
runner runs it; the commit goes through the handler and the round runner, whose
solver here fails the test if it is ever asked to solve.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from sqlalchemy import select

from schemas.result import RoundResult
from schemas.rounds import CommitRound
from schemas.snapshot import RoundSnapshot
from schemas.topics import decode
from services.common.outbox import Outbox
from services.matcher.adapters import round_store as store
from services.matcher.adapters import tables as t
from services.matcher.domain.awards import awards, same_content
from services.matcher.adapters.book import APPLIED, DUPLICATE
from services.matcher.adapters.queries import get_round
from services.matcher.service_layer.runner import RoundRunner
from tests.integration.matcher_service.conftest import run_inline
from tests.unit.matcher_service import builders as b

pytestmark = pytest.mark.postgres


class NoSolver:
    """A commit must not solve: any call to this solver fails the test."""

    async def solve(self, *args, **kwargs):
        raise AssertionError("a commit asked the optimiser to solve")

    def close(self) -> None:
        pass


def outbox(engine) -> list:
    o = t.outbox.c
    with engine.connect() as connection:
        rows = connection.execute(select(o.topic, o.value).order_by(o.id)).all()
    return [decode(row.topic, row.value) for row in rows]


def files(engine, round_id: str) -> tuple[RoundSnapshot, RoundResult]:
    with engine.connect() as connection:
        row = connection.execute(select(t.rounds.c.snapshot, t.rounds.c.result)
                                 .where(t.rounds.c.round_id == round_id)).one()
    return RoundSnapshot.model_validate_json(row.snapshot), RoundResult.model_validate_json(
        row.result)


def commit_command(dry_run_id: str, round_id: str, network: str = b.NETWORK) -> CommitRound:
    return CommitRound(network_id=network, entity_version=1, round_id=round_id,
                       dry_run_id=dry_run_id)


async def feed(handlers, events) -> None:
    for event in events:
        assert await handlers.book(event) == APPLIED


async def dry_run(engine, handlers, round_id: str) -> None:
    assert await handlers.start_round(b.start_round(round_id, dry_run=True)) == APPLIED
    assert run_inline(engine) == round_id


async def commit(engine, handlers, metrics, dry_run_id: str, round_id: str,
                 network: str = b.NETWORK) -> list:
    """Send CommitRound and let the runner take it; the events it queued."""
    seen = len(outbox(engine))
    assert await handlers.round_command(commit_command(dry_run_id, round_id,
                                                       network)) == APPLIED
    runner = RoundRunner(engine, Outbox(t.outbox), NoSolver(), metrics, poll_s=0.1)
    with engine.begin() as connection:
        claimed = store.claim_next(connection, runner.owner, time.time(), 30.0)
    assert claimed is not None and claimed.round_id == round_id
    await runner.execute(claimed, asyncio.Event())
    return outbox(engine)[seen:]


def stored(engine, round_id: str):
    return get_round(engine, round_id)


async def test_committing_a_dry_run_awards_exactly_its_contracts(engine, handlers, metrics):
    await feed(handlers, b.small_book())
    await dry_run(engine, handlers, "d1")
    dry_snapshot, dry_result = files(engine, "d1")
    reviewed = awards(dry_snapshot, dry_result)
    assert reviewed  # the book gives contracts to award

    events = await commit(engine, handlers, metrics, "d1", "c1")

    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "RoundStarted" and kinds[-1] == "RoundCompleted"
    awarded = [e for e in events if type(e).__name__ == "ContractAwarded"]
    assert sorted(a.provider_id for a in awarded) == sorted(a.provider_id for a in reviewed)
    by_provider = {a.provider_id: a for a in reviewed}
    for award in awarded:
        assert award.round_id == "c1"
        assert same_content(award.offers, by_provider[award.provider_id].offers)
    completed = events[-1]
    assert completed.dry_run is False and completed.round_id == "c1"
    assert completed.summary == stored(engine, "d1").summary

    # The committed round keeps the reviewed snapshot and result, renamed to itself.
    snapshot, result = files(engine, "c1")
    assert snapshot.model_copy(update={"round_id": "d1"}) == dry_snapshot
    assert result.model_copy(update={"round_id": "d1", "input_hash": dry_result.input_hash}
                             ) == dry_result
    detail = stored(engine, "c1")
    assert detail.status == "completed" and detail.dry_run is False
    assert [c.awarded for c in detail.contracts] == [True] * len(reviewed)
    assert detail.input_hash == completed.input_hash == result.input_hash


async def test_a_commit_after_the_book_changed_is_refused(engine, handlers, metrics):
    await feed(handlers, b.small_book())
    await dry_run(engine, handlers, "d1")
    await feed(handlers, [b.line("ceramiche.more", "ceramiche", units=1)])

    events = await commit(engine, handlers, metrics, "d1", "c1")

    assert [type(e).__name__ for e in events] == ["RoundFailed"]
    assert "the book has changed since dry run d1" in events[0].reason
    detail = stored(engine, "c1")
    assert detail.status == "failed" and detail.contracts == []
    assert detail.failure_reason == events[0].reason


async def test_a_committed_round_since_the_dry_run_changes_the_book(engine, handlers, metrics):
    await feed(handlers, b.small_book())
    await dry_run(engine, handlers, "d1")
    assert await handlers.start_round(b.start_round("r1")) == APPLIED
    assert run_inline(engine) == "r1"

    events = await commit(engine, handlers, metrics, "d1", "c1")

    assert [type(e).__name__ for e in events] == ["RoundFailed"]
    assert "the book has changed" in events[0].reason


async def test_a_dry_run_is_committed_once(engine, handlers, metrics):
    await feed(handlers, b.small_book())
    await dry_run(engine, handlers, "d1")
    await commit(engine, handlers, metrics, "d1", "c1")
    # The same command again (a redelivery under a new event id) changes nothing...
    again = commit_command("d1", "c1").model_copy(update={"event_id": uuid.uuid4()})
    assert await handlers.round_command(again) == DUPLICATE

    # ...and a second commit of the same dry run fails, naming the first.
    events = await commit(engine, handlers, metrics, "d1", "c2")

    assert [type(e).__name__ for e in events] == ["RoundFailed"]
    assert "dry run d1 is already committed as round c1" in events[0].reason


@pytest.mark.parametrize(("target", "network", "why"), [
    ("nowhere", b.NETWORK, "there is no round nowhere to commit"),
    ("r1", b.NETWORK, "round r1 is not a dry run"),
    ("d1", "bologna", "round d1 belongs to network modena, not to bologna"),
])
async def test_only_a_completed_dry_run_of_the_network_is_committed(
        engine, handlers, metrics, target, network, why):
    await feed(handlers, b.small_book())
    await dry_run(engine, handlers, "d1")
    assert await handlers.start_round(b.start_round("r1")) == APPLIED
    assert run_inline(engine) == "r1"

    events = await commit(engine, handlers, metrics, target, "c1", network=network)

    assert [type(e).__name__ for e in events] == ["RoundFailed"]
    assert why in events[0].reason
    assert stored(engine, "c1").status == "failed"


async def test_a_commit_supersedes_the_earlier_committed_round(engine, handlers, metrics):
    """The commit takes the path of every committed round: an unchanged contract is
    not told again, a changed one is amended."""
    await feed(handlers, b.small_book())
    assert await handlers.start_round(b.start_round("r1")) == APPLIED
    assert run_inline(engine) == "r1"
    await feed(handlers, [b.line("ceramiche.camp2", "ceramiche", units=3)])
    await dry_run(engine, handlers, "d2")

    events = await commit(engine, handlers, metrics, "d2", "c2")

    told = [e for e in events if type(e).__name__.startswith("Contract")]
    assert told, "the new line changes some provider's contract"
    assert {type(e).__name__ for e in told} <= {"ContractAmended", "ContractAwarded"}
    assert all(e.round_id == "c2" for e in told)
    assert any(type(e).__name__ == "ContractAmended" and e.replaces_round_id == "r1"
               for e in told)
