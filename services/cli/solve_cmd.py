"""``welfare solve SNAPSHOT.json``: solve a round from a file, print it, write the result.

The result file (``--out``, default ``SNAPSHOT.result.json`` beside the
snapshot) holds everything but the timings, which go to a sidecar
``RESULT.timings.json`` and to the printed summary.

``--replay RESULT.json`` solves the snapshot again with the parameters and
seed RESULT records, after checking that the snapshot is the one RESULT was
solved from (its input hash), and says whether the new result file is byte
for byte the old one (exit status 1 when it is not). Nothing is written.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

from schemas.result import RoundResult
from schemas.snapshot import RoundSnapshot
from services.cli.errors import CliError

MAX_ROWS = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("solve", help="solve a round snapshot file (no services needed)")
    parser.add_argument("snapshot", type=Path, metavar="SNAPSHOT.json")
    parser.add_argument("--time-limit", type=float, metavar="S", help="seconds, build included")
    parser.add_argument("--gap", type=float, metavar="G", help="relative gap, e.g. 0.005")
    parser.add_argument("--seed", type=int, metavar="N")
    parser.add_argument("--solver", choices=["auto", "highs", "cpsat"])
    parser.add_argument("--workers", type=int, metavar="N", help="processes; 0 = every core")
    parser.add_argument("--out", type=Path, metavar="RESULT.json")
    parser.add_argument("--replay", type=Path, metavar="RESULT.json",
                        help="re-solve as RESULT records and report whether it matches")
    parser.set_defaults(handler=_solve)


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None


def _solve(args: argparse.Namespace) -> int:
    from matcher import solve_round
    from matcher.reproducibility import input_hash

    snapshot = RoundSnapshot.model_validate_json(_read(args.snapshot, "snapshot"))
    if args.replay:
        recorded_text = _read(args.replay, "result to replay")
        recorded = RoundResult.model_validate_json(recorded_text)
        params = recorded.parameters
        if input_hash(snapshot, params) != recorded.input_hash:
            raise CliError(f"{args.snapshot} is not the snapshot {args.replay} was solved from "
                           f"(input hash differs)")
    else:
        overrides = {key: value for key, value in (
            ("time_limit_s", args.time_limit), ("relative_gap", args.gap), ("seed", args.seed),
            ("solver", args.solver), ("workers", args.workers)) if value is not None}
        params = snapshot.parameters.model_validate(
            {**snapshot.parameters.model_dump(), **overrides})
    result = solve_round(snapshot, params, progress=_Progress())
    print(summary(result))
    if args.replay:
        return _compare(recorded, recorded_text, result)
    out = args.out or args.snapshot.with_name(args.snapshot.stem + ".result.json")
    out.write_text(result.to_file_json(), encoding="utf-8")
    sidecar = out.with_name(out.stem + ".timings.json")
    sidecar.write_text(result.timings.model_dump_json(indent=2) + "\n", encoding="utf-8")
    print(f"result: {out}   timings: {sidecar}")
    return 0


def _compare(recorded: RoundResult, recorded_text: str, result: RoundResult) -> int:
    new = result.to_file_json()
    if new == recorded_text:
        print("replay: match (byte-identical result file)")
        return 0
    old_lines, new_lines = recorded_text.splitlines(), new.splitlines()
    where = next((n for n, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b),
                 min(len(old_lines), len(new_lines)))
    print(f"replay: MISMATCH at line {where + 1}")
    print(f"  recorded: {old_lines[where].strip() if where < len(old_lines) else '(end)'}")
    print(f"  replayed: {new_lines[where].strip() if where < len(new_lines) else '(end)'}")
    if recorded.solver.version != result.solver.version:
        print(f"  solver versions differ: {recorded.solver.version} / {result.solver.version}")
    if "feasible" in (recorded.status.value, result.status.value):
        print("  a solve stopped at its time limit: its answer depends on the machine's speed")
    return 1


class _Progress:
    """Parts solved so far, on stderr, at most once a second."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self, progress) -> None:
        now = time.monotonic()
        if now - self.last >= 1.0 or progress.parts_done == progress.parts_total > 1:
            self.last = now
            print(f"  solving: {progress.parts_done}/{progress.parts_total} parts, "
                  f"{progress.elapsed_s:.1f} s", file=sys.stderr)


def summary(result: RoundResult) -> str:
    t = result.totals
    gap = f"{100 * result.gap:.3f}%" if result.gap is not None else "-"
    lines = [
        f"round {result.round_id} ({result.network_id}): {result.status.value}, gap {gap}, "
        f"{result.parts} part(s), {result.solver.name} ({result.solver.version})",
        f"coverage: {t.served_unit_weeks}/{t.demanded_unit_weeks} unit-weeks "
        f"({100 * t.coverage:.1f}%), priority-weighted {100 * t.weighted_coverage:.1f}%",
        f"cost: EUR {t.total_cost_eur:,.2f} (units {t.unit_cost_eur:,.2f}, "
        f"fixed {t.fixed_cost_eur:,.2f})",
    ]
    if result.message:
        lines.append(f"note: {result.message}")
    lines.append(f"contracts: {len(result.contracts)}")
    for c in sorted(result.contracts, key=lambda c: -c.volume_unit_weeks)[:MAX_ROWS]:
        lines.append(f"  {c.offer_id}: tier {c.tier_index} at EUR {c.unit_price_eur}, "
                     f"{len(c.lines)} lines, {c.volume_unit_weeks} unit-weeks, "
                     f"{len(c.running_weeks)} weeks")
    lines.append("firms (least covered first):")
    for f in sorted(result.firms, key=lambda f: (f.coverage, f.firm_id))[:MAX_ROWS]:
        lines.append(f"  {f.firm_id}: {100 * f.coverage:.1f}% of {f.demanded_unit_weeks} "
                     f"unit-weeks, EUR {f.cost_eur:,.2f} of {f.budget_eur:,.2f}")
    by_reason: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for u in result.unmet:
        by_reason[u.reason.value][0] += u.units
        by_reason[u.reason.value][1] += u.unit_weeks
    lines.append(f"unmet: {sum(v[0] for v in by_reason.values())} units")
    for reason, (units, uw) in sorted(by_reason.items(), key=lambda kv: -kv[1][1]):
        example = next(u for u in result.unmet if u.reason.value == reason)
        hint = f"; e.g. {example.change.description}" if example.change else ""
        lines.append(f"  {reason}: {units} units, {uw} unit-weeks{hint}")
    if result.timings:
        tm = result.timings
        lines.append(f"time: {tm.total_s:.2f} s (build {tm.build_s:.2f} s, "
                     f"solve {tm.solve_s:.2f} s summed over workers)")
    return "\n".join(lines)
