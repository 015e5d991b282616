"""Benchmark: generated welfare rounds, side by side (a script, not a test).

    .venv/bin/python -m tests.benchmarks.bench_rounds --sizes 1000 10000 100000
    .venv/bin/python -m tests.benchmarks.bench_rounds --families modena summer homecare

For each size it generates one round (``welfare scenario generate --network
modena --seed N --demand-lines N``, or the interim generator in this folder
when that command is missing) and solves it with every method, each in its own
subprocess so that time and peak memory are the method's own. With
``--families`` it generates one round per family and size (tests/benchmarks/
families.py: ``modena`` is the generator above, ``summer`` a childcare-heavy
summer of few large camps with tight minimum groups, ``homecare`` a year of
home care with many small offers and wide tiers), each in
``<workdir>/<family>-<size>/``, and prints one table per size with the
families side by side. The methods:

- ``optimiser``: ``matcher.solve`` with default settings (decomposition on);
- ``greedy``: first-come-first-served baseline (tests/benchmarks/greedy.py);
- ``cpsat`` / ``highs``: monolithic baselines (tests/benchmarks/monolithic.py): the
  whole round built as one model, exactly as our build writes it (above
  LINKING_LIMIT pair-weeks without the linking rows), solved by CP-SAT or HiGHS
  alone, lexicographically as the optimiser solves each part where the weights
  make L lexicographic: one call maximising coverage, one minimising the rest of L
  at that coverage from the first's solution (phases.py); no hint, no start of
  ours (one thread, the round's seed and gap). Fractional flows at the limit, or
  no values at all, are reported as ``no_solution``; ``parts`` is 1;
- ``cpsat-sum`` / ``highs-sum`` (not run by default): the same model and ONE call
  on L as one weighted sum, its coefficients over thirteen orders of magnitude.

All get the same time limit (5 s / 30 s / 120 s by default for 1k / 10k / 100k).
Every result is verified by the independent checker (tests/support/checker.py).
Peak RSS is ``ru_maxrss`` of the method's process (``os.wait4``), plus the
largest of its own children if it started any.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_LIMITS = {1_000: 5.0, 10_000: 30.0, 100_000: 120.0}
METHODS = ("optimiser", "greedy", "cpsat", "highs")  # run by default
SUM_METHODS = ("cpsat-sum", "highs-sum")  # on request: the weighted sum in one call
FAMILY_NAMES = ("modena", "summer", "homecare")  # tests/benchmarks/families.py FAMILIES
ROOT = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------- scenario


def make_snapshot(lines: int, seed: int, directory: Path, generator: str,
                  family: str = "modena") -> tuple[Path, str]:
    """Write the round's snapshot.json into ``directory``; return its path and its generator."""
    directory.mkdir(parents=True, exist_ok=True)
    made_by = directory / "generator.txt"
    if (directory / "snapshot.json").exists() and made_by.exists():
        return directory / "snapshot.json", made_by.read_text().strip() + " (reused)"
    if family == "modena":
        path, generator = _generate(lines, seed, directory, generator)
    else:
        from tests.benchmarks.families import generate

        path = directory / "snapshot.json"
        path.write_text(generate(family, lines, seed).model_dump_json())
        generator = f"tests/benchmarks/families.py {family}"
    made_by.write_text(generator + "\n")
    return path, generator


