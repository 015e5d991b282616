"""HiGHS (through OR-Tools MathOpt) against CP-SAT on the optimiser's own formulation.

Both solvers get the very same model of each instance (matcher/model/build.py, one
part: ``decompose`` off, one worker, one thread each) and the same limits; the
table shows, per instance, the status, the objective L and its proven bound,
the relative gap and the wall time, then CP-SAT's figures over HiGHS's.

Instances: welfare rounds from the small generator below (integer flows,
capacities, per-week running decisions with minimum groups, all-units tiers,
tight budgets, fairness), small and medium; and facility location instances
from OR-Library (cap41, cap71, cap131), where the objective is the cost.

    .venv/bin/python -m tests.benchmarks.solver_choice [--time-limit 20] [--quick]
"""

from __future__ import annotations

import argparse
import math
import random
import time

from matcher import Line, Offer, Pair, ProblemData, Tier, solve
from schemas.parameters import RoundParameters


def welfare(seed: int, lines: int, offers: int, firms: int, towns: int) -> ProblemData:
    """Lines and offers in ``towns`` towns of 13 weeks; offers serve 1-3 towns."""
    rng = random.Random(seed)
    demand = []
    for _ in range(lines):
        first = rng.randrange(10)
        weeks = tuple(range(first, min(13, first + rng.randint(1, 6))))
        demand.append((Line(units=rng.randint(2, 20), weeks=weeks,
                            weight=float(rng.choice([1, 1, 2, 3, 5])),
                            max_price=float(rng.choice([110, 130, 160])),
                            firm=rng.randrange(firms), pays_budget=rng.random() < 0.9),
                       rng.randrange(towns)))
    supply = []
    for _ in range(offers):
        capacity = rng.randint(20, 60)
        base = rng.choice([100, 120, 140])
        supply.append((Offer(capacity=capacity, weeks=tuple(range(13)),
                             min_group=rng.choice([0, 5, 10, 15]),
                             tiers=(Tier(0, base), Tier(150, base - 8), Tier(400, base - 16)),
                             fixed_cost=float(rng.choice([0, 300, 600]))),
                       set(rng.sample(range(towns), rng.randint(1, min(3, towns))))))
    pairs = tuple(Pair(i, j) for i, (_, town) in enumerate(demand)
                  for j, (_, area) in enumerate(supply) if town in area)
    budgets = tuple(float(rng.choice([3000, 8000, 20000, 10**6])) for _ in range(firms))
    return ProblemData(tuple(d for d, _ in demand), tuple(s for s, _ in supply), pairs, budgets)


def facility(name: str) -> ProblemData:
    from tests.support.orlib import load, to_problem

    return to_problem(load(name))


def run(problem: ProblemData, solver: str, time_limit: float) -> dict:
    params = RoundParameters(solver=solver, time_limit_s=time_limit, relative_gap=1e-4,
                             decompose=False, workers=1, seed=0)
    started = time.perf_counter()
    solution = solve(problem, params)
    return {"status": solution.status.value, "objective": solution.objective,
            "bound": solution.bound, "gap": solution.gap,
            "seconds": time.perf_counter() - started}


def _num(value: float | None, width: int = 14) -> str:
    return f"{value:{width}.6g}" if value is not None and math.isfinite(value) else " " * (
        width - 1) + "-"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:8.3f}" if a is not None and b not in (None, 0) else "       -"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--quick", action="store_true", help="the small instances only")
    args = parser.parse_args(argv)
    instances = [
        ("welfare-small-1", lambda: welfare(1, lines=40, offers=10, firms=12, towns=4)),
        ("welfare-small-2", lambda: welfare(2, lines=40, offers=10, firms=12, towns=4)),
        ("cap41", lambda: facility("cap41")),
    ]
    if not args.quick:
        instances += [
            ("welfare-medium-1", lambda: welfare(3, lines=150, offers=30, firms=40, towns=6)),
            ("welfare-medium-2", lambda: welfare(4, lines=150, offers=30, firms=40, towns=6)),
            ("cap71", lambda: facility("cap71")),
            ("cap131", lambda: facility("cap131")),
        ]
    print(f"time limit {args.time_limit:g} s per solve, relative gap 1e-4, one thread each")
    print(f"{'instance':18} {'solver':6} {'status':9} {'objective':>14} {'bound':>14} "
          f"{'gap':>9} {'seconds':>8}")
    ratios = []
    for name, build in instances:
        problem = build()
        rows = {solver: run(problem, solver, args.time_limit) for solver in ("highs", "cpsat")}
        for solver, row in rows.items():
            gap = f"{100 * row['gap']:8.3f}%" if row["gap"] is not None else "        -"
            print(f"{name:18} {solver:6} {row['status']:9} {_num(row['objective'])} "
                  f"{_num(row['bound'])} {gap} {row['seconds']:8.2f}")
        h, c = rows["highs"], rows["cpsat"]
        ratios.append((name, _ratio(c["seconds"], h["seconds"]),
                       _ratio(c["objective"], h["objective"]), _ratio(c["gap"], h["gap"])))
    print("\ncp-sat / highs: time, objective, gap (objective: L, lower is better; for a")
    print("negative L, a ratio below 1 means CP-SAT found less)")
    for name, t, o, g in ratios:
        print(f"  {name:18} time {t}  objective {o}  gap {g}")


if __name__ == "__main__":
    main()
