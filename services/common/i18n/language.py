"""Which language a report is written in.

First an explicit choice (``--lang``, a parameter), then ``WELFARE_LOCALE``,
then the system's ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` (in POSIX order of
precedence), else Italian: the people this serves read Italian first.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# language -> the Babel locale its numbers, money and dates follow.
# British English: "5–11 July 2027" and "€12,095.00", as the brief writes them.
LANGUAGES = {"it": "it_IT", "en": "en_GB"}
DEFAULT_LANGUAGE = "it"
SYSTEM_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def choose_language(explicit: str | None = None,
                    environ: Mapping[str, str] | None = None) -> str:
    """``"it"`` or ``"en"``. An unknown explicit choice or ``WELFARE_LOCALE`` is an
    error (a typo should be told); an unknown system locale means Italian."""
    environ = os.environ if environ is None else environ
    if explicit:
        return _supported(explicit, "the language")
    if environ.get("WELFARE_LOCALE"):
        return _supported(environ["WELFARE_LOCALE"], "WELFARE_LOCALE")
    for name in SYSTEM_VARIABLES:
        value = environ.get(name)
        if value and not _is_c_locale(value):
            return _language_of(value) if _language_of(value) in LANGUAGES else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def _language_of(value: str) -> str:
    # "it_IT.UTF-8@euro" -> "it"; "en-GB" -> "en"
    return value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()


def _is_c_locale(value: str) -> bool:
    return value in ("C", "POSIX") or value.startswith("C.")


def _supported(value: str, where: str) -> str:
    language = _language_of(value)
    if language not in LANGUAGES:
        raise ValueError(f"{where}: {value!r} is not a language the reports are written in "
                         f"(choose one of {', '.join(LANGUAGES)})")
    return language


def language_of_request(accept_language: str | None) -> str:
    """The language an HTTP request prefers (``Accept-Language``: ``en-GB,en;q=0.9``),
    among those the services write; Italian when it names none of them."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, _language_of(tag.strip())))
    for _, _, language in sorted(ranked):
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE
