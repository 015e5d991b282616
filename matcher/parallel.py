"""Run the parts of a round, in worker processes when there are several.

Parts are dealt to the workers in bins of about equal size (largest part
first, each to the lightest bin). A worker then makes two passes over its
bin: it builds and starts every part (start.py: a good first solution in a
fraction of the time), then spends what is left of the round's time on the
parts with the largest gaps, each in proportion to its gap. A short time
limit thus still serves every part, and long limits go where they pay.
Results are merged in part order, whichever worker finished first.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from matcher.decompose import Part
from matcher.objective import Scale
from matcher.part import PartResult, PartSolver
from schemas.parameters import RoundParameters

START_SHARE = 0.3  # of a bin's time, for building and starting its parts
ROUNDS = 3  # improvement rounds over a bin's parts, largest gaps first


def run_parts(parts: list[Part], scale: Scale, params: RoundParameters, deadline: float,
              workers: int, report: Callable[[int, str], None]) -> list[PartResult]:
    bins = _bins(parts, workers)
    results: dict[int, PartResult] = {}
    if len(bins) <= 1:
        for batch in bins:
            results.update(solve_bin(batch, [parts[i] for i in batch], scale, params, deadline,
                                     lambda n: report(n, f"{n}/{len(parts)} parts started")))
        report(len(results), f"{len(results)}/{len(parts)} parts solved")
        return [results[i] for i in range(len(parts))]
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=len(bins), mp_context=context) as pool:
        pending = {pool.submit(solve_bin, batch, [parts[i] for i in batch], scale, params,
                               deadline) for batch in bins}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                results.update(future.result())
            report(len(results), f"{len(results)}/{len(parts)} parts solved")
    return [results[i] for i in range(len(parts))]


def solve_bin(indices: list[int], parts: list[Part], scale: Scale, params: RoundParameters,
              deadline: float, started: Callable[[int], None] | None = None
              ) -> dict[int, PartResult]:
    span = max(deadline - time.perf_counter(), 0.0)
    weight = sum(_weight(p) for p in parts)
    start_end = time.perf_counter() + START_SHARE * span
    solvers: list[PartSolver] = []
    for n, part in enumerate(parts):
        solver = PartSolver(part.problem, scale, params,
                            part.whole_budgets if part.split_firms else None)
        share = (start_end - time.perf_counter()) * _weight(part) / max(weight, 1)
        weight -= _weight(part)
        solver.start(max(share, 0.02))
        solvers.append(solver)
        if started:
            started(n + 1)
    for _ in range(ROUNDS):
        open_parts = [s for s in solvers if not s.done]
        if not open_parts or deadline - time.perf_counter() < 0.05:
            break
        urgency = _urgency(open_parts)
        order = sorted(range(len(open_parts)), key=lambda n: -urgency[n])
        total = sum(urgency)
        for n in order:
            left = deadline - time.perf_counter()
            if left < 0.05:
                break
            share = left * urgency[n] / total if total > 0 else left / len(order)
            total -= urgency[n]
            open_parts[n].improve(max(share, min(left, 0.2)))
    return {index: solver.result() for index, solver in zip(indices, solvers)}


def _urgency(solvers: list[PartSolver]) -> list[float]:
    """What improving each part may gain: its gap; for a part with no solution yet,
    its bound (what serving nothing leaves on the table), or ten times the mean."""
    gaps = [s.gap for s in solvers]
    finite = [g for g in gaps if g != float("inf")]
    fallback = 10 * (sum(finite) / len(finite)) if finite else 1.0
    return [g if g != float("inf") else (abs(s.best.bound) if s.best.bound is not None
                                        else fallback) for g, s in zip(gaps, solvers)]


def _weight(part: Part) -> int:
    """How much starting time a part deserves: its pairs, and a floor."""
    return len(part.pairs) + 20


def _bins(parts: list[Part], workers: int) -> list[list[int]]:
    order = sorted(range(len(parts)), key=lambda i: (-_weight(parts[i]), i))
    bins: list[list[int]] = [[] for _ in range(max(1, min(workers, len(parts))))]
    loads = [0] * len(bins)
    for index in order:
        lightest = loads.index(min(loads))
        bins[lightest].append(index)
        loads[lightest] += _weight(parts[index])
    return [sorted(b, key=lambda i: (-_weight(parts[i]), i)) for b in bins if b]
