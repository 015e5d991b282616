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
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, StringConstraints

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def _check_iso_week(value: str) -> str:
    match = _WEEK.match(value)
    if not match:
        raise ValueError("must be an ISO week like 2027-W27")
    year, week = int(match.group(1)), int(match.group(2))
    # 28 December always falls in the last ISO week of its year.
    last = dt.date(year, 12, 28).isocalendar().week
    if not 1 <= week <= last:
        raise ValueError(f"week {week} does not exist in ISO year {year} (1..{last})")
    return value


# An ISO week, "2027-W27". Its string form sorts chronologically.
IsoWeek = Annotated[str, AfterValidator(_check_iso_week)]

# An ISTAT municipality code: six digits, province code then progressive number.
IstatCode = Annotated[
    str, StringConstraints(pattern=r"^\d{6}$"), Field(examples=["036023"])
]

# 1 (ordinary) to 5 (most vulnerable: a single parent, a dependent relative).
Priority = Annotated[int, Field(ge=1, le=5)]

# Euro amounts, exact to the cent. A float on input is read through its shortest
# decimal form and must carry at most two decimals; JSON carries money as a
# string so that no consumer ever sees a binary fraction.
Money = Annotated[
    Decimal,
    BeforeValidator(lambda v: Decimal(str(v)) if isinstance(v, float) else v),
    Field(ge=0, max_digits=14, decimal_places=2),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
]

# Identifiers of firms, providers, lines, offers, networks and rounds.
Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"),
]

# A capability a provider offers and a line may require, e.g. "accessible".
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]

PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]


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
