"""Codes in words: every reason, status and category has a sentence in both languages."""

from __future__ import annotations

import pytest

from schemas.result import SmallestChange, SolveStatus, UnmetReason
from schemas.types import Category
from services.common.i18n import Names, texts, words

IT, EN = texts("it"), texts("en")
ROUND_STATUSES = ("requested", "running", "completed", "failed")  # services/matcher/views.py


@pytest.mark.parametrize(("table", "codes"), [
    (words.REASONS, list(UnmetReason)),
    (words.SOLVE_STATUSES, list(SolveStatus)),
    (words.CATEGORIES, list(Category)),
    (words.ROUND_STATUSES, ROUND_STATUSES),
])
def test_every_code_has_words_in_both_languages(table, codes):
    # Fails when a new code is added without its words in words.py and the catalogue.
    for code in codes:
        assert code in table, f"{code} has no words in services/common/i18n/words.py"
        assert IT._(table[code]) != table[code], f"{code}: no Italian translation"


def test_reasons_read_as_sentences():
    assert words.reason(EN, "budget_spent") == "the firm's welfare budget is spent"
    assert words.reason(IT, UnmetReason.BUDGET_SPENT) == "il budget welfare dell'impresa è esaurito"
    assert words.category(IT, "home_care") == (
        "Assistenza domiciliare ai familiari non autosufficienti")


def test_an_unknown_code_is_shown_as_it_is_not_lost():
    assert words.reason(IT, "a_reason_from_a_newer_matcher") == "a_reason_from_a_newer_matcher"
    assert words.round_status(EN, None) == "–"


def test_round_kinds():
    assert words.round_kind(IT, True, "plain") == "simulazione"
    assert words.round_kind(IT, False, "repair") == "definitivo, riassegnazione"
    assert words.round_kind(EN, False, None) == "committed"


NAMED = Names({"o2": "Centro estivo Carpi", "f1": "Ceramiche Rossi"})

# One change per reason, as matcher/round/reasons.py and reasons_change.py build them.
CHANGES = {
    UnmetReason.NO_CAPACITY_IN_WEEKS: (
        SmallestChange(description="offer o2 would also have to run in 2027-W27",
                       offer_id="o2", week="2027-W27"),
        "Centro estivo Carpi (o2) would also have to run in week 27, 5–11 July 2027 "
        "(and any other week it lacks)",
        "Centro estivo Carpi (o2) dovrebbe essere attivo anche nella settimana 27, "
        "5–11 luglio 2027 (e nelle altre settimane che gli mancano)"),
    UnmetReason.TAG_NOT_OFFERED: (
        SmallestChange(description="offer o2 would have to offer accessible", offer_id="o2"),
        "Centro estivo Carpi (o2) would have to offer what the line requires",
        "Centro estivo Carpi (o2) dovrebbe offrire ciò che la riga richiede"),
    UnmetReason.PRICE_ABOVE_MAXIMUM: (
        SmallestChange(description="a maximum of 120.00 EUR per unit-week would admit offer o2",
                       offer_id="o2", max_unit_price_eur="120.00"),
        "accepting up to €120.00 per unit-week would open Centro estivo Carpi (o2)",
        "accettare fino a 120,00\u00a0€ per unità-settimana aprirebbe Centro estivo Carpi (o2)"),
    UnmetReason.BUDGET_SPENT: (
        SmallestChange(description="240.00 EUR more budget for firm f1 would pay for 2 more "
                                   "units on offer o2", offer_id="o2", extra_budget_eur="240.00"),
        "€240.00 more budget for Ceramiche Rossi (f1) would pay for 2 more units at "
        "Centro estivo Carpi (o2)",
        "240,00\u00a0€ di budget in più per Ceramiche Rossi (f1) pagherebbero 2 unità in più "
        "presso Centro estivo Carpi (o2)"),
    UnmetReason.GROUP_BELOW_MINIMUM: (
        SmallestChange(description="2 more units in week 2027-W27 open offer o2",
                       offer_id="o2", week="2027-W27", extra_units=2),
        "2 more units in week 27, 5–11 July 2027 would open Centro estivo Carpi (o2)",
        "2 unità in più nella settimana 27, 5–11 luglio 2027 aprirebbero "
        "Centro estivo Carpi (o2)"),
    UnmetReason.CAPACITY_TAKEN_BY_HIGHER_PRIORITY: (
        SmallestChange(description="1 more places in week 2027-W27 at offer o2 would serve them",
                       offer_id="o2", week="2027-W27", extra_units=1),
        "1 more place at Centro estivo Carpi (o2) in week 27, 5–11 July 2027 would serve them",
        "1 posto in più presso Centro estivo Carpi (o2) nella settimana 27, 5–11 luglio 2027 "
        "le servirebbe"),
}


@pytest.mark.parametrize("reason", sorted(CHANGES))
def test_the_smallest_change_in_words_from_its_figures(reason):
    change, english, italian = CHANGES[reason]
    figures = change.model_dump(mode="json")
    assert words.change(EN, reason, figures, 2, "f1", NAMED) == english
    assert words.change(IT, reason, figures, 2, "f1", NAMED) == italian


def test_changes_without_figures():
    stopped = {"description": "the solve stopped (feasible) before placing these units; "
                              "offer o2 has room"}
    assert words.change(IT, "capacity_taken_by_higher_priority", stopped, 3, "f1") == (
        "il calcolo si è fermato al limite di tempo prima di collocare queste unità; "
        "un calcolo più lungo potrebbe collocarle")
    assert words.change(EN, "no_provider_in_area", None, 3, "f1") is None
    closed = {"description": "...", "offer_id": "o2", "week": "2027-W27"}
    assert words.change(EN, "group_below_minimum", closed, 3, "f1", NAMED).startswith(
        "Centro estivo Carpi (o2) does not run in week 27, 5–11 July 2027: enough units")
