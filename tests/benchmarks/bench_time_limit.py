"""Benchmark: does ``welfare solve`` return by its time limit, counted from outside?

    .venv/bin/python -m tests.benchmarks.bench_time_limit --sizes 1000 --limits 5 --runs 3
    .venv/bin/python -m tests.benchmarks.bench_time_limit --sizes 100 1000 10000 \
        --limits 2 5 30 --runs 3 --json after.json
    .venv/bin/python -m tests.benchmarks.bench_time_limit --tree /tmp/before . \
        --sizes 1000 --limits 5 --runs 3 --json both.json
    .venv/bin/python -m tests.benchmarks.bench_time_limit --compare both.json

A script, not a test (no wall-clock assertions in tests). For each size it
generates one round with ``welfare scenario generate --network modena`` (kept
under ``--cache``, so every run and every tree solves the same file), then runs
``welfare solve SNAPSHOT --time-limit L`` as a subprocess and times it from
outside: from just before the process is started to just after it has exited,
so the interpreter's start-up, the imports, reading the file, the solve,
writing the result and the interpreter's exit all count, as they do for an
operator. ``--tree DIR`` runs the command from another copy of the code
(``PYTHONPATH=DIR``, same venv): that is how the figures before a change were
taken (``git archive HEAD | tar -x -C DIR``). With several trees the runs
alternate between them, so that a machine whose load changes (other jobs on
the same cores) weighs on each alike; ``--compare`` then sets the first tree's
figures beside the second's.

Table: lines, limit, wall, wall/limit, status, coverage (priority-weighted),
proven gap (the result's relative gap on the objective; ``-`` without a bound)
and the coverage ceiling the bound proves.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path("/tmp/bench_time_limit")


def snapshot_for(lines: int, seed: int, cache: Path) -> Path:
    """The round of ``lines`` demand lines (generated once, by this checkout)."""
    directory = cache / f"modena-{lines}-{seed}"
    path = directory / "snapshot.json"
    if not path.exists():
        command = [sys.executable, "-m", "services.cli.main", "scenario", "generate",
                   "--network", "modena", "--seed", str(seed), "--demand-lines", str(lines),
                   "--out", str(directory)]
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return path


def run_once(tree: Path, snapshot: Path, limit: float, out: Path) -> dict:
    """One ``welfare solve`` in its own process, timed from outside."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "services.cli.main", "solve", str(snapshot),
               "--time-limit", str(limit), "--out", str(out), "--lang", "en"]
    began = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, cwd=tree, env=env)
    wall = time.monotonic() - began
    row = {"limit": limit, "wall": wall, "ratio": wall / limit, "exit": done.returncode}
    if done.returncode != 0:
        row["error"] = (done.stderr.strip().splitlines() or ["?"])[-1]
        return row
    result = json.loads(out.read_text())
    row.update(status=result["status"], coverage=result["totals"]["weighted_coverage"],
               gap=result.get("gap"), ceiling=result.get("coverage_ceiling"),
               message=result.get("message"))
    return row


def _percent(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{100 * value:.{digits}f}%"


def table(rows: list[dict]) -> str:
    head = (f"{'lines':>6} {'limit':>6} {'wall':>7} {'wall/limit':>10} {'status':>11} "
            f"{'coverage':>9} {'gap':>8} {'ceiling':>8}")
    out = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            out.append(f"{r['lines']:>6} {r['limit']:>6g} {r['wall']:>7.2f} "
                       f"{r['ratio']:>10.3f} error: {r['error']}")
            continue
        out.append(f"{r['lines']:>6} {r['limit']:>6g} {r['wall']:>7.2f} {r['ratio']:>10.3f} "
                   f"{r['status']:>11} {_percent(r['coverage']):>9} {_percent(r['gap'], 2):>8} "
                   f"{_percent(r['ceiling']):>8}")
    return "\n".join(out)


def compare(rows: list[dict]) -> str:
    """Mean figures per (lines, limit), the first tree's and the second's side by side."""
    trees = list(dict.fromkeys(r["tree"] for r in rows))
    before = [r for r in rows if r["tree"] == trees[0]]
    after = [r for r in rows if r["tree"] == trees[-1]]
    def groups(rows):
        out: dict[tuple[int, float], list[dict]] = {}
        for r in rows:
            out.setdefault((r["lines"], r["limit"]), []).append(r)
        return out

    def mean(rows, key):
        values = [r[key] for r in rows if r.get(key) is not None]
        return statistics.mean(values) if values else None

    old, new = groups(before), groups(after)
    head = (f"{'lines':>6} {'limit':>6} {'wall/limit before':>18} {'after':>7} "
            f"{'max after':>9} {'coverage before':>16} {'after':>7} {'gap before':>11} "
            f"{'after':>7}")
    lines = [head, "-" * len(head)]
    for key in sorted(set(old) & set(new)):
        a, b = old[key], new[key]
        lines.append(
            f"{key[0]:>6} {key[1]:>6g} {mean(a, 'ratio'):>18.3f} {mean(b, 'ratio'):>7.3f} "
            f"{max(r['ratio'] for r in b):>9.3f} {_percent(mean(a, 'coverage'), 2):>16} "
            f"{_percent(mean(b, 'coverage'), 2):>7} {_percent(mean(a, 'gap'), 2):>11} "
            f"{_percent(mean(b, 'gap'), 2):>7}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--limits", type=float, nargs="+", default=[2.0, 5.0, 30.0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tree", type=Path, nargs="+", default=[ROOT],
                        help="the code to run (several: runs alternate between them)")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--compare", type=Path, nargs="+", metavar="ROWS.json",
                        help="rows of two trees (one file or several)")
    args = parser.parse_args(argv)
    if args.compare:
        print(compare([r for p in args.compare for r in json.loads(p.read_text())]))
        return 0
    rows = []
    for lines in args.sizes:
        snapshot = snapshot_for(lines, args.seed, args.cache)
        for limit in args.limits:
            for run in range(args.runs):
                for tree in args.tree:
                    out = args.cache / f"result-{lines}-{limit:g}-{run}.json"
                    row = {"lines": lines, "run": run, "tree": str(tree.resolve()),
                           **run_once(tree.resolve(), snapshot, limit, out)}
                    rows.append(row)
                    print(table([row]).splitlines()[-1], "  ", row["tree"], flush=True)
    print()
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