def _generate(lines: int, seed: int, directory: Path, generator: str) -> tuple[Path, str]:
    welfare = shutil.which("welfare", path=str(ROOT / ".venv" / "bin")) or shutil.which("welfare")
    if generator in ("auto", "welfare") and welfare:
        command = [welfare, "scenario", "generate", "--network", "modena", "--seed", str(seed),
                   "--demand-lines", str(lines), "--out", str(directory)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        if done.returncode == 0 and (directory / "snapshot.json").exists():
            return directory / "snapshot.json", "welfare scenario generate"
        if generator == "welfare":
            raise SystemExit(f"welfare scenario generate failed:\n{done.stderr[-2000:]}")
    from tests.benchmarks.interim_scenario import generate

    path = directory / "snapshot.json"
    path.write_text(generate(lines, seed).model_dump_json())
    return path, "tests/benchmarks/interim_scenario.py"


# ----------------------------------------------------------------- one method, in a child


def run_method(method: str, snapshot_path: Path, time_limit: float, result_path: Path) -> dict:
    """Solve in this process; write the result file; return the figures (child side)."""
    from schemas.snapshot import RoundSnapshot

    started = time.perf_counter()
    snapshot = RoundSnapshot.model_validate_json(snapshot_path.read_text())
    loaded = time.perf_counter()
    params = snapshot.parameters.model_copy(update={"time_limit_s": time_limit})
    if method == "greedy":
        from tests.benchmarks.greedy import solve_greedy

        result = solve_greedy(snapshot, params)
    elif method in ("cpsat", "highs") + SUM_METHODS:
        from tests.benchmarks.monolithic import solve_monolithic

        result = solve_monolithic(snapshot, params, method.removesuffix("-sum"),
                                  weighted_sum=method in SUM_METHODS)
    else:
        import matcher

        result = matcher.solve_round(snapshot, params)
    finished = time.perf_counter()
    result_path.write_text(result.model_dump_json())
    timings = result.timings
    return {
        "status": result.status.value,
        "solver": f"{result.solver.name} {result.solver.version}",
        "parts": result.parts,
        "gap": result.gap,
        "build_s": timings.build_s if timings else None,
        "solve_s": timings.solve_s if timings else None,
        "wall_s": finished - loaded,
        "load_s": loaded - started,
        "children_maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }


def spawn(method: str, snapshot_path: Path, time_limit: float, result_path: Path,
          hard_limit: float) -> dict:
    """Run one method in its own process; add its peak RSS (parent side)."""
    command = [sys.executable, "-m", "tests.benchmarks.bench_rounds", "--worker", method,
               "--snapshot", str(snapshot_path), "--time-limit", str(time_limit),
               "--result", str(result_path)]
    out = tempfile.TemporaryFile()
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, cwd=ROOT)
    started = time.monotonic()
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > hard_limit:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            return {"method": method, "error": f"killed after {hard_limit:.0f} s",
                    "peak_rss_mib": usage.ru_maxrss / 1024}
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    err = process.stderr.read().decode(errors="replace")
    out.seek(0)
    text = out.read().decode(errors="replace").strip().splitlines()
    if process.returncode != 0 or not text:
        return {"method": method, "error": (err.strip().splitlines() or ["?"])[-1],
                "peak_rss_mib": usage.ru_maxrss / 1024}
    figures = json.loads(text[-1])
    own = usage.ru_maxrss
    figures["peak_rss_mib"] = max(own, figures.pop("children_maxrss_kib") or 0) / 1024
    figures["method"] = method
    return figures


def verify(snapshot_path: Path, result_path: Path) -> dict:
    """Check the result independently and read its figures (parent side)."""
    from schemas.result import RoundResult
    from schemas.snapshot import RoundSnapshot
    from tests.support.checker import check

    snapshot = RoundSnapshot.model_validate_json(snapshot_path.read_text())
    result = RoundResult.model_validate_json(result_path.read_text())
    problems = check(snapshot, result)
    totals = result.totals
    return {
        "coverage": totals.coverage,
        "weighted_coverage": totals.weighted_coverage,
        "total_cost": float(totals.total_cost_eur),
        "violations": len(problems),
        "first_violations": problems[:5],
    }


# ----------------------------------------------------------------- report


def _fmt(value, spec: str, none: str = "-") -> str:
    return none if value is None else format(value, spec)


def print_table(size: int, limit: float, rows: list[dict], by_family: bool = False) -> None:
    """One table per size; with ``by_family`` a first column says whose round each row is."""
    print(f"\n### {size:,} demand lines, time limit {limit:g} s\n")
    lead, rule = ("| family ", "|---") if by_family else ("", "")
    print(f"{lead}| method | status | coverage | weighted cov. | total cost EUR | cost / greedy "
          "| proven gap | build s | solve s | wall s | peak RSS MiB | parts | checker |")
    print(f"{rule}|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    greedy = {r.get("family"): r for r in rows if r["method"] == "greedy" and "error" not in r}
    for r in rows:
        first = f"| {r.get('family', '')} " if by_family else ""
        if "error" in r:
            print(f"{first}| {r['method']} | error: {r['error']} | | | | | | | | | "
                  f"{r['peak_rss_mib']:.0f} | | |")
            continue
        base = greedy.get(r.get("family"))
        ratio = (r["total_cost"] / base["total_cost"]
                 if base and base["total_cost"] and r["total_cost"] else None)
        checker = "ok" if r["violations"] == 0 else f"{r['violations']} violations"
        print(
            f"{first}| {r['method']} | {r['status']} | {r['coverage']:.4f} "
            f"| {r['weighted_coverage']:.4f} "
            f"| {r['total_cost']:,.2f} | {_fmt(ratio, '.3f')} | {_fmt(r['gap'], '.4%')} "
            f"| {_fmt(r['build_s'], '.2f')} | {_fmt(r['solve_s'], '.2f')} | {r['wall_s']:.2f} "
            f"| {r['peak_rss_mib']:.0f} | {r['parts']} | {checker} |"
        )
    for r in rows:
        for problem in r.get("first_violations", []):
            who = f"{r['family']} " if by_family else ""
            print(f"- {who}{r['method']}: {problem}")


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
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_LIMITS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS),
                        choices=METHODS + SUM_METHODS,
                        help="optimiser: matcher.solve_round; greedy: first come first "
                             "served; cpsat / highs: the whole round as one model, solved "
                             "lexicographically in two calls to that solver; cpsat-sum / "
                             "highs-sum: the same model, one call on the weighted sum "
                             "(tests/benchmarks/monolithic.py)")
    parser.add_argument("--families", nargs="+", default=None, choices=FAMILY_NAMES,
                        help="generator families, side by side (default: modena alone, "
                             "in <workdir>/round-<size>/ as before)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds per method (default: 5 / 30 / 120 by size)")
    parser.add_argument("--generator", choices=("auto", "welfare", "interim"), default="auto")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where snapshots and results go (default: a temporary folder)")
    parser.add_argument("--json", type=Path, default=None, help="also write all figures here")
    parser.add_argument("--worker", choices=METHODS + SUM_METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--snapshot", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(run_method(args.worker, args.snapshot, args.time_limit, args.result)))
        return 0

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-rounds-"))
    by_family = args.families is not None
    print(machine())
    everything = []
    for size in args.sizes:
        limit = args.time_limit or DEFAULT_LIMITS.get(size, 30.0)
        rows, generators = [], {}
        for family in args.families or ["modena"]:
            folder = workdir / (f"{family}-{size}" if by_family else f"round-{size}")
            started = time.perf_counter()
            snapshot_path, generator = make_snapshot(size, args.seed, folder, args.generator,
                                                     family)
            generators[family] = generator
            print(f"\n{size:,} lines{f' ({family})' if by_family else ''}: snapshot by "
                  f"{generator} in {time.perf_counter() - started:.1f} s "
                  f"({snapshot_path.stat().st_size / 2**20:.1f} MiB)", flush=True)
            for method in args.methods:
                result_path = folder / f"result-{method}.json"
                row = spawn(method, snapshot_path, limit, result_path, hard_limit=limit * 3 + 120)
                if "error" not in row:
                    row.update(verify(snapshot_path, result_path))
                if by_family:
                    row["family"] = family
                rows.append(row)
                print(f"  {method}: done ({row.get('wall_s', float('nan')):.1f} s)", flush=True)
        print_table(size, limit, rows, by_family)
        print(f"\nload average after this size: {os.getloadavg()[0]:.2f}")
        entry = {"size": size, "time_limit_s": limit, "rows": rows}
        if by_family:
            entry["generators"] = generators
        else:
            entry["generator"] = generators["modena"]
        everything.append(entry)
    if args.json:
        args.json.write_text(json.dumps(everything, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
