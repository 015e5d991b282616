"""``welfare solve SNAPSHOT.json``: solve a round from a file, print it, write the result.

The result file (``--out``, default ``SNAPSHOT.result.json`` beside the
snapshot) holds everything but the timings, which go to a sidecar
``RESULT.timings.json`` and to the printed summary.

``--replay RESULT.json`` solves the snapshot again with the parameters and
seed RESULT records, after checking that the snapshot is the one RESULT was
solved from (its input hash), and says whether the new result file is byte
for byte the old one; when it is not and RESULT's solve ended by its time limit,
by how much they differ (replay.py, which also says when the exit status is 0).
Nothing is written.

The summary is in Italian or English (``--lang``); its quality line says in
words how much more could be served, from the coverage ceiling the bound
proves (coverage_bound.py), and the whole objective's gap only apart.

``--time-limit`` counts from the process's start when ``welfare solve`` runs as
its own process (main.py, process_clock.py), else from the call: reading the
file, the solve, the summary and writing the files all fit in it. The solve gets
a budget that ends ``output_s`` before the limit, for the summary, the files and
the process's exit.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from schemas.result import RoundResult
from schemas.snapshot import RoundSnapshot
from services.cli import replay
from services.cli.coverage_bound import coverage_ceiling
from services.cli.errors import CliError
from services.cli.language import add_language_option, language_texts
from services.cli.progress import SolveProgress
from services.common.i18n import Names, Texts, formats, quality, texts, words
from services.common.i18n.quality import SolveFigures

MAX_ROWS = 10
# After the solve: the summary, the result file and its sidecar, the process's exit
# (without the interpreter's teardown, main.py); measured at 100 to 10k lines (75 ms
# for the file at 10k).
OUTPUT_S = 0.05
OUTPUT_S_PER_LINE = 2e-5
# On a loaded machine: at least this share of what reading the snapshot took (writing
# took 0.05-0.1 of it unloaded, 100 to 10k lines).
OUTPUT_PER_READ = 0.1


def output_s(lines: int, reading_s: float = 0.0) -> float:
    """Seconds to keep from the solve for printing and writing a round of ``lines`` lines,
    when reading it took ``reading_s``."""
    return max(OUTPUT_S + OUTPUT_S_PER_LINE * lines, OUTPUT_PER_READ * reading_s)


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
    add_language_option(parser)
    parser.set_defaults(handler=_solve)


def _read(t: Texts, path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(t._("{path}: cannot read the {what} ({error})", path=path, what=what,
                           error=exc.strerror or exc)) from None


def _solve(args: argparse.Namespace) -> int:
    started = getattr(args, "started", None)  # (main.py: the process's start, or its call)
    started = time.perf_counter() if started is None else started
    args.exit_at_once = True  # (main.py: when this process runs only this command)
    t = language_texts(args)
    with SolveProgress(t, args.time_limit, began=started) as shown:
        return _solve_shown(args, t, started, shown)


def _solve_shown(args: argparse.Namespace, t: Texts, started: float,
                 shown: SolveProgress) -> int:
    from matcher import solve_round
    from matcher.budget import TimeBudget
    from matcher.round.reproducibility import input_hash

    if shown.live:  # a plain line before the snapshot is known good would precede its error
        shown.stage("reading")
    reading = time.perf_counter()
    snapshot = RoundSnapshot.model_validate_json(_read(t, args.snapshot, t._("snapshot")))
    reading = time.perf_counter() - reading
    if args.replay:
        recorded_text = _read(t, args.replay, t._("result to replay"))
        recorded = RoundResult.model_validate_json(recorded_text)
        params = recorded.parameters
        if input_hash(snapshot, params) != recorded.input_hash:
            raise CliError(t._("{snapshot} is not the snapshot {result} was solved from "
                               "(input hash differs)", snapshot=args.snapshot,
                               result=args.replay))
    else:
        overrides = {key: value for key, value in (
            ("time_limit_s", args.time_limit), ("relative_gap", args.gap), ("seed", args.seed),
            ("solver", args.solver), ("workers", args.workers)) if value is not None}
        params = snapshot.parameters.model_validate(
            {**snapshot.parameters.model_dump(), **overrides})
    budget = TimeBudget(params.time_limit_s, start=started).before(
        output_s(len(snapshot.demand_lines), reading))
    shown.limit_s = params.time_limit_s
    result = solve_round(snapshot, params, progress=shown, budget=budget)
    shown.stage("writing")
    # The result's own coverage ceiling: computing it again from the snapshot took 2 s
    # at 10k lines, past the limit (a replay compares files, so it may take the time).
    print(summary(result, t.language, snapshot, ceiling_from_snapshot=bool(args.replay)))
    if args.replay:
        return replay.compare(t, recorded, recorded_text, result)
    out = args.out or args.snapshot.with_name(args.snapshot.stem + ".result.json")
    out.write_text(result.to_file_json(), encoding="utf-8")
    sidecar = out.with_name(out.stem + ".timings.json")
    sidecar.write_text(result.timings.model_dump_json(indent=2) + "\n", encoding="utf-8")
    print(t._("result: {result}   timings: {timings}", result=out, timings=sidecar))
    return 0


def summary(result: RoundResult, lang: str | None = None,
            snapshot: RoundSnapshot | None = None,
            names: Mapping[str, str] | None = None, *,
            ceiling_from_snapshot: bool = True) -> str:
    """The solve in words. With the ``snapshot`` the quality line uses the proven
    ceiling on coverage (coverage_bound.py; ``ceiling_from_snapshot`` False: the one
    the result carries, the same figure for a result this code just solved) and
    contracts name their category."""
    t, named = texts(lang), Names(names)
    tot = result.totals
    figures = SolveFigures(
        status=result.status.value, objective=result.objective, bound=result.bound,
        gap=result.gap, tolerance=result.parameters.relative_gap,
        weighted_coverage=tot.weighted_coverage,
        coverage_ceiling=_ceiling(result, snapshot if ceiling_from_snapshot else None))
    lines = [t._("round {round} ({network}): {quality}", round=result.round_id,
                 network=result.network_id, quality=quality.describe(t, figures))]
    gap = quality.objective_gap(t, figures)
    if gap:
        lines.append("  " + gap)
    b = result.part_bounds
    # Issue 11: a round not proven, where some part's time ran out before a solver's
    # proof, says how many parts' bounds were counted without one.
    if b and result.parts and (b.ceiling or b.flows or b.none) \
            and result.status.value != "optimal":
        figures_of = dict(mip=formats.number(t, b.mip), relaxation=formats.number(t, b.relaxation),
                          flows=formats.number(t, b.flows), ceiling=formats.number(t, b.ceiling))
        lines.append("  " + (t.ngettext(
            "where the bound comes from, of {n} part: {mip} proved by the MIP, {relaxation} "
            "by the relaxation, {flows} by the flows alone (too large for the relaxation in "
            "the time), {ceiling} counted without a solver (the time ran out first, or the "
            "count was as tight)",
            "where the bound comes from, of {n} parts: {mip} proved by the MIP, {relaxation} "
            "by the relaxation, {flows} by the flows alone (too large for the relaxation in "
            "the time), {ceiling} counted without a solver (the time ran out first, or the "
            "count was as tight)", result.parts, **figures_of) if b.flows else t.ngettext(
            "where the bound comes from, of {n} part: {mip} proved by the MIP, {relaxation} "
            "by the relaxation, {ceiling} counted without a solver (the time ran out first, "
            "or the count was as tight)",
            "where the bound comes from, of {n} parts: {mip} proved by the MIP, {relaxation} "
            "by the relaxation, {ceiling} counted without a solver (the time ran out first, "
            "or the count was as tight)", result.parts, **figures_of)))
    lines += [
        "  " + words.solve_status(t, result.status.value) + "; " + t.ngettext(
            "solved in {n} part by {solver} ({version})",
            "solved in {n} parts by {solver} ({version})", result.parts,
            solver=result.solver.name, version=result.solver.version),
        t._("coverage: {served} of the {demanded} unit-weeks asked for ({share}); "
            "priority-weighted {weighted}",
            served=formats.number(t, tot.served_unit_weeks),
            demanded=formats.number(t, tot.demanded_unit_weeks),
            share=formats.percent(t, tot.coverage),
            weighted=formats.percent(t, tot.weighted_coverage)),
        t._("cost: {total} (units {units}, fixed {fixed})",
            total=formats.money(t, tot.total_cost_eur), units=formats.money(t, tot.unit_cost_eur),
            fixed=formats.money(t, tot.fixed_cost_eur)),
    ]
    if result.message:  # the optimiser's own words, in English
        lines.append(t._("note from the optimiser: {message}", message=result.message))
    lines += _contract_lines(t, result, snapshot, named)
    if result.fairness:
        lines.append(_fairness_line(t, result, named))
    lines.append(t._("firms (least covered first):"))
    for f in sorted(result.firms, key=lambda f: (f.coverage, f.firm_id))[:MAX_ROWS]:
        lines.append("  " + t._("{firm}: {share} of {demanded} unit-weeks, {cost} of {budget}",
                                firm=named(f.firm_id), share=formats.percent(t, f.coverage),
                                demanded=formats.number(t, f.demanded_unit_weeks),
                                cost=formats.money(t, f.cost_eur),
                                budget=formats.money(t, f.budget_eur)))
    lines += _unmet_lines(t, result, named)
    if result.timings:
        tm = result.timings
        lines.append(t._("time: {total} (building {build}, solving {solve} summed over "
                         "workers)", total=formats.duration(t, tm.total_s),
                         build=formats.duration(t, tm.build_s),
                         solve=formats.duration(t, tm.solve_s)))
    return "\n".join(lines)


def _ceiling(result: RoundResult, snapshot: RoundSnapshot | None) -> float | None:
    """The proven coverage ceiling: from the snapshot when there is one (exact for the
    result's bound, whatever wrote it), else the one the result carries
    (matcher/round/result.py; None in results written before it did)."""
    return coverage_ceiling(snapshot, result) if snapshot else result.coverage_ceiling


def _fairness_line(t: Texts, result: RoundResult, named: Names) -> str:
    """Fairness made visible, not only optimised: the least-covered firm among those
    some offer can serve, the most covered, and the spread between them."""
    f = result.fairness
    return t.ngettext(
        "fairness: of the {n} firm some offer can serve, the least covered is {least} "
        "at {low}, the most covered {most} at {high}: a spread of {spread} points",
        "fairness: of the {n} firms some offer can serve, the least covered is {least} "
        "at {low}, the most covered {most} at {high}: a spread of {spread} points",
        f.firms, least=named(f.least_covered_firm_id),
        low=formats.percent(t, f.least_coverage), most=named(f.most_covered_firm_id),
        high=formats.percent(t, f.most_coverage),
        spread=formats.number(t, round(100 * f.spread, 1), digits=1))


def _contract_lines(t: Texts, result: RoundResult, snapshot: RoundSnapshot | None,
                    named: Names) -> list[str]:
    category = {o.offer_id: o.category for o in snapshot.offers} if snapshot else {}
    lines = [t._("contracts: {count}", count=len(result.contracts))]
    for c in sorted(result.contracts, key=lambda c: -c.volume_unit_weeks)[:MAX_ROWS]:
        what = f" ({words.category(t, category[c.offer_id])})" if c.offer_id in category else ""
        lines.append("  " + named(c.offer_id) + what + ": " + t._(
            "tier {tier} at {price} per unit-week", tier=c.tier_index,
            price=formats.money(t, c.unit_price_eur)) + ", " + ", ".join([
                t.ngettext("{n} line", "{n} lines", len(c.lines)),
                t.ngettext("{n} unit-week", "{n} unit-weeks", c.volume_unit_weeks),
                t.ngettext("{n} week", "{n} weeks", len(c.running_weeks))]))
    return lines


def _unmet_lines(t: Texts, result: RoundResult, named: Names) -> list[str]:
    by_reason: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for u in result.unmet:
        by_reason[u.reason.value][0] += u.units
        by_reason[u.reason.value][1] += u.unit_weeks
    lines = [t._("unmet: {units}", units=t.ngettext(
        "{n} unit", "{n} units", sum(v[0] for v in by_reason.values())))]
    for reason, (units, uw) in sorted(by_reason.items(), key=lambda kv: (-kv[1][1], kv[0])):
        example = next(u for u in result.unmet if u.reason.value == reason)
        text = "  " + words.reason(t, reason) + ": " + t.ngettext(
            "{n} unit", "{n} units", units) + ", " + t.ngettext(
            "{n} unit-week", "{n} unit-weeks", uw)
        if example.change:
            hint = words.change(t, reason, example.change.model_dump(mode="json"),
                                example.units, example.firm_id, named)
            text += "; " + t._("for example: {change}", change=hint)
        lines.append(text)
    return lines
