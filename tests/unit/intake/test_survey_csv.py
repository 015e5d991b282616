"""Reading survey.csv: the scenario's columns, and refusals that name row and column."""

from __future__ import annotations

import pytest

from services.common.csv_rows import CsvRejected, decode
from services.intake.adapters.survey_csv import COLUMNS, parse_survey
from services.scenario.writer import SURVEY_COLUMNS

HEADER = ",".join(COLUMNS)
GOOD = "p001,acme,childcare,036023,2027-W25;2027-W24,2,120.00,true,false,meals;accessible"


def test_the_columns_are_the_scenario_generators():
    assert COLUMNS == SURVEY_COLUMNS


def test_a_good_row_becomes_an_answer():
    answer, = parse_survey(f"{HEADER}\n{GOOD}\n", "acme")
    assert answer.weeks == ["2027-W24", "2027-W25"]
    assert answer.required_tags == ["accessible", "meals"]
    assert (answer.units, answer.single_parent, answer.dependent_relative) == (2, True, False)


def test_optional_cells_may_be_empty_and_the_firm_column_absent():
    text = ("pseudonym,category,municipality,weeks,units,max_unit_price_eur,required_tags\n"
            "p1,home_care,036023,2027-W24,3,25,\n")
    answer, = parse_survey(text, "acme")
    assert (answer.required_tags, answer.single_parent) == ([], False)


def test_a_bom_from_a_spreadsheet_is_ignored():
    assert decode(("\ufeff" + HEADER).encode()) == HEADER


def rejected(text: str) -> list[tuple[int, str]]:
    with pytest.raises(CsvRejected) as caught:
        parse_survey(text, "acme")
    return [(e.row, e.field) for e in caught.value.errors]


def test_every_bad_row_is_named_with_its_column_and_spreadsheet_row_number():
    rows = [GOOD, GOOD.replace("p001", "p002").replace(",2,", ",0,"),
            GOOD.replace("p001", "p003").replace("036023", "Atlantide"),
            GOOD.replace("p001", "p004").replace("2027-W25;", "2027-W54;")]
    assert rejected("\n".join([HEADER, *rows])) == [(3, "units"), (4, "municipality"),
                                                     (5, "weeks")]


def test_a_missing_column_a_repeated_pseudonym_and_another_firms_row_are_refused():
    assert rejected("pseudonym,category\np1,childcare\n") == [
        (1, "municipality"), (1, "weeks"), (1, "units"), (1, "max_unit_price_eur")]
    assert rejected(f"{HEADER}\n{GOOD}\n{GOOD}\n") == [(3, "pseudonym")]
    assert rejected(f"{HEADER}\n{GOOD.replace('acme', 'bolts')}\n") == [(2, "firm_id")]


def test_refusals_never_quote_a_value():
    with pytest.raises(CsvRejected) as caught:
        parse_survey(f"{HEADER}\n{GOOD.replace(',2,', ',secret-ish,')}\n", "acme")
    assert "secret-ish" not in str(caught.value)
    assert "p001" not in str(caught.value)
