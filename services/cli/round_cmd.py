"""``welfare round start|commit|show|list|export``: operate matching rounds through the operator API.

The API's address and the operator's token come from ``WELFARE_OPERATOR_URL``
and ``WELFARE_OPERATOR_TOKEN`` (or ``--token-file``). Reports are printed in
Italian or English (``--lang``; services/common/i18n/language.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from schemas.types import parse_week_range
from services.cli.errors import CliError
from services.cli.language import add_language_option, language_texts
from services.cli.options import add_token_file, operator_token
from services.cli.progress import RoundProgress
from services.common.i18n import Texts, words
from services.common.settings import Settings
from services.operator.client import OperatorApiError, OperatorClient
from services.operator.report import format_round, format_round_list, headline


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("round", help="start and read matching rounds")
    add_token_file(parser)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    start = actions.add_parser("start", help="start a round (prints its id)")
    # NETWORK where a user writes it (welfare round start modena ...), or --network.
    start.add_argument("network_given", nargs="?", metavar="NETWORK")
    start.add_argument("--network", dest="network_option", metavar="NETWORK")
    start.add_argument("--weeks", required=True, help="e.g. 2027-W24..2027-W36")
    start.add_argument("--dry-run", action="store_true", help="store and report, award nothing")
    start.add_argument("--wait", action="store_true", help="show progress and print the outcome")
    start.add_argument("--time-limit", type=float, help="solver time limit in seconds")
    add_language_option(start)
    add_token_file(start)
    start.set_defaults(handler=_start)

    commit = actions.add_parser(
        "commit", help="commit a completed dry run exactly as reviewed (no new solve)")
    commit.add_argument("dry_run_id")
    commit.add_argument("--wait", action="store_true", help="show progress and print the outcome")
    add_language_option(commit)
    add_token_file(commit)
    commit.set_defaults(handler=_commit)

    show = actions.add_parser("show", help="print a stored round")
    show.add_argument("round_id")
    add_language_option(show)
    add_token_file(show)
    show.set_defaults(handler=_show)

    listing = actions.add_parser("list", help="list stored rounds, newest first")
    listing.add_argument("--network")
    listing.add_argument("--limit", type=int, default=20)
    add_language_option(listing)
    add_token_file(listing)
    listing.set_defaults(handler=_list)

    export = actions.add_parser(
        "export", help="write a round's contracts (CSV or XLSX), a firm's statement or a "
                       "provider's award (PDF) to a file")
    export.add_argument("round_id")
    wanted = export.add_mutually_exclusive_group(required=True)
    wanted.add_argument("--contracts", type=Path, metavar="FILE",
                        help="the contracts, one row per firm line: FILE.csv or FILE.xlsx")
    wanted.add_argument("--statement", metavar="FIRM", help="the firm's statement, as PDF")
    wanted.add_argument("--award", metavar="PROVIDER", help="the provider's award, as PDF")
    export.add_argument("--out", type=Path, metavar="FILE",
                        help="where the PDF goes (with --statement or --award)")
    add_language_option(export)
    add_token_file(export)
    export.set_defaults(handler=_export)


def _client(t: Texts, args: argparse.Namespace) -> OperatorClient:
    settings = Settings()
    # Refusals come back in the language the CLI prints in (--lang, else the environment).
    return OperatorClient(settings.operator_url, operator_token(t, args, settings),
                          language=t.language)


def _api_error(t: Texts, exc: OperatorApiError) -> CliError:
    return CliError(t._("operator API: {error}", error=exc))


def _start(args: argparse.Namespace) -> int:
    t = language_texts(args)
    network = _network(t, args)
    try:
        parse_week_range(args.weeks)
    except ValueError as exc:
        raise CliError(f"--weeks: {exc}") from None
    parameters = {"time_limit_s": args.time_limit} if args.time_limit else None
    client = _client(t, args)
    try:
        started = client.start_round(network, args.weeks, dry_run=args.dry_run,
                                     parameters=parameters)
        print(t._("round {round} requested ({kind}, {weeks})", round=started["round_id"],
                  kind=words.round_kind(t, args.dry_run, None), weeks=args.weeks), flush=True)
        if not args.wait:
            return 0
        detail = _wait(t, client, started["round_id"], args.time_limit)
    except OperatorApiError as exc:
        raise _api_error(t, exc) from None
    finally:
        client.close()
    print(format_round(detail, t.language))
    return 0 if detail["status"] == "completed" else 1


def _network(t: Texts, args: argparse.Namespace) -> str:
    given, option = args.network_given, args.network_option
    if given and option and given != option:
        raise CliError(t._("NETWORK is given twice, as {first} and as --network {second}",
                           first=given, second=option))
    if not (given or option):
        raise CliError(t._("NETWORK: name the network (welfare round start NETWORK --weeks ...)"))
    return given or option


def _commit(args: argparse.Namespace) -> int:
    t = language_texts(args)
    client = _client(t, args)
    try:
        started = client.commit_round(args.dry_run_id)
        print(t._("round {round} requested: it commits dry run {dry_run} as reviewed",
                  round=started["round_id"], dry_run=args.dry_run_id), flush=True)
        if not args.wait:
            return 0
        detail = _wait(t, client, started["round_id"])
    except OperatorApiError as exc:
        raise _api_error(t, exc) from None
    finally:
        client.close()
    print(format_round(detail, t.language))
    return 0 if detail["status"] == "completed" else 1


def _wait(t: Texts, client: OperatorClient, round_id: str,
          limit_s: float | None = None) -> dict:
    """Until the round completes or fails, showing its phase (services/cli/progress.py)."""
    with RoundProgress(t, limit_s) as progress:
        detail = client.wait(round_id, **progress.callbacks())
    print("  " + headline(detail, t.language), file=sys.stderr, flush=True)
    return detail


def _show(args: argparse.Namespace) -> int:
    t = language_texts(args)
    client = _client(t, args)
    try:
        print(format_round(client.get_round(args.round_id), t.language))
    except OperatorApiError as exc:
        raise _api_error(t, exc) from None
    finally:
        client.close()
    return 0


def _list(args: argparse.Namespace) -> int:
    t = language_texts(args)
    client = _client(t, args)
    try:
        print(format_round_list(client.list_rounds(args.network, args.limit), t.language))
    except OperatorApiError as exc:
        raise _api_error(t, exc) from None
    finally:
        client.close()
    return 0


def _export(args: argparse.Namespace) -> int:
    """The same bytes as the operator API's downloads (services/operator/downloads.py),
    built here from the round detail, so one call reads the round."""
    from services.operator.adapters import exports

    t = language_texts(args)
    if args.contracts is not None:
        target, suffix = args.contracts, args.contracts.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise CliError(t._("--contracts: {file} must end in .csv or .xlsx",
                               file=args.contracts))
        if args.out is not None:
            raise CliError(t._("--out goes with --statement or --award; --contracts names "
                               "its own file"))
    elif args.out is None:
        raise CliError(t._("--out: name the PDF file to write"))
    else:
        target = args.out
    client = _client(t, args)
    try:
        detail = client.get_round(args.round_id)
    except OperatorApiError as exc:
        raise _api_error(t, exc) from None
    finally:
        client.close()
    if detail.get("status") != "completed":
        raise CliError(t._("round {round} is {status}: it can be exported once it has "
                           "completed", round=args.round_id,
                           status=words.round_status(t, detail.get("status"))))
    try:
        if args.contracts is not None:
            build = exports.contracts_csv if suffix == ".csv" else exports.contracts_xlsx
            content = build(t, detail)
        elif args.statement is not None:
            content = exports.firm_statement_pdf(t, detail, args.statement)
        else:
            content = exports.provider_award_pdf(t, detail, args.award)
    except exports.NotInRound:
        raise CliError(t._("round {round} has no firm {firm}", round=args.round_id,
                           firm=args.statement) if args.statement is not None else
                       t._("round {round} has no contract with provider {provider}",
                           round=args.round_id, provider=args.award)) from None
    target.write_bytes(content)
    print(t._("written {file}", file=target))
    return 0
