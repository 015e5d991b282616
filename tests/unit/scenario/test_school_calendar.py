"""Emilia-Romagna school closures as ISO weeks (DGR 353/2012 rules)."""

from __future__ import annotations

import datetime as dt

from schemas.types import weeks_between
from services.scenario.school_calendar import (
    bridge_weeks,
    closed_weekdays,
    closure_weeks,
    easter,
    lessons,
    school_closed,
)


def test_easter():
    assert easter(2027) == dt.date(2027, 3, 28)
    assert easter(2028) == dt.date(2028, 4, 16)


def test_first_and_last_day_of_lessons():
    # 15 September 2026 is a Tuesday; 6 June 2027 a Sunday, so lessons end on Saturday 5.
    assert lessons(2026) == (dt.date(2026, 9, 15), dt.date(2027, 6, 5))
    assert lessons(2027) == (dt.date(2027, 9, 15), dt.date(2028, 6, 6))


def test_summer_2027_covers_the_demo_round():
    summer = closure_weeks("2027-W20", "2027-W40")
    assert summer == weeks_between("2027-W23", "2027-W36")
    assert set(weeks_between("2027-W24", "2027-W36")) <= set(summer)
    assert closed_weekdays("2027-W37") == 2  # lessons resume on Wednesday 15 September


def test_christmas_easter_and_bridges_2026_27():
    weeks = closure_weeks("2026-W38", "2027-W22")
    assert weeks == ["2026-W53", "2027-W01"]  # 24 December to 6 January
    bridges = bridge_weeks("2026-W38", "2027-W22")
    assert "2027-W12" in bridges and "2027-W13" in bridges  # Easter Thursday to Tuesday
    assert "2026-W45" in bridges  # 2 November, a Monday
    assert school_closed(dt.date(2026, 12, 8))


def test_2027_28_school_year():
    assert closure_weeks("2027-W50", "2028-W02") == ["2027-W52", "2028-W01"]
    assert closure_weeks("2028-W20", "2028-W40")[0] == "2028-W23"
    assert closure_weeks("2028-W20", "2028-W40")[-1] == "2028-W37"
