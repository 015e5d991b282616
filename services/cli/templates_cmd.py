"""``welfare templates write DIR``: the upload templates, CSV and XLSX, with their columns
explained (the same files intake and supply serve at ``/v1/templates/``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from services.cli.errors import CliError
from services.cli.language import add_language_option, language_texts
from services.common.spreadsheets.templates import files
from services.intake.adapters.lines_csv import LINES
from services.intake.adapters.survey_csv import SURVEY
from services.supply.adapters.offers_csv import OFFERS

KINDS = (SURVEY, LINES, OFFERS)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("templates", help="upload templates (CSV and XLSX)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    write = actions.add_parser(
        "write", help="write survey, lines and offers templates, CSV and XLSX, into DIR")
    write.add_argument("directory", type=Path)
    add_language_option(write)
    write.set_defaults(handler=_write)


def _write(args: argparse.Namespace) -> int:
    t = language_texts(args)
    try:
        args.directory.mkdir(parents=True, exist_ok=True)
        for kind in KINDS:
            for name, content in files(kind, t).items():
                path = args.directory / name
                path.write_bytes(content)
                print(path)
    except OSError as exc:
        raise CliError(f"{args.directory}: {exc.strerror}") from None
    return 0
