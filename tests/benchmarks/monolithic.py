"""Monolithic baselines for the round benchmarks: the whole round as one model.

What bench_rounds' rows run, to set the optimiser's decomposed search beside what
HiGHS or CP-SAT does with the round on its own:

- ``highs`` / ``cpsat`` (``solve_monolithic(snapshot, params, solver)``): the whole
  round as ONE model, solved lexicographically as the optimiser solves each of its
  parts (matcher/search/part.py): where the weights make L lexicographic
  (``Scale.lexicographic``, DESIGN.md) and some line is optional, two calls by
  ``solve_two_phase`` (phases.py): phase 1 maximises the coverage counts alone,
  phase 2 keeps that coverage and minimises the rest of L from phase 1's solution;
  otherwise one call on L. L's coefficients span thirteen orders of magnitude (2e-4 to
  1.3e9 on the 1k modena round); the optimiser never hands a solver that sum where
  L is lexicographic, so the lexicographic solve is the comparison that matches
  it (HiGHS on the sum served 0.27 % of that round in 5 s).
- ``highs-sum`` / ``cpsat-sum`` (``weighted_sum=True``): the same model and ONE call
  on the weighted sum L, whatever the weights: what the solver does with the
  objective as written. Not in the benchmark's default methods.

Either way: the round is indexed and prepared as ``matcher.solve_round`` does, the
objective's scale computed for the whole round (matcher/solve.py: markets,
pieces, ``compute_scale``) and the whole model built once (``build``). Nothing of
ours runs besides: no decomposition, no greedy or relaxation start, no hint (phase
2 starts from phase 1's solution, which ``solve_two_phase`` hands it), no overrun
guard, no repair. The model holds exactly what ``build`` gives for a part, here for
the whole round: demand, pinned, capacity and minimum-group rows, tiers, budgets,
change and fairness. Above ``LINKING_LIMIT`` pair-weeks ``build`` leaves the
per-pair linking rows out (our search adds back the broken ones, separation.py);
they are strengthening rows only (capacity x running already links flows to
running), so the model without them has the same integer solutions and optimum:
the baseline solves it as built, and the solver's own cuts are what it has
instead. Where ``build`` makes the flows continuous (flows_integral: exact) they
stay so.

Time: one budget, from the call, indexing and building included, that ends what
assembling the result needs before the limit (``solve_round.after_search``, the
optimiser's own reserve). Phase 1 gets at most 70 % of what is left
(``PHASE_ONE_SHARE``), phase 2 the rest; each call gets the seconds
``solve_two_phase`` gives it, and each backend keeps its own safety margin inside
them (HiGHS aims at 90 %, CP-SAT at 95 %) and runs as in the optimiser: one
thread, the round's seed, its relative gap (CP-SAT: one worker, not its
portfolio; deterministic, and two cores are what the benchmark machine has). The
margins do not cover what happens outside the solver's own clock on a very large
model, so such a call ends past the limit and the ``wall s`` column shows it: on
the 1k home-care round (87,003 columns, 22,716 rows, 6.26 M nonzeros, its capacity
and minimum-group rows over 26-52-week lines) one call took 8.4 s of its 5 s with
either solver and found nothing; CP-SAT's Python model build alone takes 5.5 s
there, and HiGHS's call spends about 2 s building the proto and MathOpt's model
and 3.5 s in mathopt.solve outside HiGHS's clock (measured once each, 2026-12-03,
on the 2-core machine). Two phases build the solver's model twice.

Reading the answer: no values -> ``no_solution`` (not "nothing served": the plan
that serves nothing is often feasible, but it is not what the solver found); flow
values that are not integral (``integrality.fractional``: a time-limited solve of
a model with continuous flows may stop off a vertex) -> ``no_solution`` as well,
its bound kept: rounding them would report our repair, not the solver's plan. An
integral answer is read with ``read_flows`` and scored as the optimiser scores
every part's plan (``quick.score_units`` plus ``change_offset``: the same plan, the
same L to the last digit); the bound is the solver's (two phases: phases.py's
bound on L from both), and the status is ``optimal`` only if that bound proves the
plan within the relative gap on L (schemas/result.py), whatever the solver said.
The RoundResult is assembled by ``solve_round.round_result``, as every result of
``matcher.solve_round`` is.
"""

from __future__ import annotations

import time
from typing import Literal

from matcher.backends.linear import LinearModel
from matcher.backends.raw import RawResult
from matcher.budget import TimeBudget
from matcher.model.build import all_linking, build, run_backend
from matcher.model.integrality import fractional
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import (change_offset, compute_scale, coverage_ceiling,
                                     coverage_counts)
from matcher.model.prepare import Prepared, prepare
from matcher.round.from_snapshot import index_round
from matcher.round.solve_round import after_search, round_result
from matcher.search.part_result import read_flows
from matcher.search.phases import solve_two_phase
from matcher.search.quick import score_units
from matcher.solution import Solution, Status
from schemas.parameters import RoundParameters
from schemas.result import RoundResult
from schemas.snapshot import RoundSnapshot

