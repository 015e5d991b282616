"""One cell to one value, the way Italian spreadsheets write it; refusals in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from schemas.types import Category
from services.common.i18n import texts
from services.common.spreadsheets import cells
from services.common.spreadsheets.problems import CellProblem


def problem(parse, value, language="it") -> str:
    with pytest.raises(CellProblem) as caught:
        parse(value)
    return caught.value.problem.render(texts(language))


@pytest.mark.parametrize(("written", "number"), [
    ("1.234,50", "1234.50"), ("1234,50", "1234.50"), ("1234.50", "1234.50"),
    ("120 €", "120"), ("€ 120,5", "120.5"), ("1.000", "1000"), ("1.234.567", "1234567"),
    (120.5, "120.5"), (7, "7"), ("0,5", "0.5"), ("12.5", "12.5"),
])
def test_numbers_with_a_decimal_comma_or_point_and_italian_thousands(written, number):
    assert cells.decimal(written) == Decimal(number)


@pytest.mark.parametrize("written", ["1,2,3", "abc", "12,5x", "1.23,4.5", True, "12,"])
def test_what_is_not_a_number_is_refused_in_words(written):
    assert problem(cells.decimal, written) == (
        "non è un numero (scrivere ad es. 1.234,50 o 1234,50)")
    assert "is not a number" in problem(cells.decimal, written, "en")


def test_whole_numbers_from_text_or_from_a_number_cell():
    assert cells.integer("2") == cells.integer(2.0) == 2
    assert problem(cells.integer, "2,5") == "deve essere un numero intero"


@pytest.mark.parametrize("written", ["VERO", "vero", "Sì", "SI", "si", "true", "1", True, 1])
def test_yes(written):
    assert cells.boolean(written) is True


@pytest.mark.parametrize("written", ["FALSO", "falso", "no", "false", "0", False, 0])
def test_no(written):
    assert cells.boolean(written) is False


@pytest.mark.parametrize(("written", "code"), [
    (36023, "036023"), ("36023", "036023"), ("036023", "036023"), (36023.0, "036023"),
    ("Modena", "036023"), ("MODENA", "036023"), ("forli", "040012"), ("Forlì", "040012"),
    ("Castro (LE)", "075096"), ("castro (bg)", "016065"), ("Città di Castello", "054013"),
])
def test_municipalities_by_code_with_the_leading_zero_restored_or_by_name(written, code):
    assert cells.municipality(written) == code


def test_an_ambiguous_name_lists_its_candidates_with_their_provinces():
    assert problem(cells.municipality, "Castro") == (
        "Castro: 2 comuni con questo nome (Castro (BG), Castro (LE)): scrivere il codice "
        "ISTAT o la provincia, ad es. 'Castro (LE)'")
    assert problem(cells.municipality, "castro", "en").startswith(
        "Castro: 2 municipalities have this name (Castro (BG), Castro (LE))")


def test_unknown_municipalities_and_codes_are_refused_without_quoting_them():
    assert "Atlantide" not in problem(cells.municipality, "Atlantide")
    assert problem(cells.municipality, "999999").startswith("non è il codice ISTAT di un comune")


@pytest.mark.parametrize(("written", "category"), [
    ("childcare", Category.CHILDCARE), ("home_care", Category.HOME_CARE),
    ("Assistenza domiciliare ai familiari non autosufficienti", Category.HOME_CARE),
    ("servizi per l'infanzia nelle chiusure scolastiche", Category.CHILDCARE),
    ("Vetted babysitters on demand", Category.BABYSITTING), ("Portierato", Category.CONCIERGE),
    ("Centro estivo", Category.CHILDCARE),
])
def test_categories_by_code_or_by_their_italian_or_english_label(written, category):
    assert cells.category(written) is category


def test_an_unknown_category_names_the_choices():
    assert problem(cells.category, "giardinaggio").startswith(
        "non è una categoria: scrivere una di childcare, home_care")


@pytest.mark.parametrize(("written", "weeks"), [
    ("2027-W27", ["2027-W27"]),
    ("2027-W27..2027-W29", ["2027-W27", "2027-W28", "2027-W29"]),
    ("2027-W29;2027-W27", ["2027-W27", "2027-W29"]),
    ("05/07/2027", ["2027-W27"]),
    ("05/07/2027..19/07/2027", ["2027-W27", "2027-W28", "2027-W29"]),
    ("2027-07-05", ["2027-W27"]),
    ("01/01/2027", ["2026-W53"]),
    (dt.datetime(2027, 7, 5), ["2027-W27"]),
    ("2026-W52..2027-W01", ["2026-W52", "2026-W53", "2027-W01"]),
])
def test_weeks_as_iso_weeks_ranges_or_dates(written, weeks):
    assert cells.weeks(written) == weeks


def test_weeks_out_of_range_or_backwards_are_refused_in_words():
    assert problem(cells.weeks, "2027-W54") == (
        "la settimana 54 non esiste nell'anno ISO 2027 (settimane da 1 a 52)")
    assert problem(cells.weeks, "2027-W30..2027-W27", "en") == "the range ends before it starts"
    assert problem(cells.weeks, "31/02/2027").startswith("non è una data esistente")
    assert problem(cells.weeks, "luglio").startswith("non è una settimana")
