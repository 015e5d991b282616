"""Validated value types shared by every contract.

Money, weeks, municipalities and priorities are never bare strings or floats on
the wire: each has one definition here, so a bad value is rejected with the
field named wherever it appears.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer

from schemas import limits

# ASCII digits only: ``\d`` would also take Arabic-Indic and other Unicode digits.
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")
_ISTAT = re.compile(r"[0-9]{6}")
_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
_TAG = re.compile(r"[a-z][a-z0-9_-]{0,39}")

WEEK_PATTERN = "^[0-9]{4}-W[0-9]{2}$"
ISTAT_PATTERN = "^[0-9]{6}$"
IDENTIFIER_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"
TAG_PATTERN = "^[a-z][a-z0-9_-]{0,39}$"


def _check_iso_week(value: str) -> str:
    # fullmatch: "$" would let a trailing newline through.
    match = _WEEK.fullmatch(value)
    if not match:
        raise ValueError("must be an ISO week like 2027-W27")
    year, week = int(match.group(1)), int(match.group(2))
    # 28 December always falls in the last ISO week of its year.
    last = dt.date(year, 12, 28).isocalendar().week
    if not 1 <= week <= last:
        raise ValueError(f"week {week} does not exist in ISO year {year} (1..{last})")
    return value


@cache
def istat_codes() -> frozenset[str]:
    """The ISTAT municipality codes shipped with the contracts (``istat_codes.txt``)."""
    text = resources.files("schemas").joinpath("istat_codes.txt").read_text(encoding="ascii")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _check_istat(value: str) -> str:
    # The value is not quoted: in a survey it is where an employee lives.
    if not _ISTAT.fullmatch(value):
        raise ValueError("is not an ISTAT municipality code (6 digits, e.g. 036023 for Modena)")
    if value not in istat_codes():
        raise ValueError("is not in the ISTAT list of municipalities (6 digits, e.g. 036023 "
                         "for Modena)")
    return value


def _check_identifier(value: str) -> str:
    if not _IDENTIFIER.fullmatch(value):
        raise ValueError("must be 1 to 100 characters: letters, digits and . _ : - "
                         "(no spaces or accents), starting with a letter or a digit")
    return value


def _check_tag(value: str) -> str:
    if not _TAG.fullmatch(value):
        raise ValueError("must be 1 to 40 characters: lower-case letters, digits, _ and -, "
                         "starting with a letter (e.g. accessible)")
    return value


# An ISO week, "2027-W27". Its string form sorts chronologically.
IsoWeek = Annotated[
    str, AfterValidator(_check_iso_week),
    Field(json_schema_extra={"pattern": WEEK_PATTERN}, examples=["2027-W27"]),
]

# An ISTAT municipality code: six digits, province code then progressive number,
# and one of the codes ISTAT lists (``istat_codes()``).
IstatCode = Annotated[
    str, AfterValidator(_check_istat),
    Field(json_schema_extra={"pattern": ISTAT_PATTERN}, examples=["036023"]),
]

# 1 (ordinary) to 5 (most vulnerable: a single parent, a dependent relative).
Priority = Annotated[int, Field(ge=1, le=5)]

# Euro amounts, exact to the cent. A float on input is read through its shortest
# decimal form and must carry at most two decimals; JSON carries money as a
# string so that no consumer ever sees a binary fraction. Money alone bounds
# only totals: 18 digits, so that any amount in cents fits a signed 64-bit
# integer column; what a producer enters has a tighter type below.
Money = Annotated[
    Decimal,
    BeforeValidator(lambda v: Decimal(str(v)) if isinstance(v, float) else v),
    Field(ge=0, max_digits=18, decimal_places=2, allow_inf_nan=False),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
]


def _at_most(bound: Decimal, what: str):
    def check(value: Decimal) -> Decimal:
        if value > bound:
            raise ValueError(f"must be at most {bound:,.2f} EUR ({what}; no real network "
                             "comes near it)")
        return value

    return AfterValidator(check), Field(json_schema_extra={"maximum": float(bound)})


UnitPrice = Annotated[Money, *_at_most(limits.MAX_UNIT_PRICE_EUR, "a price per unit-week")]
Budget = Annotated[Money, *_at_most(limits.MAX_BUDGET_EUR, "a welfare budget for the season")]
FixedCost = Annotated[Money, *_at_most(limits.MAX_FIXED_COST_PER_WEEK_EUR,
                                       "a fixed cost per running week")]

# Identifiers of firms, providers, lines, offers, networks and rounds.
Identifier = Annotated[
    str, AfterValidator(_check_identifier),
    Field(json_schema_extra={"pattern": IDENTIFIER_PATTERN}),
]

# A capability a provider offers and a line may require, e.g. "accessible".
Tag = Annotated[str, AfterValidator(_check_tag),
                Field(json_schema_extra={"pattern": TAG_PATTERN})]

PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]

# What producers enter, bounded (``schemas.limits`` says why each bound).
Units = Annotated[int, Field(ge=1, le=limits.MAX_UNITS)]
Capacity = Annotated[int, Field(ge=1, le=limits.MAX_CAPACITY_PER_WEEK)]
Headcount = Annotated[int, Field(ge=1, le=limits.MAX_EMPLOYEES)]
# Versions and counts land in 32-bit integer columns.
Version = Annotated[int, Field(ge=1, le=limits.INT32_MAX)]
Count = Annotated[int, Field(ge=0, le=limits.INT32_MAX)]
# An objective weight: finite (no inf, no NaN, which JSON's 1e309 becomes), not negative.
Weight = Annotated[float, Field(ge=0, le=limits.MAX_WEIGHT, allow_inf_nan=False)]


class Category(StrEnum):
    """The service families that networks pool (DESIGN.md)."""

    CHILDCARE = "childcare"  # childcare during school closures, summer camps
    HOME_CARE = "home_care"  # home care for dependent relatives, in care hours
    FAMILY_ASSISTANT = "family_assistant"  # a family assistant shared by families
    BABYSITTING = "babysitting"  # vetted babysitters on demand, in sessions
    CONCIERGE = "concierge"  # neighbourhood concierge, in sessions


class Payer(StrEnum):
    """Who pays a line's unit costs."""

    FIRM = "firm"  # the firm's welfare budget
    MUNICIPALITY = "municipality"  # the municipality, for public-service users


class ProviderKind(StrEnum):
    COOPERATIVE = "social_cooperative"
    ASSOCIATION = "association"
    PUBLIC_BODY = "public_body"


def parse_week_range(text: str) -> tuple[str, str]:
    """Parse "2027-W24..2027-W36" into its first and last week."""
    first, sep, last = text.partition("..")
    if not sep:
        raise ValueError("a week range looks like 2027-W24..2027-W36")
    first, last = _check_iso_week(first.strip()), _check_iso_week(last.strip())
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    return first, last


def weeks_between(first: str, last: str) -> list[str]:
    """Every ISO week from first to last, both included."""
    start = dt.date.fromisocalendar(*_year_week(first), 1)
    end = dt.date.fromisocalendar(*_year_week(last), 1)
    weeks = []
    day = start
    while day <= end:
        iso = day.isocalendar()
        weeks.append(f"{iso.year}-W{iso.week:02d}")
        day += dt.timedelta(weeks=1)
    return weeks


def _year_week(week: str) -> tuple[int, int]:
    year, number = week.split("-W")
    return int(year), int(number)
