"""Run the parts of a round, in worker processes when there are several.

Parts are dealt to the workers in bins of about equal size (largest part
first, each to the lightest bin). A worker then makes two passes over its
bin: it builds and starts every part (start.py: a good first solution in a
fraction of the time), then spends what is left of the round's time on the
parts with the largest gaps, each in proportion to its gap. A short time
limit thus still serves every part, and long limits go where they pay.
A part whose relaxation could not finish in the bin's time gets the greedy
solution without a model (quick.py): at 100k lines building the largest
parts' models alone took longer than the round; with its flows' bound where a
quarter of what it leaves pays for that LP (flow_ceiling.py); once every part is
started, it is cut into chunks the solver can take, with its share of the time
left (chunks.py), and their plan replaces the greedy's where it scores better. A
part with no time for the greedy gets its counted ceiling and nothing served, and
one with no time even to count, every line served whole as its bound: each step is
given only what is measured to fit before the deadline, the later parts' ceilings
kept aside.
Results are merged in part order, whichever worker finished first.

Large rounds start their workers from a fork server (``start_method``): a worker
forked from the parent counted the parent's whole indexed round in its resident
memory (1.3 GiB of 1.5 at 100k lines, issue 11 goal 3), one from the fork server
only the solver's modules and its own parts. Each worker receives its parts, the
scale, the parameters and the deadline (a float on ``time.perf_counter``, which on
Linux is the system-wide CLOCK_MONOTONIC, budget.py): nothing else of the parent's.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass

from matcher.budget import TimeBudget
from matcher.model.objective import Scale
from matcher.search.chunks import improve_quick
from matcher.search.decompose import Part, part_weight
from matcher.search.part import LP_SECONDS_PER_WEIGHT, PartResult, PartSolver
from matcher.search.part_result import unbuilt
from matcher.search.quick import quick_part
from schemas.parameters import RoundParameters

START_SHARE = 0.45  # of a bin's time, for building and starting its parts
ROUNDS = 8  # at most, improvement rounds over a bin's parts, largest gaps first
# Results travelling back from the workers and the pool closing (pickling the units,
# joining the processes): an estimate, not measured apart; the 1k and 10k rounds'
# bins ended 0-0.3 s before this deadline and the search returned in time.
COLLECT_S = 0.05
COLLECT_S_PER_PAIR = 2e-6
# After a bin's search: each part's plan scored again (quick.score_units, part.py),
# 2.4e-6 s a pair at 10k lines on a loaded machine. Before it: a part the time did not
# allow to build still counts its ceiling (ceiling.py, with its prepare), 1e-5 s a pair.
SCORE_S_PER_PAIR = 3e-6


@dataclass(frozen=True)
class StepCost:
    """What a step takes on a part: seconds per usable pair and per pair-week."""

    per_pair: float
    per_week: float

    def of(self, part: Part) -> float:
        return self.per_pair * len(part.problem.pairs) + self.per_week * part_weight(part)


# Measured step by step on the largest parts of the three generator families
# (tests/benchmarks/families.py) at 1k, 10k and 100k lines, unloaded: the greedy answer of
# quick.py with its counted ceiling took 19 us a pair plus 0.55 us a pair-week (0.02 s
# for Modena 1k's 749 pairs, 0.53 s for homecare 1k's 13,228 pairs of year-long lines,
# 6.0 s for Modena 100k's 293,930 pairs), the counted ceiling alone (its prepare
# included) 5 us a pair plus 0.18 us a pair-week; kept here 1.6 times over, for a loaded
# machine. Costed by pair-weeks alone (12 and 4 us each, from Modena 100k's short lines)
# homecare's parts were costed ten times what they take, and a 5 s round served its
# largest part nothing. Counted a pair at a time before that, the ceilings of the 100k
# round's largest parts took twice what was kept for them, and the greedy answer of a
# part was given whatever it took: the workers ended up to 89 s past their deadline.
CEILING = StepCost(per_pair=8e-6, per_week=3e-7)
QUICK = StepCost(per_pair=3e-5, per_week=9e-7)
# The flows' LP (flow_ceiling.py), per pair-week: 7 us at half a million, 31 us at
# 2.8 million (it grows faster than its size).
FLOWS = StepCost(per_pair=0.0, per_week=1.5e-5)
# The least share worth cutting a part into chunks (chunks.py): its prepare, the cut
# part's prepare and decomposition, and every chunk's greedy answer where no chunk got
# solver time, about three greedy answers of the part.
CHUNKS = StepCost(per_pair=3 * QUICK.per_pair, per_week=3 * QUICK.per_week)
# Rounds of at least this many usable pairs start their workers from a fork server;
# smaller ones fork them from the parent. Measured (2 cores, load 2-4): at 100k lines
# (1,176,161 pairs) the same prepared round's workers peaked at 1,563 and 1,446 MiB
# forked, 514 and 425 MiB from the fork server (the parent: 1,454). A forked worker
# entered solve_bin 0.3-0.5 s after its pool was asked, one from a cold server 0.9-1.6 s:
# at 1k lines (2,521 pairs, 5 s) the decomposition before the pool (0.1-0.25 s) cannot
# hide the server's start and its 5 s round served less (weighted coverage 38-57 %
# against 55-58 %, forked); 10k lines (34,216 pairs, 30 s) peaked at 509 MiB forked.
# Where the parent holds 1.2 GiB per 1.2 million pairs, 200,000 pairs is about 200 MiB
# a forked worker would count that is not its own: below it, fork's quicker start wins.
FORKSERVER_PAIRS = 200_000
# What the fork server imports once, before it forks any worker: the parent's main
# module (as spawn would import it in every worker: its work must stay under
# ``if __name__ == "__main__"``, as in ``welfare`` and ``services.matcher``) and this
# module, hence the solver.
PRELOAD = ["__main__", "matcher.search.parallel"]
# A fork server not yet running took 0.9-1.6 s to start, import PRELOAD and fork a
# worker (load 2-4); with less than this left the workers are forked: the deadline holds.
FORKSERVER_MIN_S = 5.0


def run_parts(parts: list[Part], scale: Scale, params: RoundParameters, budget: TimeBudget,
              workers: int, report: Callable[[int, str], None]) -> list[PartResult]:
    """Every part's result by ``budget``'s deadline; with worker processes, the workers
    stop ``COLLECT_S`` earlier, for their results to travel back and the pool to close."""
    bins = _bins(parts, workers)
    results: dict[int, PartResult] = {}
    if len(bins) <= 1:
        for batch in bins:
            results.update(solve_bin(batch, [parts[i] for i in batch], scale, params, budget,
                                     lambda n: report(n, f"{n}/{len(parts)} parts started")))
        report(len(results), f"{len(results)}/{len(parts)} parts solved")
        return [results[i] for i in range(len(parts))]
    pairs = sum(len(p.pairs) for p in parts)
    context = _context(start_method(pairs, budget.remaining()))
    # The deadline is a time, not seconds: the workers' start-up comes out of it.
    in_workers = budget.before(COLLECT_S + COLLECT_S_PER_PAIR * pairs)
    with ProcessPoolExecutor(max_workers=len(bins), mp_context=context) as pool:
        pending = {pool.submit(solve_bin, batch, [parts[i] for i in batch], scale, params,
                               in_workers.deadline) for batch in bins}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                results.update(future.result())
            report(len(results), f"{len(results)}/{len(parts)} parts solved")
    return [results[i] for i in range(len(parts))]


def start_method(pairs: int, left: float = float("inf")) -> str:
    """How to start the workers of a round of ``pairs`` usable pairs, ``left`` seconds
    before its deadline: "forkserver" from ``FORKSERVER_PAIRS`` on, "fork" below (and
    where the fork server could not start in time); "spawn" where there is no fork."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods and pairs >= FORKSERVER_PAIRS and (
            left >= FORKSERVER_MIN_S or _forkserver_running()):
        return "forkserver"
    return "fork" if "fork" in methods else "spawn"


