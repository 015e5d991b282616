"""A field's validation error in the reader's language: pydantic's error types, and the
contracts' own words (``schemas``), as messages of the catalogue.

``services.common.errors.message_of`` says an error in English; the HTTP services
answer in the request's language (``create_api``), so the same error is looked up
here: first by its pydantic type (``missing``, ``greater_than_equal``: the bound is a
value of the message), then by the contract's sentence, whole or as one of
``FRAMES``. A sentence the catalogue does not know is shown as written, in English.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from string import Formatter

from services.common.errors import message_of
from services.common.i18n import N_, Texts, formats

# pydantic's error type -> (msgid, the ctx entry that fills ``{limit}``, if any).
_BY_TYPE: dict[str, tuple[str, str | None]] = {
    "missing": (N_("is required"), None),
    "greater_than_equal": (N_("must be at least {limit}"), "ge"),
    "less_than_equal": (N_("must be at most {limit}"), "le"),
    "greater_than": (N_("must be more than {limit}"), "gt"),
    "less_than": (N_("must be less than {limit}"), "lt"),
    "too_short": (N_("must have at least {limit} values"), "min_length"),
    "too_long": (N_("must have at most {limit} values"), "max_length"),
    "string_too_short": (N_("must have at least {limit} characters"), "min_length"),
    "string_too_long": (N_("must have at most {limit} characters"), "max_length"),
    "decimal_max_places": (N_("must have at most {limit} decimals"), "decimal_places"),
    "decimal_max_digits": (N_("must have at most {limit} digits"), "max_digits"),
    "int_parsing": (N_("must be a whole number"), None),
    "int_type": (N_("must be a whole number"), None),
    "int_from_float": (N_("must be a whole number"), None),
    "float_parsing": (N_("must be a number"), None),
    "float_type": (N_("must be a number"), None),
    "decimal_parsing": (N_("must be a number"), None),
    "decimal_type": (N_("must be a number"), None),
    "finite_number": (N_("must be a finite number"), None),
    "bool_parsing": (N_("must be true or false"), None),
    "bool_type": (N_("must be true or false"), None),
    "string_type": (N_("must be text"), None),
    "list_type": (N_("must be a list"), None),
    "dict_type": (N_("must be an object"), None),
    "model_type": (N_("must be an object"), None),
    "model_attributes_type": (N_("must be an object"), None),
    "extra_forbidden": (N_("is not a field of this request"), None),
    "json_invalid": (N_("is not valid JSON"), None),
    "date_parsing": (N_("must be a date such as 2027-07-05"), None),
    "date_from_datetime_parsing": (N_("must be a date such as 2027-07-05"), None),
    "datetime_parsing": (N_("must be a date and time such as 2027-07-05T09:00:00+02:00"),
                         None),
    "datetime_from_date_parsing": (N_("must be a date and time such as "
                                      "2027-07-05T09:00:00+02:00"), None),
    "timezone_aware": (N_("must name its time zone, e.g. 2027-07-05T09:00:00+02:00"), None),
}

# pydantic's types whose message lists the values allowed: the list is kept as it is.
_CHOICES = {"literal_error": "expected", "enum": "expected"}

# The contracts' sentences (schemas/types.py, services.common.errors' patterns), marked
# so that the catalogue translates them; frames with a ``{name}`` are matched whole.
CONTRACT_WORDS = (
    N_("must be an ISO week like 2027-W27"),
    N_("is not an ISTAT municipality code (6 digits, e.g. 036023 for Modena)"),
    N_("is not in the ISTAT list of municipalities (6 digits, e.g. 036023 for Modena)"),
    N_("must be 1 to 100 characters: letters, digits and . _ : - (no spaces or accents), "
       "starting with a letter or a digit"),
    N_("must be 1 to 40 characters: lower-case letters, digits, _ and -, starting with a "
       "letter (e.g. accessible)"),
    N_("must be the letter of an ATECO 2007 section, A to U"),
    N_("must be a SHA-256 digest, 64 lower-case hexadecimal digits"),
    N_("is not written the way this field requires"),
    N_("a week range looks like 2027-W24..2027-W36"),
)
FRAMES = (
    N_("week {week} does not exist in ISO year {year} (1..{last})"),
    N_("last_week {last} is before first_week {first}"),
    N_("the range ends ({last}) before it starts ({first})"),
    N_("min_group_per_week ({group}) exceeds capacity_per_week ({capacity})"),
    N_("must be at most {bound} EUR (a price per unit-week; no real network comes near it)"),
    N_("must be at most {bound} EUR (a welfare budget for the season; no real network comes "
       "near it)"),
    N_("must be at most {bound} EUR (a fixed cost per running week; no real network comes "
       "near it)"),
)
# Values of FRAMES that are sums of money, written in English ("100,000.00"): rewritten
# as the reader's locale writes them ("100.000,00").
_MONEY = {"bound"}


def field_message(error: dict, t: Texts) -> str:
    """One pydantic error's message in the language of ``t``."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    known = _BY_TYPE.get(kind)
    if known is not None:
        message, bound = known
        return t._(message, limit=ctx.get(bound)) if bound else t._(message)
    if kind in _CHOICES and ctx.get(_CHOICES[kind]) is not None:
        return t._("must be one of {choices}", choices=ctx[_CHOICES[kind]])
    said = message_of(error)
    frame = match_frame(said, FRAMES)
    if frame is not None:
        message, values = frame
        return t._(message, **{name: _money(t, value) if name in _MONEY else value
                               for name, value in values.items()})
    return t._(said)


def match_frame(text: str, frames: tuple[str, ...] = FRAMES
                ) -> tuple[str, dict[str, str]] | None:
    """The frame ``text`` was written from and the values it was filled with, if any.

    Only for the contracts' sentences, which pydantic hands over as English text;
    the services' own refusals keep their msgid and values (services.common.refusals)."""
    for frame, pattern in _patterns(frames):
        found = pattern.fullmatch(text)
        if found is not None:
            return frame, found.groupdict()
    return None


@lru_cache(maxsize=8)
def _patterns(frames: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    compiled = []
    for frame in frames:
        pattern = ""
        for literal, name, _spec, _conversion in Formatter().parse(frame):
            pattern += re.escape(literal)
            if name is not None:
                pattern += f"(?P<{name}>.+?)"
        compiled.append((frame, re.compile(pattern, re.DOTALL)))
    return compiled


def _money(t: Texts, written: str) -> str:
    try:
        return formats.number(t, Decimal(written.replace(",", "")), 2)
    except InvalidOperation:
        return written

