"""``welfare tokens issue --role ROLE --subject ID [--file PATH]``: create a bearer token.

The token is printed once, on stdout, and only its SHA-256 digest is stored,
in ``--file``, else ``WELFARE_TOKENS_FILE``, else ``var/tokens.json`` (under
``WELFARE_DATA_DIR``). The services read that file when they start.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from services.cli.errors import CliError
from services.common.auth import Role, issue
from services.common.settings import Settings

# The Identifier type of the contracts: firm and provider ids are subjects.
_SUBJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tokens", help="bearer tokens for the HTTP APIs")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    issue_parser = actions.add_parser(
        "issue", help="create a token for a firm, a provider or an operator; print it once")
    issue_parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    issue_parser.add_argument("--subject", required=True,
                              help="the firm id, the provider id, or the operator's name")
    issue_parser.add_argument("--file", type=Path, default=None,
                              help="token digests file (default: WELFARE_TOKENS_FILE, "
                                   "else var/tokens.json)")
    issue_parser.set_defaults(handler=_issue)


def _issue(args: argparse.Namespace) -> int:
    if not _SUBJECT.match(args.subject):
        raise CliError(f"--subject {args.subject!r}: letters, digits and . _ : - only, "
                       "starting with a letter or digit, at most 100 characters")
    settings = Settings()
    path = args.file or settings.tokens_file or settings.data_dir / "tokens.json"
    try:
        token = issue(path, Role(args.role), args.subject)
    except (OSError, ValueError) as exc:
        raise CliError(f"{path}: {exc}") from None
    print(token)
    if settings.tokens_file is None or path.resolve() != settings.tokens_file.resolve():
        print(f"stored its digest in {path}; the services read it with "
              f"WELFARE_TOKENS_FILE={path}", file=sys.stderr)
    return 0
