"""Benchmark: the Lagrangean bound of a facility-location part alone (a script).

    .venv/bin/python -m tests.benchmarks.bench_lagrangean                  # capa/b/c
    .venv/bin/python -m tests.benchmarks.bench_lagrangean cap41 capb-8000 --seconds 10

Each OR-Library instance is built as the optimiser builds it (``orlib.to_problem``,
then the part's model), read as a facility location (``FacilityLocation.of``) and
bounded by the subgradient search alone, in this process, with at most ``--seconds``.
The table gives how far the bound is below the published optimum, the steps, why they
ended and the time; then how many facilities ``settled`` fixes for plans 0.5 % and 2 %
above the optimum.
"""

from __future__ import annotations

import argparse
import time

from matcher.budget import TimeBudget
from matcher.model.build import build
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import compute_scale
from matcher.model.prepare import prepare
from matcher.search.lagrangean import FacilityLocation
from schemas.parameters import RoundParameters
from tests.benchmarks.bench_cflp import labels, machine
from tests.support import orlib

DEFAULT = ["capa-10000", "capb-7000", "capc-6500"]
ABOVE = (0.005, 0.02)  # plans this far above the optimum, for what they let settle


def run(label: str, seconds: float) -> str:
    published = orlib.published_optima()[label]
    problem = orlib.to_problem(orlib.load(published.name, published.capacity))
    prep = prepare(problem)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    m, c = build(prep, scale, RoundParameters(relative_gap=0.0))
    shape = FacilityLocation.of(prep, c, m)
    if shape is None:
        return f"| {label} | not a facility location | | | | |"
    started = time.perf_counter()
    # The target: a plan 1 % above the optimum (the search aims near its best bound).
    found = shape.bound(TimeBudget(seconds), published.optimum * 1.01)
    took = time.perf_counter() - started
    below = (published.optimum - found.value) / published.optimum
    settled = [len(shape.settled(found.prices, published.optimum * (1 + a))) for a in ABOVE]
    return (f"| {label} | {below:.3%} | {found.steps} | {found.stopped} | {took:.2f} | "
            + " / ".join(f"{n} of {len(c.r)}" for n in settled) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instances", nargs="*", help=f"labels (default: {' '.join(DEFAULT)})")
    parser.add_argument("--seconds", type=float, default=30.0, help="at most, per instance")
    args = parser.parse_args(argv)
    print(machine())
    print("| instance | bound below the optimum | steps | ended | seconds "
          "| settled at +0.5 % / +2 % |")
    print("|---|---|---|---|---|---|")
    for label in labels(args.instances or DEFAULT):
        print(run(label, args.seconds), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