def warm_up(pairs: int) -> None:
    """Start the fork server now if a round of ``pairs`` usable pairs will use it: it
    imports PRELOAD while this process decomposes the round (this does not wait)."""
    if start_method(pairs) == "forkserver":
        _context("forkserver")


_server = {"started": False}  # whether this process has started its fork server


def _context(method: str) -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context(method)
    if method == "forkserver":  # (one per process: a running server is reused)
        context.set_forkserver_preload(PRELOAD)
        multiprocessing.forkserver.ensure_running()
        _server["started"] = True
    return context


def _forkserver_running() -> bool:
    return _server["started"]


def solve_bin(indices: list[int], parts: list[Part], scale: Scale, params: RoundParameters,
              deadline: float | TimeBudget, started: Callable[[int], None] | None = None
              ) -> dict[int, PartResult]:
    """``deadline``: the budget, or (to a worker process) its deadline as a float."""
    budget = deadline if isinstance(deadline, TimeBudget) else TimeBudget.until(deadline)
    budget = budget.before(SCORE_S_PER_PAIR * sum(len(p.pairs) for p in parts))
    solvers: list[PartSolver] = []
    halfway = budget.part(0.5)
    late: dict[int, PartResult] = {}  # parts answered without a model
    greedy_only: list[tuple[int, Part]] = []  # of them, those the greedy answered
    rest = sum(CEILING.of(p) for p in parts)  # the later parts' ceilings, counted
    for n, part in enumerate(parts):  # every part gets a solution at once ...
        rest -= CEILING.of(part)
        # What the parts after this one need at the least: their ceilings counted.
        left = budget.remaining() - rest
        if left < CEILING.of(part):  # not even time to count its ceiling
            late[indices[n]] = unbuilt(part.problem, scale, params, _whole(part),
                                       counted=False)
            continue
        if left < QUICK.of(part):  # nor for the greedy: its ceiling alone
            late[indices[n]] = unbuilt(part.problem, scale, params, _whole(part))
            continue
        if params.decompose and LP_SECONDS_PER_WEIGHT * part_weight(part) > 0.5 * left:
            # Its relaxation could not finish, so the solver could not improve on the
            # greedy start: building its model would only take the others' time. Its
            # flows' LP may, for a tighter bound, with a quarter of what it leaves.
            spare = 0.25 * (left - QUICK.of(part))
            flows = spare if FLOWS.of(part) <= spare else None
            late[indices[n]] = quick_part(part.problem, scale, params, _whole(part), flows)
            if any(late[indices[n]].units):
                greedy_only.append((indices[n], part))
            if started:
                started(n + 1)
            continue
        solver = PartSolver(part.problem, scale, params,
                            part.whole_budgets if part.split_firms else None)
        if not halfway.expired():  # (past that, serving nothing must do)
            solver.start_greedy()
        solvers.append(solver)
        if started:
            started(n + 1)
    starting = budget.part(START_SHARE)
    alone = len(solvers) == 1  # no other part could use the time it would not take
    parts = [p for i, p in zip(indices, parts) if i not in late]
    weight = sum(part_weight(p) for p in parts)
    for solver, part in zip(solvers, parts):  # ... then a better one and a bound
        share = starting.remaining() * part_weight(part) / max(weight, 1)
        weight -= part_weight(part)
        # A relaxation that cannot finish before the deadline would only take the
        # others' time; one that can gets at least what it needs.
        left = budget.remaining() - 0.05
        needs = LP_SECONDS_PER_WEIGHT * part_weight(part)
        if needs <= 0.5 * left or alone:
            solver.start(budget.within(min(max(share, 2 * needs, 0.05), left)), polish=False)
    # ... and the parts the greedy alone answered, cut into chunks the solver can take
    # (chunks.py), each with its share of what is left, by weight beside the others.
    pending = sum(part_weight(p) for p in parts) + sum(part_weight(p) for _, p in greedy_only)
    for index, part in greedy_only:
        share = budget.remaining() * part_weight(part) / max(pending, 1)
        pending -= part_weight(part)
        if share >= CHUNKS.of(part):
            late[index] = improve_quick(part, late[index], scale, params, budget.within(share))
    # The most each call of an improvement (phase 1, phase 2, repair) has run past its
    # time in this bin: every part's guard for that call is at least that (part.py). A
    # part's first guess (5 x its start) was 0.2-0.35 s on the Modena 1k round's parts
    # of 500-1,300 columns, whose phase-2 calls overran by 0.3-0.46 s (HiGHS's presolve
    # and root do not look at the clock): that round ended 0.1-0.36 s past its 5 s in
    # four runs of five.
    overran: dict[str, float] = {}
    for _ in range(ROUNDS):
        open_parts = [s for s in solvers if not s.done]
        open_sizes = [p for s, p in zip(solvers, parts) if not s.done]
        if not open_parts or budget.expired(0.05):
            break
        urgency = _urgency(open_parts, open_sizes)
        order = sorted(range(len(open_parts)), key=lambda n: -urgency[n])
        total = sum(urgency)
        for n in order:
            left = budget.remaining()
            if left < 0.05:
                break
            share = left * urgency[n] / total if total > 0 else left / len(order)
            total -= urgency[n]
            needs = LP_SECONDS_PER_WEIGHT * part_weight(open_sizes[n])
            if needs <= 0.5 * left or alone:  # (less would not even see the relaxation)
                solver = open_parts[n]
                solver.floor = _most(solver.floor, overran)
                solver.improve(budget.within(min(max(share, 2 * needs, 0.05), left)))
                overran = _most(overran, solver.overran)
    built = [i for i in indices if i not in late]
    return {**late, **{index: solver.result() for index, solver in zip(built, solvers)}}


