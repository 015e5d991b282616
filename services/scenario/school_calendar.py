"""School closures of the Emilia-Romagna calendar, as ISO weeks.

Childcare demand concentrates where schools are closed, so the generator asks
this module which weeks of a round are closure weeks. The rules are those of
the region's standing calendar, Delibera di Giunta regionale n. 353 of
26 March 2012 ("Determinazione del calendario scolastico per gli anni
scolastici 2012/2013 e seguenti"), cited in ``data/SOURCES.md``:

- lessons start on 15 September, or the next working day when it falls on a
  Saturday or a holiday; they end on 6 June, or the working day before when it
  falls on a holiday (Saturdays are school days);
- closed: Sundays, the national holidays (1 November, 8 December, 25 and 26
  December, 1 and 6 January, Easter Monday, 25 April, 1 May, 2 June),
  2 November, 24 December to 6 January, and the Thursday before Easter to the
  Tuesday after.

The region has no carnival break: carnival days are a school's own choice, so
they are not encoded. The Giunta may move a year's first or last day by a
resolution of that year (it did for 2021/22); those shifts are of a few days
and change at most the first or last summer week. Every province of a scaled
scenario uses this calendar, a simplification outside Emilia-Romagna.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from schemas.types import weeks_between

# A week is a closure week when schools are closed on most of its weekdays:
# that is when working parents need a camp rather than a neighbour's favour.
CLOSURE_WEEKDAYS = 3

_HOLIDAYS = {(11, 1), (12, 8), (12, 25), (12, 26), (1, 1), (1, 6), (4, 25), (5, 1), (6, 2)}


def easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian; the anonymous algorithm of Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month = (h + el - 7 * m + 114) // 31
    day = (h + el - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def _holiday(day: dt.date) -> bool:
    return (
        day.weekday() == 6
        or (day.month, day.day) in _HOLIDAYS
        or day == easter(day.year) + dt.timedelta(days=1)
    )


@cache
def lessons(school_year: int) -> tuple[dt.date, dt.date]:
    """First and last day of lessons of the school year starting in ``school_year``."""
    first = dt.date(school_year, 9, 15)
    while first.weekday() == 5 or _holiday(first):
        first += dt.timedelta(days=1)
    last = dt.date(school_year + 1, 6, 6)
    while _holiday(last):
        last -= dt.timedelta(days=1)
    return first, last


def _suspended(day: dt.date) -> bool:
    if (day.month, day.day) == (11, 2):
        return True
    if (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day <= 6):
        return True
    sunday = easter(day.year)
    return sunday - dt.timedelta(days=3) <= day <= sunday + dt.timedelta(days=2)


def school_closed(day: dt.date) -> bool:
    """True when there are no lessons on that day."""
    school_year = day.year if day.month >= 9 else day.year - 1
    first, last = lessons(school_year)
    return not first <= day <= last or _holiday(day) or _suspended(day)


def closed_weekdays(week: str) -> int:
    """How many of the week's Monday-to-Friday have no lessons (0..5)."""
    year, number = (int(part) for part in week.split("-W"))
    monday = dt.date.fromisocalendar(year, number, 1)
    return sum(school_closed(monday + dt.timedelta(days=i)) for i in range(5))


def closure_weeks(first: str, last: str) -> list[str]:
    """Weeks of first..last in which schools are closed on most weekdays."""
    return [w for w in weeks_between(first, last) if closed_weekdays(w) >= CLOSURE_WEEKDAYS]


def bridge_weeks(first: str, last: str) -> list[str]:
    """Weeks with one or two closed weekdays (a holiday, a bridge, a partial week)."""
    return [w for w in weeks_between(first, last) if 0 < closed_weekdays(w) < CLOSURE_WEEKDAYS]
