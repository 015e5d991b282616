"""A running round says where it is: the real runner writes its phase, the read API shows it.

The stand-in optimiser (standin_progress.stepwise) reports its parts one gate at
a time and the book's catching up is held by the test, so every phase is seen
while it lasts: waiting_for_book, snapshot, solving (part 1, 2, 3 of 3),
storing, and none once the round completed or failed. Only the runner holding the
round's claim (owner and attempt) writes its phase. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fastapi import FastAPI

from services.common.auth import Principal, Role
from services.common.outbox import Outbox
from services.matcher.adapters import round_store as store
from services.matcher.adapters import tables as t
from services.matcher.adapters.queries import get_round
from services.matcher.read_api import read_router
from services.matcher.service_layer.runner import RoundRunner
from services.matcher.adapters.worker import SolverPool
from tests.unit.matcher_service import builders as b
from tests.unit.matcher_service.standin import FAILING
from tests.unit.matcher_service.standin_progress import STEPWISE

pytestmark = pytest.mark.postgres


def read_api(engine) -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(read_router(authenticate=lambda: Principal(Role.OPERATOR, "op"),
                                   engine=engine))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://matcher")


async def until(api: httpx.AsyncClient, round_id: str, wanted, runner_task) -> dict:
    async with asyncio.timeout(60):
        while True:
            answer = await api.get(f"/v1/rounds/{round_id}")
            if answer.status_code == 200 and wanted(detail := answer.json()):
                return detail
            assert not runner_task.done(), runner_task
            await asyncio.sleep(0.02)


async def test_a_round_passes_through_its_phases_and_the_read_api_says_the_part(
        engine, handlers, metrics, tmp_path, monkeypatch):
    monkeypatch.setenv("WELFARE_TEST_GATE", str(tmp_path))
    monkeypatch.setenv("WELFARE_TEST_PARTS", "3")
    written = []
    real = store.set_phase

    def recording(connection, claimed, owner, phase, since, part=None, parts=None):
        done = real(connection, claimed, owner, phase, since, part, parts)
        if done:
            written.append((phase, part, parts))
        return done

    monkeypatch.setattr(store, "set_phase", recording)
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("r1", dry_run=True))
    caught_up = asyncio.Event()

    async def settled() -> bool:
        return caught_up.is_set()

    pool = SolverPool(STEPWISE, look_s=0.02)
    runner = RoundRunner(engine, Outbox(t.outbox), pool, metrics, poll_s=0.05,
                         settled=settled, settle_timeout_s=120, phase_every_s=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        async with read_api(engine) as api:
            waiting = await until(api, "r1", lambda d: d["phase"] == "waiting_for_book", task)
            assert waiting["status"] == "running" and waiting["phase_since"]
            assert (waiting["part"], waiting["parts"]) == (None, None)
            caught_up.set()
            for part in (1, 2, 3):
                solving = await until(
                    api, "r1", lambda d, part=part: d["phase"] == "solving"
                    and d["part"] == part, task)
                assert (solving["status"], solving["parts"]) == ("running", 3)
                (tmp_path / f"part-{part}").touch()  # let the optimiser finish this part
            done = await until(api, "r1", lambda d: d["status"] == "completed", task)
            assert (done["phase"], done["part"], done["parts"], done["phase_since"]) == (
                None, None, None, None)  # the status says the end
    finally:
        stop.set()
        await task
        pool.close()
    assert written == [
        ("waiting_for_book", None, None), ("snapshot", None, None), ("solving", None, None),
        ("solving", 1, 3), ("solving", 2, 3), ("solving", 3, 3), ("storing", None, None)]


async def test_only_the_claim_that_holds_the_round_writes_its_phase(engine, handlers):
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("r1"))
    now = time.time()
    with engine.begin() as connection:
        first = store.claim_next(connection, "runner-a", now, 30.0)
        assert store.set_phase(connection, first, "runner-a", store.SOLVING,
                               store._now(), 2, 5)
    assert (get_round(engine, "r1").phase, get_round(engine, "r1").part) == ("solving", 2)

    # Runner a's lease runs out and runner b claims the round: the phase a left is gone.
    with engine.begin() as connection:
        second = store.claim_next(connection, "runner-b", now + 60, 30.0)
    assert second.attempts == first.attempts + 1
    assert get_round(engine, "r1").phase is None
    with engine.begin() as connection:
        assert store.set_phase(connection, second, "runner-b", store.SNAPSHOT, store._now())
        # A late write of the stale runner changes nothing.
        assert not store.set_phase(connection, first, "runner-a", store.SOLVING,
                                   store._now(), 4, 5)
    assert get_round(engine, "r1").phase == "snapshot"

    # Nor does an earlier attempt of the runner that holds the round now.
    with engine.begin() as connection:
        third = store.claim_next(connection, "runner-b", now + 120, 30.0)
        assert not store.set_phase(connection, second, "runner-b", store.STORING,
                                   store._now())
        assert store.set_phase(connection, third, "runner-b", store.STORING, store._now())
    assert get_round(engine, "r1").phase == "storing"
    with pytest.raises(ValueError, match="not a round phase"):
        with engine.begin() as connection:
            store.set_phase(connection, third, "runner-b", "thinking", store._now())


async def test_a_round_that_fails_mid_solve_has_no_phase(engine, handlers, metrics):
    for event in b.small_book():
        await handlers.book(event)
    await handlers.start_round(b.start_round("r1"))
    pool = SolverPool(FAILING)
    runner = RoundRunner(engine, Outbox(t.outbox), pool, metrics, poll_s=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        async with asyncio.timeout(60):
            while (found := get_round(engine, "r1")).status != "failed":
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
        pool.close()
    assert "ArithmeticError" in found.failure_reason
    assert (found.phase, found.part, found.parts, found.phase_since) == (None, None, None, None)
