"""Numbers, money, percentages, dates, weeks and durations, in Italian and in English."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.common.i18n import formats, texts

IT, EN = texts("it"), texts("en")
NBSP = "\u00a0"


def test_money_in_the_locale():
    assert formats.money(IT, Decimal("12095")) == f"12.095,00{NBSP}€"
    assert formats.money(EN, "12095.00") == "€12,095.00"
    assert formats.money(IT, "0.5") == f"0,50{NBSP}€"
    assert formats.money(EN, None) == "–"


def test_numbers_and_percentages():
    assert formats.number(IT, 12095) == "12.095"
    assert formats.number(EN, 12095) == "12,095"
    assert formats.number(IT, 3.14159, digits=2) == "3,14"
    assert formats.percent(IT, 0.503) == "50,3%"
    assert formats.percent(EN, 0.503) == "50.3%"
    assert formats.percent(EN, 0.12, digits=0) == "12%"
    # Rounding never shows a shortfall as 100% nor a little as nothing.
    assert formats.percent(IT, 0.99996) == "> 99,9%"
    assert formats.percent(EN, 0.00004) == "< 0.1%"
    assert formats.percent(EN, 1.0) == "100.0%"
    assert formats.percent(IT, None) == "–"


def test_dates_and_date_ranges():
    assert formats.date(IT, dt.date(2027, 7, 5)) == "5 luglio 2027"
    assert formats.date(EN, dt.date(2027, 7, 5)) == "5 July 2027"
    assert formats.date_range(IT, dt.date(2027, 8, 30), dt.date(2027, 9, 5)) == (
        "30 agosto – 5 settembre 2027")
    assert formats.date_range(EN, dt.date(2027, 12, 27), dt.date(2028, 1, 2)) == (
        "27 December 2027 – 2 January 2028")


@pytest.mark.parametrize(("week", "italian", "english"), [
    ("2027-W27", "settimana 27, 5–11 luglio 2027", "week 27, 5–11 July 2027"),
    ("2027-W35", "settimana 35, 30 agosto – 5 settembre 2027",
     "week 35, 30 August – 5 September 2027"),
    ("2027-W52", "settimana 52, 27 dicembre 2027 – 2 gennaio 2028",
     "week 52, 27 December 2027 – 2 January 2028"),
    ("2026-W53", "settimana 53, 28 dicembre 2026 – 3 gennaio 2027",
     "week 53, 28 December 2026 – 3 January 2027"),
])
def test_iso_weeks_with_their_dates(week, italian, english):
    assert formats.week(IT, week) == italian
    assert formats.week(EN, week) == english


def test_week_ranges():
    assert formats.week_range(IT, "2027-W24", "2027-W36") == (
        "settimane 24–36, 14 giugno – 12 settembre 2027")
    assert formats.week_range(EN, "2027-W24", "2027-W36") == (
        "weeks 24–36, 14 June – 12 September 2027")
    assert formats.week_range(EN, "2027-W50", "2028-W02") == (
        "weeks 2027-W50–2028-W02, 13 December 2027 – 16 January 2028")
    assert formats.week_range(IT, "2027-W27", "2027-W27") == "settimana 27, 5–11 luglio 2027"


def test_durations():
    assert formats.duration(IT, 0.046) == "0,05 s"
    assert formats.duration(IT, 3.24) == "3,2 s"
    assert formats.duration(IT, 125) == "2 min 5 s"
    assert formats.duration(IT, 3840) == "1 h 4 min"
    assert formats.duration(IT, 3600) == "1 h"
    assert formats.duration(EN, 3.24) == "3.2 secs"
    assert formats.duration(EN, 125) == "2 mins 5 secs"
    assert formats.duration(EN, None) == "–"
