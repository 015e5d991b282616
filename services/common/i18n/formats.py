"""Numbers, money, percentages, dates, ISO weeks and durations in the reader's locale.

Money follows CLDR: ``12.095,00 €`` in Italian, ``€12,095.00`` in English; the
space before the euro sign is a no-break space (U+00A0), so a console never
wraps a sum from its sign. A missing figure prints as an en dash.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, get_month_names
from babel.numbers import format_currency, format_decimal, format_percent, get_group_symbol
from babel.units import format_unit

from services.common.i18n.catalogue import Texts

MISSING = "–"
DASH = "–"  # en dash, between the ends of a range


def number(t: Texts, value: float | int | Decimal | None, digits: int | None = None) -> str:
    if value is None:
        return MISSING
    if digits is None and type(value) is int:
        # A whole number, the commonest figure on a page: its locale's pattern is
        # #,##0 with groups of three (tested equal to babel's for both languages),
        # and babel takes ~20 times as long to say the same (a 1k round report
        # prints some 10,000 of them).
        group = _group_symbol(t.locale)
        if group is not None:
            return f"{value:,}".replace(",", group)
    if digits is not None:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, pattern, locale=t.locale)
    return format_decimal(value, locale=t.locale)


@functools.cache
def _group_symbol(locale: str) -> str | None:
    """The locale's group separator, if its whole numbers are plain groups of three."""
    parsed = Locale.parse(locale)
    pattern = parsed.decimal_formats[None]
    if pattern.grouping != (3, 3) or pattern.pattern != "#,##0.###":
        return None  # a locale this shortcut does not know: babel says it
    return get_group_symbol(parsed)


def money(t: Texts, value: float | int | str | Decimal | None) -> str:
    if value is None:
        return MISSING
    return format_currency(Decimal(str(value)), "EUR", locale=t.locale)


def percent(t: Texts, share: float | None, digits: int = 1) -> str:
    """``share`` 0.503 -> ``50,3%``; a share that rounds to 0 or 100 but is not
    says so (``< 0,1%``, ``> 99,9%``), so "100%" never hides a shortfall."""
    if share is None:
        return MISSING
    step = 10.0 ** -(digits + 2)
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    if 0 < share < step / 2:
        return "< " + format_percent(step, pattern, locale=t.locale)
    if 1 - step / 2 < share < 1:
        return "> " + format_percent(1 - step, pattern, locale=t.locale)
    return format_percent(share, pattern, locale=t.locale)


def date(t: Texts, day: dt.date) -> str:
    return format_date(day, "d MMMM y", locale=t.locale)


def date_range(t: Texts, first: dt.date, last: dt.date) -> str:
    """``5–11 luglio 2027``, ``30 agosto – 5 settembre 2027``,
    ``27 dicembre 2027 – 2 gennaio 2028``."""
    months = get_month_names("wide", locale=t.locale)
    if first == last:
        return date(t, first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{DASH}{last.day} {months[first.month]} {first.year}"
    if first.year == last.year:
        return f"{first.day} {months[first.month]} {DASH} {last.day} {months[last.month]} {last.year}"
    return f"{date(t, first)} {DASH} {date(t, last)}"


def week_dates(week: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of an ISO week such as ``2027-W27``."""
    year, number_ = week.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(number_), 1)
    return monday, monday + dt.timedelta(days=6)


def week(t: Texts, iso_week: str) -> str:
    """``settimana 27, 5–11 luglio 2027`` / ``week 27, 5–11 July 2027``."""
    monday, sunday = week_dates(iso_week)
    return t._("week {number}, {dates}", number=int(iso_week.split("-W")[1]),
               dates=date_range(t, monday, sunday))


def week_range(t: Texts, first: str, last: str) -> str:
    """``settimane 24–36, 14 giugno – 12 settembre 2027``; across ISO years each end
    is named with its year (``settimane 2027-W50–2028-W02, ...``)."""
    if first == last:
        return week(t, first)
    start, _ = week_dates(first)
    _, end = week_dates(last)
    if first[:4] == last[:4]:
        numbers = f"{int(first[6:])}{DASH}{int(last[6:])}"
    else:
        numbers = f"{first}{DASH}{last}"
    return t._("weeks {numbers}, {dates}", numbers=numbers, dates=date_range(t, start, end))


def duration(t: Texts, seconds: float | None) -> str:
    """``0,05 s``, ``3,2 s``, ``2 min 5 s``, ``1 h 4 min``: the two largest units that matter."""
    if seconds is None:
        return MISSING
    if seconds < 60:  # a tenth of a second, or a hundredth below one second
        return format_unit(round(seconds, 1 if seconds >= 1 else 2), "duration-second",
                           "short", locale=t.locale)
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        parts = [(hours, "duration-hour"), (minutes, "duration-minute")]
    else:
        parts = [(minutes, "duration-minute"), (secs, "duration-second")]
    return " ".join(format_unit(value, unit, "short", locale=t.locale)
                    for value, unit in parts if value or unit == parts[0][1])
