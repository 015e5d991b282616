"""``solve(problem, params)``: prepare, decompose, solve the parts, merge.

Parts go to worker processes when there are several (``params.workers``,
0 = every core), largest first; small parts travel in batches. Results are
merged in part order, so the answer does not depend on which worker was
quicker. Each part runs single-threaded with the round's seed.

``params.solver`` "auto" is HiGHS: on this model it finds better solutions and
proves tighter bounds than CP-SAT in the same time, on welfare rounds and on
facility location alike (tests/benchmarks/solver_choice.py); "cpsat" remains
available. Whichever solves, first solutions come from HiGHS's relaxation.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from matcher.budget import TimeBudget
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import change_offset, compute_scale, coverage_ceiling
from matcher.model.prepare import Prepared, prepare
from matcher.model.problem import ProblemData
from matcher.search.decompose import Part, decompose
from matcher.search.parallel import run_parts, warm_up
from matcher.search.part import PartResult
from matcher.solution import Status
from matcher.solution import Solution
from schemas.parameters import RoundParameters


@dataclass(frozen=True)
class Progress:
    parts_done: int
    parts_total: int
    elapsed_s: float
    message: str
    # Where the solve is, for a person watching: "preparing" (index, markets, parts),
    # "solving" (the parts, counted above), "reasons" (contracts, reasons, totals).
    stage: str = "solving"


ProgressCallback = Callable[[Progress], None]


def joined_pairs(time_limit_s: float) -> int:
    """How large (in pairs) markets may grow when joined to keep a firm's budget whole.

    Splitting a budget costs coverage (at 10k lines and 30 s, 0.8 points of 53);
    a joined part must still solve in a fraction of the time. 400 pairs a second
    of limit (4000 at least) kept every budget whole at 10k lines in 30 s.
    """
    return max(4000, int(400 * time_limit_s))


# Merging the parts' results into one Solution, after the search: 15 ms at 10k lines
# (measured); kept generous per pair, the floor for the coverage ceiling and the note.
MERGE_S = 0.01
MERGE_S_PER_PAIR = 2e-6
# Starting worker processes (forking, sending them their parts) costs about this much:
# with less time left than this the parts are solved here, at once.
POOL_MIN_S = 0.3


def solve(problem: ProblemData, params: RoundParameters | None = None,
          progress: ProgressCallback | None = None, budget: TimeBudget | None = None
          ) -> Solution:
    """``budget``: the time the solve has (default: ``params.time_limit_s`` from now)."""
    params = params or RoundParameters()
    budget = budget or TimeBudget(params.time_limit_s)
    return solve_prepared(prepare(problem), params, progress, budget)


def solve_prepared(prep: Prepared, params: RoundParameters | None = None,
                   progress: ProgressCallback | None = None,
                   budget: TimeBudget | None = None, start: float | None = None) -> Solution:
    """``solve`` for a problem already through ``prepare`` (callers that need both).

    The Solution comes back by ``budget``'s deadline (default: the time limit from
    now): the caller keeps what its own work on the answer needs by handing a budget
    that ends that much earlier (``TimeBudget.before``). ``start``: where the
    timings count from (default: the budget's start).
    """
    params = params or RoundParameters()
    budget = budget or TimeBudget(params.time_limit_s)
    start = budget.start if start is None else start
    problem = prep.data
    if (params.workers or os.cpu_count() or 1) > 1:  # (its fork server starts meanwhile)
        warm_up(sum(len(pairs) for pairs in prep.line_pairs))
    markets = line_markets(prep)
    scale = compute_scale(prep, pieces(prep, markets))
    # Sized from the limit asked for, not the time left: the parts (hence the answer
    # of a replay) must not depend on how quickly the machine got this far.
    parts = decompose(prep, markets, split=params.decompose,
                      max_pairs=joined_pairs(params.time_limit_s))
    solver = "cpsat" if params.solver == "cpsat" else "highs"
    stranded = [i for i, line in enumerate(problem.lines)
                if line.must_serve and not prep.line_pairs[i]]
    if stranded:
        return _empty(problem, Status.INFEASIBLE, solver, len(parts), start,
                      f"line {stranded[0]} must be served but no offer can serve it")
    prepared = time.perf_counter()
    search = budget.before(MERGE_S + MERGE_S_PER_PAIR * len(problem.pairs))
    workers = min(params.workers or os.cpu_count() or 1, max(len(parts), 1))
    if search.remaining() < POOL_MIN_S:
        workers = 1

    def report(done: int, message: str) -> None:
        if progress:
            progress(Progress(done, len(parts), time.perf_counter() - start, message))

    results = run_parts(parts, scale, params, search, workers, report)
    offset = change_offset(prep, scale, params)
    solution = _merge(problem, parts, results, offset, solver, start, prepared)
    return replace(solution, coverage_bound=coverage_ceiling(scale, params, solution.bound))


def _merge(problem: ProblemData, parts: list[Part], results: list[PartResult], offset: float,
           solver: str, start: float, prepared: float) -> Solution:
    statuses = {r.status for r in results}
    for status in (Status.INFEASIBLE, Status.NO_SOLUTION, Status.FEASIBLE):
        if status in statuses:
            break
    else:
        status = Status.OPTIMAL
    if status in (Status.INFEASIBLE, Status.NO_SOLUTION):
        return _empty(problem, status, solver, len(parts), start)
    units = [0] * len(problem.pairs)
    tiers = [-1] * len(problem.offers)
    for part, result in zip(parts, results):
        for local, k in enumerate(part.pairs):
            units[k] = result.units[local]
        for local, o in enumerate(part.offers):
            tiers[o] = result.tiers[local]
    # Summed exactly (fsum): the same parts' figures give the same total, whatever order
    # or grouping the additions would otherwise take.
    objective = math.fsum([offset] + [r.objective for r in results])
    bounds = [r.bound for r in results]
    bound = math.fsum([offset] + bounds) if None not in bounds else None
    kinds: dict[str, int] = {}
    for r in results:
        kind = r.bound_kind if r.bound is not None else "none"
        kinds[kind or "none"] = kinds.get(kind or "none", 0) + 1
    gap = None if bound is None else max(0.0, objective - bound) / max(abs(objective), 1e-9)
    build = prepared - start + sum(r.build_s for r in results)
    split = sum(part.split_firms for part in parts)
    note = (f"{split} budget shares: firms whose lines span parts too large to join "
            f"(decompose.py); the bound holds for the whole budgets" if split else "")
    return Solution(status, objective, bound, gap, tuple(units), tuple(tiers), solver,
                    len(parts), build, sum(r.solve_s for r in results),
                    time.perf_counter() - start, note, part_bounds=dict(sorted(kinds.items())))


def _empty(problem: ProblemData, status: Status, solver: str, parts: int, start: float,
           message: str = "") -> Solution:
    elapsed = time.perf_counter() - start
    return Solution(status, None, None, None, (0,) * len(problem.pairs),
                    (-1,) * len(problem.offers), solver, parts, elapsed, 0.0, elapsed, message)
