"""The release threshold (domain/releases.py): a cell's line moves only by k answers."""

from __future__ import annotations

from decimal import Decimal

from services.intake.domain.aggregation import aggregate
from services.intake.domain.answers import SurveyAnswer
from services.intake.domain.releases import changed, fingerprint, hold_back
from services.intake.service_layer.notices import pending_notice

K, SECRET = 3, b"secret"


def answer(pseudonym: str, units: int = 1, **changes) -> SurveyAnswer:
    return SurveyAnswer(pseudonym=pseudonym, category="childcare", municipality="036023",
                        weeks=["2027-W24"], units=units, max_unit_price_eur=Decimal("90.00"),
                        **changes)


class Cell:
    """One cell's life: answers in, the line it shows out, its releases remembered."""

    def __init__(self) -> None:
        self.releases: dict[str, list] = {}

    def show(self, answers: list[SurveyAnswer]):
        aggregation = aggregate("acme", answers, K, SECRET)
        held = hold_back(aggregation.lines, aggregation.answers_by_line, self.releases, K,
                         SECRET)
        for line_id, release in held.new_releases.items():
            self.releases.setdefault(line_id, []).append(release)
        return held


def test_the_first_release_is_published_whole():
    held = Cell().show([answer(p) for p in "abc"])
    assert held.lines[0].respondents == K and held.pending_answers == 0


def test_one_more_answer_keeps_the_released_line_and_is_pending():
    cell = Cell()
    first = cell.show([answer(p) for p in "abc"]).lines
    held = cell.show([answer(p) for p in "abcd"])
    assert held.lines == first
    assert (held.pending_answers, held.pending_lines) == (1, 1)


def test_k_changed_answers_release_the_new_figures():
    cell = Cell()
    cell.show([answer(p) for p in "abc"])
    cell.show([answer(p) for p in "abcd"])
    held = cell.show([answer("a", 5), answer("b", 5), answer("c"), answer("d")])
    assert held.lines[0].units == 12 and held.pending_answers == 0


def test_a_replacement_is_one_change_and_an_unchanged_resubmission_none():
    before = fingerprint([answer("a"), answer("b")], SECRET)
    assert changed(before, fingerprint([answer("a", 2), answer("b")], SECRET)) == 1
    assert changed(before, fingerprint([answer("b"), answer("a")], SECRET)) == 0
    assert changed(before, fingerprint([answer("b"), answer("z")], SECRET)) == 2


def test_every_earlier_release_counts_not_only_the_last():
    cell = Cell()
    first = cell.show([answer(p) for p in "abc"]).lines
    cell.show([answer(p) for p in "abcdef"])  # three more: released
    held = cell.show([answer(p) for p in "abcg"])  # they leave, one joins: 1 from the first
    assert held.lines != first or held.lines[0].respondents != 4
    assert held.lines[0].respondents in (3, 6) and held.pending_answers == 1


def test_a_change_that_moves_no_figure_is_remembered_as_a_release():
    cell = Cell()
    cell.show([answer(p) for p in "abc"])
    cell.show([answer("a"), answer("b"), answer("c", required_tags=["bilingual"])])
    # Two more changes make three from the first release but two from the second.
    held = cell.show([answer("a", 4), answer("b", 4),
                      answer("c", required_tags=["bilingual"])])
    assert held.lines[0].units == 3 and held.pending_answers == 2


def test_fingerprints_keep_no_pseudonym_or_answer():
    stored = repr(fingerprint([answer("mario.rossi", 7)], SECRET))
    assert "mario.rossi" not in stored and "childcare" not in stored


def test_the_firm_is_told_what_is_pending_in_italian_and_english():
    assert pending_notice(0, 0, 10, "it") == ""
    italian = pending_notice(3, 1, 10, "it")
    assert italian.startswith("3 risposte cambiate non sono ancora pubblicate (1 riga)")
    assert "almeno 10" in italian
    assert pending_notice(1, 1, 10, "en").startswith("1 changed answer is not published yet")
