"""Options several commands share, accepted where a user puts them.

``welfare --token-file F round start ...`` and ``welfare round start ...
--token-file F`` both work: the option is declared on the root parser and on
each sub-command with ``default=SUPPRESS``, so a level that does not see it
leaves alone what another level read (argparse's sub-parsers otherwise
overwrite the parent's value with their own default).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from services.cli.errors import CliError
from services.common.i18n import Texts
from services.common.settings import Settings


def add_token_file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--token-file", type=Path, default=argparse.SUPPRESS,
                        help="file holding the operator's token (else WELFARE_OPERATOR_TOKEN)")


def operator_token(t: Texts, args: argparse.Namespace, settings: Settings) -> str:
    path = getattr(args, "token_file", None)
    if path is not None:
        try:
            return path.read_text().strip()
        except OSError as exc:
            raise CliError(f"--token-file {path}: {exc.strerror}") from None
    if settings.operator_token:
        return settings.operator_token.get_secret_value()
    raise CliError(t._("no operator token: set WELFARE_OPERATOR_TOKEN or pass --token-file"))
