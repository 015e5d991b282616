"""Run the parts of a round, in worker processes when that pays.

Parts are packed into batches (a large part alone, small ones together, so
that thousands of tiny markets do not cost thousands of round trips), the
largest batches first, so that the longest solve starts at once. Every part
gets the time left until the round's deadline when it starts.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from matcher.decompose import Part
from matcher.model import PartResult, solve_part
from matcher.objective import Scale
from schemas.parameters import RoundParameters

BATCH_PAIRS = 4000  # small parts travel together up to this many pairs


def run_parts(parts: list[Part], scale: Scale, params: RoundParameters, deadline: float,
              workers: int, report: Callable[[int, str], None]) -> list[PartResult]:
    batches = _batches(parts)
    results: dict[int, PartResult] = {}
    if workers <= 1 or len(batches) <= 1:
        for batch in batches:
            for index, result in _solve_batch(batch, parts, scale, params, deadline):
                results[index] = result
            report(len(results), f"{len(results)}/{len(parts)} parts solved")
        return [results[i] for i in range(len(parts))]
    context = multiprocessing.get_context("fork" if "fork" in
                                          multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending = {pool.submit(_solve_batch, batch, [parts[i] for i in batch], scale, params,
                               deadline, True) for batch in batches}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                for index, result in future.result():
                    results[index] = result
            report(len(results), f"{len(results)}/{len(parts)} parts solved")
    return [results[i] for i in range(len(parts))]


def _solve_batch(batch: list[int], parts: list[Part], scale: Scale, params: RoundParameters,
                 deadline: float, local: bool = False) -> list[tuple[int, PartResult]]:
    out = []
    for position, index in enumerate(batch):
        part = parts[position] if local else parts[index]
        remaining = max(deadline - time.perf_counter(), 0.05)
        out.append((index, solve_part(part.problem, scale, params, remaining)))
    return out


def _batches(parts: list[Part]) -> list[list[int]]:
    order = sorted(range(len(parts)), key=lambda i: (-len(parts[i].pairs), i))
    batches: list[list[int]] = []
    current: list[int] = []
    size = 0
    for index in order:
        if current and size + len(parts[index].pairs) > BATCH_PAIRS:
            batches.append(current)
            current, size = [], 0
        current.append(index)
        size += len(parts[index].pairs)
    if current:
        batches.append(current)
    return batches