SOLVERS = {"highs": "HiGHS", "cpsat": "CP-SAT"}


def solve_monolithic(snapshot: RoundSnapshot, params: RoundParameters | None = None,
                     solver: Literal["highs", "cpsat"] = "highs", *,
                     weighted_sum: bool = False) -> RoundResult:
    """The round as one model solved by ``solver`` within ``params.time_limit_s`` from
    now (default parameters: the snapshot's): lexicographically where L is, or with
    ``weighted_sum`` in one call on L as one sum."""
    start = time.perf_counter()
    params = (params or snapshot.parameters).model_copy(
        update={"solver": solver, "decompose": False})
    budget = TimeBudget(params.time_limit_s, start=start)
    idx = index_round(snapshot, params)
    prep = prepare(idx.problem)
    if idx.pinned_conflict:
        took = time.perf_counter() - start
        sol = Solution(Status.INFEASIBLE, None, None, None, (0,) * len(idx.problem.pairs),
                       (-1,) * len(idx.problem.offers), solver, 1, took, 0.0, took,
                       idx.pinned_conflict)
    else:
        search = budget.before(after_search(len(snapshot.demand_lines), budget.remaining(),
                                            time.perf_counter() - start))
        sol = solve_whole(prep, params, search, start, weighted_sum=weighted_sum)
    return round_result(snapshot, params, idx, prep, sol, start)


def solve_whole(prep: Prepared, params: RoundParameters, budget: TimeBudget,
                start: float, *, weighted_sum: bool = False) -> Solution:
    """The whole prepared round: one build, then ``params.solver`` by ``budget``'s
    deadline, in two phases where L is lexicographic (unless ``weighted_sum``).
    ``start``: where the timings count from."""
    problem = prep.data
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    m, c = build(prep, scale, params)
    counts = coverage_counts(prep, c)
    # As PartSolver decides it for a part (part.py).
    two_phase = not weighted_sum and bool(counts) and scale.lexicographic(params)
    built = time.perf_counter()

    def run(model: LinearModel, seconds: float, hint: list[float] | None) -> RawResult:
        # The seconds solve_two_phase gives, as they are: no overrun guard of ours.
        return run_backend(model, params, seconds, hint)

    if two_phase:
        value = params.coverage_weight * scale.coverage / 100  # one count, in L
        raw = solve_two_phase(m, counts, value, params.relative_gap, budget, None, None, run)
    else:
        raw = run_backend(m, params, budget)  # no hint: the solver's own search
    solved = time.perf_counter()
    linking = ("every linking row" if all_linking(prep, c)
               else "no linking rows (above LINKING_LIMIT)")
    how = (f"two {SOLVERS[params.solver]} calls (lexicographic: coverage, then the rest "
           f"of L at that coverage)" if two_phase
           else f"one {SOLVERS[params.solver]} call on L as one weighted sum")
    note = (f"benchmark baseline: the whole round as one model ({m.num_cols} columns, "
            f"{m.num_rows} rows, {linking}), {how}")
    offset = change_offset(prep, scale, params)
    bound = None if raw.bound is None else raw.bound + offset
    if raw.values is not None and fractional(c, raw.values):
        note += "; its flows were fractional when the time ran out: no plan"
        raw = RawResult(Status.NO_SOLUTION, None, raw.bound, None)
    if raw.values is None or raw.status == Status.INFEASIBLE:
        if raw.status == Status.INFEASIBLE:
            note += "; the solver proved the whole model infeasible"
        status = raw.status if raw.status == Status.INFEASIBLE else Status.NO_SOLUTION
        return Solution(status, None, bound, None, (0,) * len(problem.pairs),
                        (-1,) * len(problem.offers), params.solver, 1, built - start,
                        solved - built, time.perf_counter() - start, note,
                        coverage_bound=coverage_ceiling(scale, params, bound),
                        part_bounds={"mip" if bound is not None else "none": 1})
    units, tiers = read_flows(prep, c, raw)
    # The plan's own L (as PartSolver.result scores every part's plan), not the solver's
    # figure: the same plan then scores the same as in the optimiser's rows. It is at most
    # the model's figure for it, so a proven bound stays below it.
    plan = {k: u for k, u in enumerate(units) if u or prep.usable[k]}
    objective = offset + score_units(prep, plan, scale, params)
    gap = None
    if bound is not None:
        bound = min(bound, objective)  # (the solver's tolerances, as phases.py allows)
        gap = max(0.0, objective - bound) / max(abs(objective), 1e-9)
    # Optimal means proven within the relative gap on L (schemas/result.py), by this bound.
    proven = gap is not None and gap <= params.relative_gap * (1 + 1e-9) + 1e-12
    return Solution(Status.OPTIMAL if proven else Status.FEASIBLE, objective, bound, gap,
                    units, tiers, params.solver, 1, built - start, solved - built,
                    time.perf_counter() - start, note,
                    coverage_bound=coverage_ceiling(scale, params, bound),
                    part_bounds={"mip" if bound is not None else "none": 1})
