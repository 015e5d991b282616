"""What a published line says: ids, price, priority, tags; and which changes are published."""

from __future__ import annotations

from decimal import Decimal

import pytest

from schemas.demand import DemandLine
from services.intake.domain.aggregation import (
    accepted_price,
    aggregate,
    majority_tags,
    priority_band,
)
from services.intake.domain.answers import SurveyAnswer
from services.intake.domain.cells import Cell, line_id
from services.intake.domain.changes import StoredLine, plan_changes
from services.intake.domain.suppression import withhold


def answer(i: int, weeks=("2027-W24", "2027-W25"), **changes) -> SurveyAnswer:
    fields = {"pseudonym": f"p{i}", "category": "childcare", "municipality": "036023",
              "weeks": list(weeks), "units": 1, "max_unit_price_eur": Decimal("100")}
    return SurveyAnswer(**{**fields, **changes})


def test_line_ids_come_from_the_cell_and_tell_gapped_weeks_apart():
    contiguous = Cell("childcare", "036023", ("2027-W24", "2027-W25", "2027-W26"))
    gapped = Cell("childcare", "036023", ("2027-W24", "2027-W26"))
    secret = b"s" * 32
    assert line_id("acme", contiguous, secret).startswith(
        "acme.childcare.036023.2027-W24-2027-W26.")
    assert line_id("acme", contiguous, secret) == line_id("acme", contiguous, secret)
    assert line_id("acme", gapped, secret).startswith("acme.childcare.036023.2027-W24-2027-W26.")
    assert line_id("acme", gapped, secret) != line_id("acme", contiguous, secret)
    long_firm = "f" * 100
    assert len(line_id(long_firm, contiguous, secret)) <= 100
    DemandLine(line_id=line_id(long_firm, gapped, secret), category="childcare",
               municipality="036023", weeks=["2027-W24"], units=1, max_unit_price_eur=1,
               respondents=1)


def test_line_ids_cannot_be_computed_without_the_firms_secret():
    # Another firm knows the cell (a guess) but not the secret: it cannot take the id first.
    cell = Cell("childcare", "036023", ("2027-W24", "2027-W25"))
    assert line_id("acme", cell, b"a" * 32) != line_id("acme", cell, b"b" * 32)
    assert line_id("acme", cell, b"a" * 32) != "acme.childcare.036023.2027-W24-2027-W25"


def test_the_price_is_one_most_respondents_accept_in_whole_euros():
    prices = [Decimal(p) for p in ("0.00", "80.50", "99.90", "100", "110", "120", "130", "140",
                                   "150", "160")]
    assert accepted_price(prices) == Decimal("99")  # 8 of 10 accept 99.90; the 0 is ignored
    assert accepted_price(prices[:4]) == Decimal("0")  # with fewer than 5, the lowest


@pytest.mark.parametrize("respondents", range(10, 60))
def test_no_priority_band_says_all_or_none_are_vulnerable(respondents):
    bands: dict[int, set[int]] = {}
    for flagged in range(respondents + 1):
        bands.setdefault(priority_band(flagged, respondents), set()).add(flagged)
    assert sorted(bands) == [1, 2, 3, 4, 5]
    assert all(len(counts) >= 2 for counts in bands.values())


def test_a_tag_is_required_when_at_least_half_require_it():
    group = [answer(i, required_tags=["meals"] + (["accessible"] if i == 0 else []))
             for i in range(4)] + [answer(9)] * 4
    assert majority_tags(group) == ["meals"]


def test_a_lone_small_cell_takes_the_smallest_other_cell_with_it():
    counts = {"a": 3, "b": 11, "c": 12, "d": 30}
    result = withhold(counts, 10)
    assert (result.primary, result.secondary) == ({"a"}, {"b"})


def test_small_cells_that_protect_each_other_need_no_secondary():
    assert withhold({"a": 4, "b": 6, "c": 12}, 10).secondary == frozenset()
    # Two cells of k - 1: each could only be k - 1, so one more goes.
    assert withhold({"a": 9, "b": 9, "c": 12}, 10).secondary == {"c"}
    # All ones: each could only be 1.
    assert withhold({"a": 1, "b": 1, "c": 1, "d": 15}, 10).secondary == {"d"}


def test_aggregate_counts_each_pseudonym_once_per_cell():
    answers = [answer(i, units=2, single_parent=i < 3) for i in range(10)]
    line, = aggregate("acme", answers, 10, b"secret").lines
    assert (line.respondents, line.units, line.priority) == (10, 20, 2)
    assert line.line_id.startswith("acme.childcare.036023.2027-W24-2027-W25.")


def stored(line: DemandLine, version: int, standing: bool = True) -> StoredLine:
    return StoredLine(line, version, standing)


def test_only_differences_are_published_with_the_next_versions():
    one = aggregate("acme", [answer(i) for i in range(10)], 10, b"s").lines[0]
    other = aggregate("acme", [answer(i, weeks=("2027-W30",)) for i in range(10)], 10,
                      b"s").lines[0]
    grown = one.model_copy(update={"units": 11, "respondents": 11})
    assert not plan_changes({one.line_id: stored(one, 4)}, [one])
    changes = plan_changes({one.line_id: stored(one, 4), other.line_id: stored(other, 2)},
                           [grown])
    assert changes.submitted == ((grown, 5),)
    assert changes.withdrawn == ((other.line_id, 3),)
    back = plan_changes({other.line_id: stored(other, 3, standing=False)}, [other])
    assert back.submitted == ((other, 4),)  # a re-published line is never a stale version
