"""Joining markets so that a firm's budget stays whole, up to a size set by the time limit."""

from __future__ import annotations

import sys

from matcher.model.markets import line_markets
from matcher.model.prepare import prepare
from matcher.round.from_snapshot import index_round
from matcher.search.decompose import decompose
from tests.unit.matcher.rounds import OTHER_TOWN, TOWN, line, offer, snapshot

solve_module = sys.modules["matcher.solve"]


def _two_towns(budget: str):
    # One firm, one line in each town, each town with its own offer: two markets
    # that only the firm's budget couples (when it can bind).
    return snapshot(
        [line("a", "f", 4, municipality=TOWN), line("b", "f", 4, municipality=OTHER_TOWN)],
        [offer("o1", 10, area=(TOWN,)), offer("o2", 10, area=(OTHER_TOWN,))],
        budgets={"f": budget})


def _parts(snap, max_pairs):
    prep = prepare(index_round(snap, snap.parameters).problem)
    return decompose(prep, line_markets(prep), max_pairs=max_pairs)


def test_a_binding_budget_joins_the_markets_it_spans():
    parts = _parts(_two_towns("500"), max_pairs=10)
    assert len(parts) == 1 and parts[0].split_firms == 0


def test_too_large_to_join_means_the_budget_is_shared_out():
    parts = _parts(_two_towns("500"), max_pairs=1)
    assert len(parts) == 2 and all(p.split_firms == 1 for p in parts)
    assert sum(p.problem.budgets[0] for p in parts) <= 500


def test_a_budget_that_cannot_bind_couples_nothing():
    parts = _parts(_two_towns("100000"), max_pairs=10)
    assert len(parts) == 2 and all(p.split_firms == 0 for p in parts)


def test_longer_rounds_may_join_larger_parts():
    sizes = [solve_module.joined_pairs(s) for s in (1.0, 5.0, 30.0, 120.0)]
    assert sizes[0] == sizes[1] == 4000
    assert sizes[1] < sizes[2] < sizes[3]
