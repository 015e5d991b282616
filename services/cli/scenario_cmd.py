"""``welfare scenario generate``: write a realistic network to a directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from schemas.types import parse_week_range
from services.cli.errors import CliError
from services.scenario import NETWORKS, generate
from services.scenario.generator import DEFAULT_WEEKS
from services.scenario.writer import summary, write_scenario


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("scenario", help="generate realistic test networks")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    gen = actions.add_parser(
        "generate",
        help="write network, demand, offers, survey and a round snapshot to DIR",
        description=(
            "Generate a network modelled on a real one (modena: 50 firms, about 65 services, "
            "the province's real municipalities), optionally scaled to N demand lines by "
            "adding provinces. The same seed gives the same files."
        ),
    )
    gen.add_argument("--network", required=True, help=f"one of: {', '.join(sorted(NETWORKS))}")
    gen.add_argument("--seed", type=int, required=True)
    gen.add_argument(
        "--demand-lines", type=int, metavar="N", help="scale to exactly N demand lines"
    )
    gen.add_argument("--first-week", default=DEFAULT_WEEKS[0], help="first week of the round")
    gen.add_argument("--last-week", default=DEFAULT_WEEKS[1], help="last week of the round")
    gen.add_argument("--out", type=Path, required=True, metavar="DIR")
    gen.set_defaults(handler=_generate)


def _generate(args: argparse.Namespace) -> int:
    if args.network not in NETWORKS:
        raise CliError(f"unknown network {args.network!r} (known: {', '.join(sorted(NETWORKS))})")
    if args.demand_lines is not None and args.demand_lines < 1:
        raise CliError("--demand-lines must be a positive number")
    try:
        parse_week_range(f"{args.first_week}..{args.last_week}")
    except ValueError as exc:
        raise CliError(f"--first-week/--last-week: {exc}") from None
    if args.out.exists() and not args.out.is_dir():
        raise CliError(f"{args.out}: exists and is not a directory")
    try:
        scenario = generate(
            args.network, args.seed, args.demand_lines, args.first_week, args.last_week
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    write_scenario(scenario, args.out)
    print(summary(scenario))
    print(f"wrote exactly {len(scenario.lines)} demand lines to {args.out}")
    return 0
