"""``solve_round(snapshot, params) -> RoundResult``: the round as the services see it."""

from __future__ import annotations

import time

from matcher.budget import TimeBudget
from matcher.model.prepare import Prepared, prepare
from matcher.round.from_snapshot import RoundIndex, index_round
from matcher.round.reasons import unmet_demand
from matcher.round.reproducibility import input_hash, solver_version
from matcher.round.result import (contracts, coverage_share, fairness, firm_outcomes,
                                  firm_spending, totals)
from matcher.solution import Status
from matcher.solution import Solution
from matcher.solve import Progress, ProgressCallback, solve_prepared
from schemas.parameters import RoundParameters
from schemas.result import PartBounds, RoundResult, SolverInfo, SolveStatus, Timings
from schemas.snapshot import RoundSnapshot


# What the result and the reasons take after the search, per demand line and at
# least (measured at 100 to 10k lines; see after_search).
AFTER_S = 0.03
AFTER_S_PER_LINE = 1.7e-4
# On a loaded machine all of it takes longer: at least as long as indexing and
# preparing the round took just before (which it matched within a factor of 0.9 to 1.9
# from 100 to 10k lines, unloaded).
AFTER_PER_INDEX_S = 1.0
# And of the time left, this share: HiGHS may end a call a little past the seconds it
# was given (part.py).
SLACK = 0.01


def after_search(lines: int, left: float, indexing_s: float = 0.0) -> float:
    """Seconds to set aside, of ``left``, for building the result and the reasons of
    ``lines`` lines, when indexing them took ``indexing_s``."""
    return (max(AFTER_S + AFTER_S_PER_LINE * lines, AFTER_PER_INDEX_S * indexing_s)
            + SLACK * left)


def solve_round(snapshot: RoundSnapshot, params: RoundParameters | None = None, *,
                progress: ProgressCallback | None = None,
                budget: TimeBudget | None = None) -> RoundResult:
    """Solve a round with ``params`` (default: the snapshot's own parameters).

    Always returns a result: an impossible pin gives status ``infeasible``
    with a message, a time limit before any solution ``no_solution``.
    The result is back by ``budget``'s deadline (default: ``params.time_limit_s``
    from the call, indexing included); what building it needs is kept from the search.
    """
    start = time.perf_counter()
    params = params or snapshot.parameters
    budget = budget or TimeBudget(params.time_limit_s, start=start)

    def stage(name: str, parts: int = 0) -> None:
        if progress:
            progress(Progress(parts, parts, time.perf_counter() - start, "", stage=name))

    stage("preparing")
    idx = index_round(snapshot, params)
    prep = prepare(idx.problem)
    if idx.pinned_conflict:
        took = time.perf_counter() - start
        sol = Solution(Status.INFEASIBLE, None, None, None, (0,) * len(idx.problem.pairs),
                       (-1,) * len(idx.problem.offers), _solver(params), 0, took, 0.0, took,
                       idx.pinned_conflict)
    else:  # the solve's build time counts from ``start``: indexing included
        search = budget.before(after_search(len(snapshot.demand_lines), budget.remaining(),
                                            time.perf_counter() - start))
        sol = solve_prepared(prep, params, progress, search, start)
    stage("reasons", sol.parts)
    return round_result(snapshot, params, idx, prep, sol, start)


def round_result(snapshot: RoundSnapshot, params: RoundParameters, idx: RoundIndex,
                 prep: Prepared, sol: Solution, start: float) -> RoundResult:
    """The RoundResult of ``sol``, a solution of the round ``idx`` / ``prep`` indexed and
    prepared from ``snapshot`` with ``params``: contracts, reasons, firms, totals and
    fairness; ``total_s`` counts from ``start``. (Public so that other ways of solving
    the round, such as the benchmarks' baselines, report it as solve_round does.)"""
    awarded = contracts(idx, sol) if _solved(sol) else []
    spent = firm_spending(idx, awarded)
    unmet = unmet_demand(idx, prep, sol, spent) if _solved(sol) else []
    message = "; ".join(m for m in (_message(sol), sol.message) if m) or None
    firms = firm_outcomes(idx, awarded, spent)
    return RoundResult(
        network_id=snapshot.network_id, round_id=snapshot.round_id,
        input_hash=input_hash(snapshot, params), parameters=params, seed=params.seed,
        solver=SolverInfo(name=sol.solver, version=solver_version(sol.solver)),
        status=SolveStatus(sol.status.value), objective=sol.objective, bound=sol.bound,
        gap=sol.gap, parts=sol.parts, message=message, contracts=awarded, unmet=unmet,
        firms=firms,
        totals=totals(idx, awarded, params.priority_weights),
        timings=Timings(build_s=sol.build_s, solve_s=sol.solve_s,
                        total_s=time.perf_counter() - start),
        coverage_ceiling=coverage_share(prep, sol.coverage_bound),
        fairness=fairness(idx, prep, firms) if _solved(sol) else None,
        part_bounds=PartBounds(**sol.part_bounds) if _solved(sol) else None,
    )


def _solver(params: RoundParameters) -> str:
    return "cpsat" if params.solver == "cpsat" else "highs"


def _solved(sol: Solution) -> bool:
    return sol.status in (Status.OPTIMAL, Status.FEASIBLE)


def _message(sol: Solution) -> str | None:
    if sol.status == Status.INFEASIBLE:
        return "the pinned assignments cannot all be kept within the round's rules"
    if sol.status == Status.NO_SOLUTION:
        return "the time limit came before any solution"
    if sol.status == Status.FEASIBLE:
        return "the time limit came before the gap was proven; a replay may differ"
    return None
