"""Benchmark: OR-Library CFLP instances against their published optima (a script).

    .venv/bin/python -m tests.benchmarks.bench_cflp                 # all 37 + 12
    .venv/bin/python -m tests.benchmarks.bench_cflp cap41 capa-8000 --time-limit 60

Each instance goes to the optimiser's pooling core (``ProblemData.from_arrays``:
facilities are offers without a minimum group, customers are must-serve lines,
demand may be split) with a relative gap of 0. The table gives our objective
against the published optimum, the relative error, the proven bound and gap,
the time, the status, and the independent check of the allocation (demand
served, capacities kept, cost recomputed from the instance file).

Goals: cap41-cap134 at the optimum (relative error <= 1e-6) within 10 s each;
capa-capc within 0.5 % of the optimum within 120 s each.

``--reference`` adds, as a yardstick only, the textbook strong formulation
(continuous flows, ``x_ij <= d_i y_j``) solved directly by HiGHS through
OR-Tools' ``pywraplp`` with the same time limit: it tells whether a gap comes
from the instance or from how the optimiser models and solves it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tests.support import orlib

GOALS = {"small": (1e-6, 10.0), "large": (5e-3, 120.0)}


def labels(selected: list[str]) -> list[str]:
    optima = orlib.published_optima()
    if not selected:
        return list(optima)
    unknown = [s for s in selected if s not in optima]
    if unknown:
        raise SystemExit(f"unknown instances {unknown}; known: {', '.join(optima)}")
    return selected


def run(label: str, time_limit: float | None) -> dict:
    published = orlib.published_optima()[label]
    instance = orlib.load(published.name, published.capacity)
    size = "large" if published.capacity is not None else "small"
    goal_error, goal_time = GOALS[size]
    limit = time_limit or goal_time
    started = time.perf_counter()
    outcome = orlib.solve_cflp(instance, time_limit=limit)
    seconds = time.perf_counter() - started
    checked = orlib.evaluate(instance, outcome.flows) if outcome.flows is not None else None
    objective = outcome.objective
    error = abs(objective - published.optimum) / published.optimum if objective is not None else None
    met = error is not None and error <= goal_error and seconds <= goal_time and (
        checked is not None and not checked.problems)
    return {
        "instance": label, "optimum": published.optimum, "objective": objective,
        "rel_error": error, "bound": outcome.bound, "gap": outcome.gap,
        "seconds": seconds, "status": outcome.status, "time_limit": limit,
        "checked_cost": checked.cost if checked else None,
        "check_problems": checked.problems[:3] if checked else ["no allocation"],
        "goal": f"err<={goal_error:g}, t<={goal_time:g}s", "met": met,
    }


def reference(label: str, time_limit: float) -> dict:
    """The strong CFLP formulation straight to HiGHS (a yardstick, not the optimiser)."""
    from ortools.linear_solver import pywraplp

    published = orlib.published_optima()[label]
    instance = orlib.load(published.name, published.capacity)
    started = time.perf_counter()
    solver = pywraplp.Solver.CreateSolver("HIGHS")
    m, n = instance.facilities, instance.customers
    y = [solver.BoolVar(f"y{j}") for j in range(m)]
    x = {(i, j): solver.NumVar(0, instance.demands[i], "") for i in range(n) for j in range(m)}
    for i in range(n):
        solver.Add(sum(x[i, j] for j in range(m)) == instance.demands[i])
        for j in range(m):
            solver.Add(x[i, j] <= instance.demands[i] * y[j])
    for j in range(m):
        solver.Add(sum(x[i, j] for i in range(n)) <= instance.capacities[j] * y[j])
    solver.Minimize(sum(instance.fixed_costs[j] * y[j] for j in range(m))
                    + sum(instance.unit_cost(i, j) * x[i, j] for (i, j) in x))
    solver.SetTimeLimit(int(time_limit * 1000))
    solver.SetSolverSpecificParametersAsString("mip_rel_gap=0\n")
    code = solver.Solve()
    seconds = time.perf_counter() - started
    found = code in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)
    objective = solver.Objective().Value() if found else None
    bound = solver.Objective().BestBound() if found else None
    return {"instance": label, "optimum": published.optimum, "objective": objective,
            "rel_error": (abs(objective - published.optimum) / published.optimum
                          if objective is not None else None),
            "bound": bound, "seconds": seconds,
            "status": {pywraplp.Solver.OPTIMAL: "optimal", pywraplp.Solver.FEASIBLE: "feasible"
                       }.get(code, "no_solution")}


def _f(value, spec):
    return "-" if value is None else format(value, spec)


def print_row(r: dict) -> None:
    check = "ok" if not r["check_problems"] else "; ".join(r["check_problems"])
    if r["checked_cost"] is not None and r["objective"] is not None:
        drift = abs(r["checked_cost"] - r["objective"]) / max(1.0, abs(r["objective"]))
        if drift > 1e-6:
            check = f"cost recomputed {r['checked_cost']:.3f}"
    print(f"| {r['instance']} | {r['optimum']:,.3f} | {_f(r['objective'], ',.3f')} "
          f"| {_f(r['rel_error'], '.2e')} | {_f(r['bound'], ',.3f')} | {_f(r['gap'], '.2e')} "
          f"| {r['seconds']:.2f} | {r['status']} | {check} | {'yes' if r['met'] else 'NO'} |",
          flush=True)


def machine() -> str:
    """Cores, load and versions, so that a reader can judge the figures."""
    import os
    import platform

    import ortools

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"machine: {os.cpu_count()} cores, load average {load}; Python "
            f"{platform.python_version()}, ortools {ortools.__version__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instances", nargs="*", help="labels such as cap41 or capa-8000 (default: all)")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds per instance (default: the goal, 10 s small, 120 s capa-c)")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument("--reference", action="store_true",
                        help="also solve the strong formulation directly with HiGHS (yardstick)")
    args = parser.parse_args(argv)
    import matcher.solve  # noqa: F401  (import time is not the instance's)
    print(machine())

    print("| instance | published optimum | our objective | rel. error | proven bound | gap "
          "| time s | status | independent check | goal met |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for label in labels(args.instances):
        row = run(label, args.time_limit)
        rows.append(row)
        print_row(row)
    if args.reference:
        print("\nYardstick: strong formulation solved directly by HiGHS (pywraplp)\n")
        print("| instance | published optimum | objective | rel. error | bound | time s | status |")
        print("|---|---|---|---|---|---|---|")
        for row in rows:
            ref = reference(row["instance"], row["time_limit"])
            row["reference"] = ref
            print(f"| {ref['instance']} | {ref['optimum']:,.3f} | {_f(ref['objective'], ',.3f')} "
                  f"| {_f(ref['rel_error'], '.2e')} | {_f(ref['bound'], ',.3f')} "
                  f"| {ref['seconds']:.2f} | {ref['status']} |", flush=True)
    met = sum(r["met"] for r in rows)
    worst = max((r["rel_error"] for r in rows if r["rel_error"] is not None), default=None)
    print(f"\n{met}/{len(rows)} instances meet their goal; worst relative error {_f(worst, '.2e')}; "
          f"total time {sum(r['seconds'] for r in rows):.1f} s")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
