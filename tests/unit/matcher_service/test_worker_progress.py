"""The optimiser's progress crosses from the worker process to the service.

The worker writes the latest report into shared memory; the pool hands it to a
callback on the event loop while the solve runs, each change once, and the
last report before the result. A solver that takes no ``progress`` is called
without one.
"""

from __future__ import annotations

import ctypes
import multiprocessing

from services.matcher.service_layer.phases import solving_part
from services.matcher.adapters.worker import (
    _SLOT,
    PartsDone,
    SolverPool,
    _Reporter,
    _takes_progress,
    read_slot,
)
from tests.unit.matcher_service.standin import GREEDY, greedy
from tests.unit.matcher_service.standin_progress import STEPWISE, stepwise
from tests.unit.matcher_service.test_awards_and_summary import snapshot


async def test_each_part_the_worker_reports_reaches_the_callback_in_order(tmp_path, monkeypatch):
    monkeypatch.setenv("WELFARE_TEST_GATE", str(tmp_path))
    monkeypatch.setenv("WELFARE_TEST_PARTS", "3")
    seen: list[PartsDone] = []

    def progress(report: PartsDone) -> None:
        seen.append(report)
        if report.parts_done < report.parts_total:  # seen: let the solver do the next part
            (tmp_path / f"part-{report.parts_done + 1}").touch()

    pool = SolverPool(STEPWISE, look_s=0.02)
    try:
        result, _ = await pool.solve(snapshot().model_dump_json(), 10, progress=progress)
        assert result.round_id == "r1"
        assert [(r.parts_done, r.parts_total) for r in seen] == [(0, 3), (1, 3), (2, 3), (3, 3)]
        # A second solve on the same worker never sees the first one's reports.
        for gate in tmp_path.iterdir():
            gate.unlink()
        seen.clear()
        await pool.solve(snapshot().model_dump_json(), 10, progress=progress)
        assert [(r.parts_done, r.parts_total) for r in seen] == [(0, 3), (1, 3), (2, 3), (3, 3)]
        # And a solve with no callback still answers.
        pool.reference = GREEDY
        result, _ = await pool.solve(snapshot().model_dump_json(), 10)
        assert result.round_id == "r1"
    finally:
        pool.close()


def test_the_slot_holds_the_latest_report_of_its_own_solve_only():
    slot = multiprocessing.get_context("spawn").RawArray(ctypes.c_double, _SLOT)
    assert read_slot(slot, 1) is None  # nothing reported yet
    report = _Reporter(slot, 7)
    report(PartsDone(2, 5, 1.5))
    report(PartsDone(3, 5, 2.0))
    assert read_slot(slot, 7) == PartsDone(3, 5, 2.0)
    assert read_slot(slot, 6) is None  # another solve's
    slot[0] += 1  # the worker is half-way through writing: no half report
    assert read_slot(slot, 7) is None


def test_only_solvers_that_take_progress_get_it():
    assert _takes_progress(stepwise) and not _takes_progress(greedy)
    assert _takes_progress(lambda snapshot, parameters, **options: None)


def test_the_part_being_solved_is_one_past_those_done_and_at_most_the_last():
    assert [solving_part(done, 3) for done in range(4)] == [(1, 3), (2, 3), (3, 3), (3, 3)]
    assert solving_part(0, 0) == (None, None)
