"""Large rounds start their workers from a fork server (parallel.py, issue 11 goal 3).

Such a worker holds only what it is sent: its parts, the scale, the parameters and
the deadline. The answer must be the one forked workers give, and the deadline must
mean the same moment in the worker as in the parent.
"""

from __future__ import annotations

import pickle
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from matcher.budget import TimeBudget
from matcher.search import parallel
from tests.unit.matcher.rounds import random_round


@pytest.fixture
def methods(monkeypatch):
    """The start methods asked for, in order (solve.py's warm-up asks too)."""
    made: list[str] = []
    context = parallel._context

    def recorded(method):
        made.append(method)
        return context(method)

    monkeypatch.setattr(parallel, "_context", recorded)
    return made


def test_a_round_from_the_fork_server_gives_the_answer_of_forked_workers(
        solved, methods, monkeypatch):
    snap = random_round(11, lines=14, offers=8, tight_budgets=False)
    forked = solved(snap, workers=2)
    monkeypatch.setattr(parallel, "FORKSERVER_PAIRS", 1)  # this small round counts as large
    served = solved(snap, workers=2)
    assert methods[0] == "fork" and set(methods[1:]) == {"forkserver"}
    assert forked.parts > 1 and forked.status.value == "optimal" and forked.contracts
    assert served.model_dump(exclude={"timings"}) == forked.model_dump(exclude={"timings"})
    assert [(c.offer_id, c.tier_index) for c in served.contracts] == [
        (c.offer_id, c.tier_index) for c in forked.contracts]


def test_the_start_method_follows_the_round_size(monkeypatch):
    at = parallel.FORKSERVER_PAIRS
    assert parallel.start_method(at - 1) == "fork"
    assert parallel.start_method(at) == "forkserver"
    assert parallel.start_method(100 * at, left=3600) == "forkserver"
    # A server not yet running could not start in the time left: forked workers keep it.
    monkeypatch.setattr(parallel, "_forkserver_running", lambda: False)
    assert parallel.start_method(at, left=parallel.FORKSERVER_MIN_S / 2) == "fork"
    monkeypatch.setattr(parallel, "_forkserver_running", lambda: True)
    assert parallel.start_method(at, left=parallel.FORKSERVER_MIN_S / 2) == "forkserver"


def test_a_small_round_forks_its_workers(solved, methods):
    solved(random_round(11, lines=14, offers=8, tight_budgets=False), workers=2)
    assert methods == ["fork"]


def _remaining(budget: TimeBudget | float) -> float:
    return (budget if isinstance(budget, TimeBudget) else TimeBudget.until(budget)).remaining()


def test_a_deadline_means_the_same_moment_in_a_worker_from_the_fork_server():
    budget = TimeBudget(600)
    copy = pickle.loads(pickle.dumps(budget))
    assert (copy.deadline, copy.clock) == (budget.deadline, budget.clock)
    with ProcessPoolExecutor(1, mp_context=parallel._context("forkserver")) as pool:
        for sent in (budget, budget.deadline):  # the budget itself, or its deadline
            before = budget.remaining()
            there = pool.submit(_remaining, sent).result()
            after = budget.remaining()
            # A clock of the process's own (process_time, a clock started with the
            # process) would put the worker's deadline elsewhere.
            assert after <= there <= before, (after, there, before)
    assert time.get_clock_info("perf_counter").monotonic
