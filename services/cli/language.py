"""``--lang it|en`` for the commands that print reports (services/common/i18n)."""

from __future__ import annotations

import argparse

from services.cli.errors import CliError
from services.common.i18n import LANGUAGES, Texts, texts


def add_language_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=sorted(LANGUAGES),
                        help="language of what is printed (default: WELFARE_LOCALE, then "
                             "LC_ALL, LC_MESSAGES, LANG; else Italian)")


def language_texts(args: argparse.Namespace) -> Texts:
    try:
        return texts(getattr(args, "lang", None))
    except ValueError as exc:  # WELFARE_LOCALE names a language we do not write
        raise CliError(str(exc)) from None
