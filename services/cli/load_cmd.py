"""``welfare load FILE.xlsx|DIR --network N``: a network's firms, providers, lines and offers
from spreadsheets, through intake's and supply's HTTP APIs (services/loading).

Every sheet is read and checked, and compared with what the services hold,
before the first change: a bad cell loads nothing and is named by file, sheet,
row and column. ``--dry-run`` prints the plan and stops there. A second run
finds everything unchanged and sends nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from services.cli.errors import CliError
from services.cli.language import add_language_option, language_texts
from services.cli.options import add_token_file, operator_token
from services.common.i18n import N_, Texts
from services.common.settings import Settings
from services.loading import kinds, plan, sheets

KIND_WORDS = {"firms": N_("firms"), "providers": N_("providers"), "lines": N_("demand lines"),
              "offers": N_("offers")}
ACTION_MARK = {plan.CREATE: "+", plan.UPDATE: "~"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "load", help="load a network's firms, providers, lines and offers from a workbook "
                     "(a sheet per kind) or a directory (a file per kind)")
    parser.add_argument("source", type=Path, metavar="FILE.xlsx|DIR")
    parser.add_argument("--network", required=True, help="the network the firms and "
                                                         "providers belong to")
    parser.add_argument("--dry-run", action="store_true",
                        help="print what would change, change nothing")
    parser.add_argument("--intake-url", help="intake's address (default: WELFARE_INTAKE_URL)")
    parser.add_argument("--supply-url", help="supply's address (default: WELFARE_SUPPLY_URL)")
    add_token_file(parser)
    add_language_option(parser)
    parser.set_defaults(handler=_load)


def _load(args: argparse.Namespace) -> int:
    t = language_texts(args)
    settings = Settings()
    try:
        found, skipped = sheets.find(args.source)
    except sheets.NotReadable as exc:
        raise CliError(t._("{file}: cannot be loaded: {reason}", file=args.source,
                           reason=t._(str(exc)))) from None
    for name in skipped:
        print(t._("skipped {name}: not a sheet of firms, providers, lines or offers",
                  name=name), file=sys.stderr)
    if not found:
        raise CliError(t._("{file}: no sheet of firms, providers, lines or offers",
                           file=args.source))
    items, errors = _read(found, settings.k_anonymity)
    if errors:
        return _refuse(t, errors)
    # Refusals come back in the language the CLI prints in (--lang, else the environment).
    services = plan.Services(args.intake_url or settings.intake_url,
                             args.supply_url or settings.supply_url,
                             operator_token(t, args, settings), language=t.language)
    try:
        planned = plan.make_plan(args.network, items, services)
        if planned.errors:
            return _refuse(t, planned.errors)
        _print_plan(t, planned, dry_run=args.dry_run)
        if args.dry_run or not planned.pending:
            return 0
        done = _apply(t, planned, services)
    except plan.ServiceError as exc:
        raise CliError(t._("the load stopped: {error}", error=str(exc))) from None
    finally:
        services.close()
    print(t._("loaded: {summary}", summary="; ".join(
        _counts(t, kind, done[kind]) for kind in kinds.ORDER if any(done[kind].values()))))
    return 0


def _read(found: list[sheets.Sheet], k: int) -> tuple[list[kinds.Item], list[plan.Located]]:
    items: list[kinds.Item] = []
    errors: list[plan.Located] = []
    for sheet in found:
        if sheet.rejected is not None:
            errors.extend(plan.Located(sheet, e) for e in sheet.rejected.errors)
            continue
        read, wrong = kinds.parse_sheet(sheet.kind, sheet.table, k)
        items.extend(dataclasses.replace(i, source=sheet) for i in read)
        errors.extend(plan.Located(sheet, e) for e in wrong)
    rank = {kind: n for n, kind in enumerate(kinds.ORDER)}
    return sorted(items, key=lambda i: rank[i.kind]), errors


def where(t: Texts, located: plan.Located) -> str:
    sheet = located.sheet
    if sheet.sheet is None:
        return t._("{file}, {where}", file=sheet.file.name, where=located.error.where(t))
    return t._("{file}, sheet {sheet}, {where}", file=sheet.file.name, sheet=sheet.sheet,
               where=located.error.where(t))


def _refuse(t: Texts, errors: list[plan.Located]) -> int:
    for located in errors:
        print(f"{where(t, located)}: {located.error.problem.render(t)}", file=sys.stderr)
    print(t.ngettext("welfare: error: {n} problem in the sheets; nothing was loaded",
                     "welfare: error: {n} problems in the sheets; nothing was loaded",
                     len(errors)), file=sys.stderr)
    return 2


def _counts(t: Texts, kind: str, counts: dict[str, int]) -> str:
    return t._("{kind}: {create} created, {update} updated, {unchanged} unchanged",
               kind=t._(KIND_WORDS[kind]), create=counts[plan.CREATE],
               update=counts[plan.UPDATE], unchanged=counts[plan.UNCHANGED])


def label(t: Texts, change: plan.Change) -> str:
    item = change.item
    if item.kind in ("firms", "providers"):
        return t._("{id} ({name})", id=item.entity_id, name=item.entity.name)
    return t._("{id} of {owner} ({owner_id})", id=item.entity_id,
               owner=change.owner_name or item.owner, owner_id=item.owner)


def _print_plan(t: Texts, planned: plan.Plan, *, dry_run: bool) -> None:
    print(t._("what the load would change (dry run: nothing is changed):") if dry_run else
          t._("what the load changes:"))
    for kind in kinds.ORDER:
        changes = planned.of(kind)
        if not changes:
            continue
        print("  " + t._("{kind}: {create} to create, {update} to update, {unchanged} unchanged",
                         kind=t._(KIND_WORDS[kind]),
                         create=len(planned.of(kind, plan.CREATE)),
                         update=len(planned.of(kind, plan.UPDATE)),
                         unchanged=len(planned.of(kind, plan.UNCHANGED))))
        for change in changes:
            if change.action != plan.UNCHANGED:
                print(f"    {ACTION_MARK[change.action]} {label(t, change)}")
    if not planned.pending:
        print(t._("nothing to change: the services already hold these sheets"))


def _apply(t: Texts, planned: plan.Plan, services: plan.Services) -> dict:
    """The PUTs, with a progress bar on a terminal (stderr); plain otherwise."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(t._("loading"), total=len(planned.pending))
        return plan.apply(planned, services,
                          advance=lambda change: bar.update(
                              task, advance=1, description=label(t, change)))
