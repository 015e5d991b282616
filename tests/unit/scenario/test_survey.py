"""Employee-level survey answers: small cells for suppression, lines from big ones."""

from __future__ import annotations

from collections import Counter

import pytest

from services.scenario import generate
from services.scenario.survey import aggregate


@pytest.fixture(scope="module")
def base():
    return generate("modena", 11)


def cells(scenario):
    return Counter((a.firm_id, a.category, a.municipality, a.weeks) for a in scenario.survey)


def test_a_handful_of_modena_firms_answer(base):
    firms = {a.firm_id for a in base.survey}
    assert 3 <= len(firms) <= 8
    sizes = {s.firm.firm_id: s.firm.employees for s in base.firms}
    for firm_id in firms:
        answers = sum(a.firm_id == firm_id for a in base.survey)
        assert answers <= sizes[firm_id]  # one record per responding employee
    assert len({a.pseudonym for a in base.survey}) == len(base.survey)


def test_some_cells_fall_below_k(base):
    sizes = cells(base).values()
    assert any(n < 10 for n in sizes)
    assert any(n >= 10 for n in sizes)


def test_surveyed_firms_publish_their_cells_of_at_least_k(base):
    for firm_id in {a.firm_id for a in base.survey}:
        published = [line for f, line in base.lines if f == firm_id]
        assert published == aggregate(list(base.survey), firm_id)
        big = [n for (f, *_), n in cells(base).items() if f == firm_id and n >= 10]
        assert sorted(line.respondents for line in published) == sorted(big)
        answers = [a for a in base.survey if a.firm_id == firm_id]
        assert sum(line.units for line in published) <= sum(a.units for a in answers)


def test_answers_carry_vulnerability(base):
    assert any(a.single_parent for a in base.survey)
    assert any(a.dependent_relative for a in base.survey)