def _most(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    """Each key's larger figure of the two."""
    return {key: max(a.get(key, 0.0), b.get(key, 0.0)) for key in a.keys() | b.keys()}


def _whole(part: Part) -> tuple[float, ...] | None:
    """The whole budgets of a part whose budgets are split, for its bound."""
    return part.whole_budgets if part.split_firms else None


def _urgency(solvers: list[PartSolver], parts: list[Part]) -> list[float]:
    """What improving each part may gain: its gap; for a part with no solution
    yet, its whole bound (serving nothing scores about 0), or a guess from its
    size at the bin's mean bound per unit of weight."""
    per_weight = [abs(s.best.bound) / part_weight(p) for s, p in zip(solvers, parts)
                  if s.best.bound is not None]
    guess = max(per_weight) if per_weight else 1.0
    out = []
    for solver, part in zip(solvers, parts):
        if solver.best.values is not None and solver.gap != float("inf"):
            out.append(solver.gap)
        elif solver.best.bound is not None:
            out.append(abs(solver.best.bound))
        else:
            out.append(guess * part_weight(part))
    return out


def _bins(parts: list[Part], workers: int) -> list[list[int]]:
    order = sorted(range(len(parts)), key=lambda i: (-part_weight(parts[i]), i))
    bins: list[list[int]] = [[] for _ in range(max(1, min(workers, len(parts))))]
    loads = [0] * len(bins)
    for index in order:
        lightest = loads.index(min(loads))
        bins[lightest].append(index)
        loads[lightest] += part_weight(parts[index])
    return [sorted(b, key=lambda i: (-part_weight(parts[i]), i)) for b in bins if b]
