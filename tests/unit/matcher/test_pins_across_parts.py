"""Issue 12: an accepted pin must not make a decomposed round infeasible.

A firm whose lines span parts too large to join gets its budget split into
shares (decompose.py), once in proportion to what each part's lines cost at
their cheapest. A pin on a dearer offer than its line's cheapest then cost
more than its part's share: the part, and so the whole round, came back
infeasible with 0 contracts, although the firm's whole budget paid for the
pin. Joining is prevented here by a tiny ``max_pairs``, as a 15,096-line book
does with its real limit.
"""

from __future__ import annotations

import sys

import pytest

import matcher
from matcher.model.markets import line_markets
from matcher.model.prepare import prepare
from matcher.round.from_snapshot import index_round
from matcher.search.decompose import decompose
from schemas.result import SolveStatus
from tests.support.checker import check
from tests.unit.matcher.rounds import OTHER_TOWN, TOWN, line, offer, served, snapshot

solve_module = sys.modules["matcher.solve"]  # the package's name is the function


def _book(pinned=(("L1", "DEAR", 1),), budget="100"):
    # F1: L1 in town (a cheap and a dear offer), L2 in the other town (one offer).
    # Cheapest costs 10 and 90 split the budget 10 / 90; the pin on DEAR costs 50.
    return snapshot(
        [line("L1", "F1", 1, municipality=TOWN), line("L2", "F1", 1, municipality=OTHER_TOWN),
         line("L3", "F2", 1, municipality=OTHER_TOWN)],
        [offer("CHEAP", 5, tiers=((0, "10"),), area=(TOWN,)),
         offer("DEAR", 5, tiers=((0, "50"),), area=(TOWN,)),
         offer("FAR", 5, tiers=((0, "90"),), area=(OTHER_TOWN,))],
        budgets={"F1": budget}, pinned=pinned)


@pytest.fixture
def parts_never_joined(monkeypatch):
    monkeypatch.setattr(solve_module, "joined_pairs", lambda time_limit_s: 1)


def _split(snap):
    prep = prepare(index_round(snap, snap.parameters).problem)
    return decompose(prep, line_markets(prep), max_pairs=1)


def test_the_book_is_split_with_the_firms_budget_shared():
    parts = _split(_book())
    assert len(parts) == 2 and sum(p.split_firms for p in parts) == 2


def test_each_share_holds_the_pins_of_its_part():
    parts = _split(_book())
    town = next(p for p in parts if len(p.offers) == 2)  # CHEAP and DEAR
    assert town.problem.budgets[0] >= 50  # F1's share there pays the pin


def test_a_pin_dearer_than_its_lines_cheapest_is_kept(parts_never_joined):
    snap = _book()
    result = matcher.solve_round(snap)
    assert result.parts == 2
    assert result.status == SolveStatus.OPTIMAL or result.status == SolveStatus.FEASIBLE
    assert served(result)[("L1", "DEAR")] == 1
    assert ("L3", "FAR") in served(result)  # the other part still serves
    assert check(snap, result) == []


def test_pins_beyond_the_whole_budget_are_still_infeasible(parts_never_joined):
    snap = _book(budget="40")  # the pin alone costs 50
    result = matcher.solve_round(snap)
    assert result.status == SolveStatus.INFEASIBLE
    assert result.contracts == []
