"""``welfare schemas export DIR`` and ``welfare schemas check DIR``.

``export`` writes one JSON Schema per event and file format and, beside them,
``asyncapi.json``: the AsyncAPI 3.0 document of the public topics (channels,
payloads, record keys, who publishes and who subscribes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from schemas.compatibility import compare_sets
from schemas.export import json_schemas, read_schemas, write_schemas
from services.cli.errors import CliError
from services.common.asyncapi import write_document


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("schemas", help="JSON Schemas of the events and file formats")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write one JSON Schema per event and file format, and asyncapi.json")
    export.add_argument("directory", type=Path)
    export.set_defaults(handler=_export)
    check = actions.add_parser(
        "check", help="fail if the current schemas break those in DIR (backward compatibility)"
    )
    check.add_argument("directory", type=Path)
    check.set_defaults(handler=_check)


def _export(args: argparse.Namespace) -> int:
    for path in write_schemas(args.directory):
        print(path)
    print(write_document(args.directory))
    return 0


def _check(args: argparse.Namespace) -> int:
    if not args.directory.is_dir():
        raise CliError(f"{args.directory}: not a directory of JSON Schemas")
    problems = compare_sets(read_schemas(args.directory), json_schemas())
    for problem in problems:
        print(problem)
    if problems:
        raise CliError(f"{len(problems)} breaking change(s) against {args.directory}")
    print(f"compatible with {args.directory}")
    return 0
