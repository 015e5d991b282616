"""A stand-in optimiser that reports its parts as the real one does, one gate at a time.

``stepwise`` says it has done 0 of ``WELFARE_TEST_PARTS`` parts (default 3), then
waits for the file ``part-1`` in the directory ``WELFARE_TEST_GATE`` before it
says 1 done, and so on; after the last it answers with the greedy baseline. A
test opens each gate once it has seen the part it wants to see, so what it sees
mid-solve does not depend on how fast the machine is.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from matcher.solve import Progress
from tests.benchmarks.greedy import solve_greedy

STEPWISE = "tests.unit.matcher_service.standin_progress:stepwise"
GATE_WAIT_S = 120.0  # a test that never opens a gate fails on its own timeout first


def stepwise(snapshot, parameters, *, progress=None):
    parts = int(os.environ.get("WELFARE_TEST_PARTS", "3"))
    gate = Path(os.environ["WELFARE_TEST_GATE"])
    began = time.perf_counter()
    for done in range(parts):
        if progress is not None:
            progress(Progress(done, parts, time.perf_counter() - began,
                              f"{done}/{parts} parts solved"))
        wait_for_gate(gate / f"part-{done + 1}")
    if progress is not None:
        progress(Progress(parts, parts, time.perf_counter() - began,
                          f"{parts}/{parts} parts solved"))
    return solve_greedy(snapshot, parameters)


def wait_for_gate(path: Path) -> None:
    deadline = time.monotonic() + GATE_WAIT_S
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no one opened {path}")
        time.sleep(0.01)
