"""A part too large for its relaxation, cut into chunks (matcher/search/chunks.py).

The cut only narrows each line's choice of offers, so a plan of the chunks is a plan
of the part: it must keep every rule of the whole part (rules.py and the independent
checker), and it is kept only where it scores better than the greedy it started from.
Chunks are made small here (a few pair-weeks) so that these rounds of a few dozen
lines are cut into several.
"""

from __future__ import annotations

import pytest

import matcher.search.chunks as chunks
import matcher.search.parallel
from matcher import solve_round
from matcher.budget import TimeBudget
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import compute_scale
from matcher.model.prepare import prepare
from matcher.model.rules import broken_rules
from matcher.round.from_snapshot import index_round
from matcher.search.heuristic import greedy_units
from matcher.search.quick import score_units
from tests.support.checker import check
from tests.unit.matcher.rounds import random_round

SMALL = 12  # pair-weeks a chunk's offers hold, about


def _prepared(seed: int, lines: int = 40, offers: int = 10):
    snapshot = random_round(seed, lines=lines, offers=offers)
    idx = index_round(snapshot, snapshot.parameters)
    prep = prepare(idx.problem)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    return snapshot, prep, scale


def _held(prep) -> list[int]:
    held = [0] * len(prep.data.offers)
    for k, usable in enumerate(prep.usable):
        if usable:
            held[prep.data.pairs[k].offer] += len(prep.data.lines[prep.data.pairs[k].line].weeks)
    return held


@pytest.mark.parametrize("seed", range(6))
def test_every_offer_is_in_one_chunk_of_about_the_size_asked(seed):
    _snapshot, prep, _scale = _prepared(seed)
    chunk = chunks.chunks_of(prep, greedy_units(prep), SMALL)
    assert len(chunk) == len(prep.data.offers) and min(chunk) == 0
    assert sorted(set(chunk)) == list(range(max(chunk) + 1))  # numbered from 0, no hole
    held = _held(prep)
    for c in set(chunk):
        offers = [o for o, of in enumerate(chunk) if of == c]
        # grown until it holds the size asked: at most one offer past it
        assert sum(held[o] for o in offers) < SMALL + max(held[o] for o in offers) + 1
    assert max(chunk) > 0  # (these rounds are cut into several)


@pytest.mark.parametrize("seed", range(6))
def test_each_line_keeps_its_pairs_into_one_chunk_and_at_least_one(seed):
    _snapshot, prep, _scale = _prepared(seed)
    units = greedy_units(prep)
    chunk = chunks.chunks_of(prep, units, SMALL)
    problem, kept = chunks.restricted(prep, units, SMALL)
    data = prep.data
    assert [(p.line, p.offer) for p in problem.pairs] == [
        (data.pairs[k].line, data.pairs[k].offer) for k in kept]
    for i, pairs in enumerate(prep.line_pairs):
        mine = [k for k in kept if data.pairs[k].line == i]
        assert bool(mine) == bool(pairs)
        assert len({chunk[data.pairs[k].offer] for k in mine if not data.pairs[k].pinned}) <= 1
        served = [k for k in pairs if units.get(k)]
        if served:  # the offer the greedy served it from most is in its chunk
            top = max(served, key=lambda k: (units[k], -k))
            assert top in mine or any(units[k] == units[top] for k in mine)


def test_a_chunked_plan_keeps_every_rule_and_is_kept_only_when_better():
    improved = 0
    for seed in range(12):
        _snapshot, prep, scale = _prepared(seed)
        params = _snapshot.parameters
        units = greedy_units(prep)
        plan = chunks.chunked_units(prep, units, scale, params, TimeBudget(20.0), SMALL)
        if plan is None:
            continue
        improved += 1
        assert broken_rules(prep, plan) == []
        assert score_units(prep, plan, scale, params) < score_units(prep, units, scale, params)
    assert improved >= 3  # (the greedy leaves something to gain on most of these rounds)


@pytest.mark.parametrize("seed", range(4))
def test_a_round_of_parts_too_large_for_their_relaxation_keeps_every_rule(seed, monkeypatch):
    # As at 100k lines: every part is answered by the greedy, then cut into chunks.
    monkeypatch.setattr(matcher.search.parallel, "LP_SECONDS_PER_WEIGHT", 1e6)
    monkeypatch.setattr(chunks, "CHUNK_WEIGHT", SMALL)
    snapshot = random_round(seed, lines=40, offers=10)
    result = solve_round(snapshot)
    assert check(snapshot, result) == []
    monkeypatch.setattr(matcher.search.parallel, "improve_quick", lambda part, quick, *a: quick)
    greedy_only = solve_round(snapshot)
    assert result.objective <= greedy_only.objective + 1e-6 * abs(greedy_only.objective)
    assert result.bound == pytest.approx(greedy_only.bound)  # (the cut proves nothing)


def test_a_chunked_plan_that_breaks_a_rule_is_never_kept(monkeypatch):
    # (The chunks' plans keep the rules by construction; the check is what makes sure.)
    _snapshot, prep, scale = _prepared(0)
    monkeypatch.setattr(chunks, "_solve", lambda part, *a: [
        part.problem.lines[p.line].units + part.problem.offers[p.offer].capacity
        for p in part.problem.pairs])
    scores = iter([-1.0, 0.0])  # (were it checked by its score alone, it would be kept)
    monkeypatch.setattr(chunks, "score_units", lambda *a: next(scores))
    assert chunks.chunked_units(prep, greedy_units(prep), scale, _snapshot.parameters,
                                TimeBudget(5.0), SMALL) is None
