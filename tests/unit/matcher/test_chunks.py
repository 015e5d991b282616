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


def _cut_parts(prep, units):
    """The cut part decomposed as chunked_units does, and its greedy shares."""
    problem, kept = chunks.restricted(prep, units, SMALL)
    inner = prepare(problem)
    parts = chunks.decompose(inner, line_markets(inner), split=True, max_pairs=4)
    return parts, chunks._greedy_shares(prep, units, parts), kept


def test_a_firm_split_between_chunks_gets_what_the_greedy_spent_there_and_no_more_in_all():
    from collections import defaultdict

    from matcher.model.rules import charge, contract_tiers

    split = 0
    for seed in range(12):
        _snapshot, prep, _scale = _prepared(seed)
        data = prep.data
        units = greedy_units(prep)
        tier_of = contract_tiers(prep, units)
        before, after, _kept = _cut_parts(prep, units)
        given: dict[int, float] = defaultdict(float)
        for old, new in zip(before, after):
            firms = sorted({data.lines[i].firm for i in old.lines if data.lines[i].firm >= 0})
            spent = defaultdict(float)
            for k, u in units.items():
                line = data.pairs[k].line
                if u and line in old.lines and data.lines[line].pays_budget:
                    spent[data.lines[line].firm] += charge(prep, k, u,
                                                           tier_of[data.pairs[k].offer])
            for j, f in enumerate(firms):
                if old.problem.budgets[j] != old.whole_budgets[j]:  # split by decompose
                    split += 1
                    assert new.problem.budgets[j] >= spent[f] - 1e-6
                    given[f] += new.problem.budgets[j]
                else:
                    assert new.problem.budgets[j] == old.problem.budgets[j]
        for f, total in given.items():
            assert total <= data.budgets[f] + 1e-6
    assert split  # (some of these rounds split a firm between chunks)


def test_a_part_started_from_a_plan_keeps_it_as_its_first_solution():
    from matcher.search.part import PartSolver

    snapshot, prep, scale = _prepared(3, lines=14, offers=6)
    units = greedy_units(prep)
    solver = PartSolver(prep.data, scale, snapshot.parameters)
    solver.start_from(units)
    assert solver.best.objective == pytest.approx(
        score_units(prep, units, scale, snapshot.parameters), rel=1e-9)
    broken = dict(units)
    k = next(k for k, u in units.items() if u)
    broken[k] += prep.data.lines[prep.data.pairs[k].line].units + 50  # (more than it asks)
    other = PartSolver(prep.data, scale, snapshot.parameters)
    other.start_from(broken)
    assert other.best.values is None  # a plan that breaks a row is not taken


def test_a_chunk_with_no_time_for_the_solver_keeps_its_start_where_that_is_better():
    # Its start is the greedy's plan cut to it; here, better still, the chunk's optimum:
    # with no time for a solver it must come back, not the chunk's own greedy answer.
    from matcher.search.part import PartSolver

    worse = 0
    for seed in range(8):
        snapshot, prep, scale = _prepared(seed)
        params = snapshot.parameters
        _before, parts, _kept = _cut_parts(prep, greedy_units(prep))
        for part in parts:
            solver = PartSolver(part.problem, scale, params)
            solver.improve(10.0)
            best = solver.result()
            if best.objective is None:
                continue
            inner = prepare(part.problem)
            optimum = {k: u for k, u in enumerate(best.units) if u}
            got = chunks._solve(part, optimum, scale, params, TimeBudget(0.0))
            plan = {k: u for k, u in enumerate(got) if inner.usable[k]}
            assert score_units(inner, plan, scale, params) == pytest.approx(best.objective)
            own = greedy_units(inner)
            worse += score_units(inner, own, scale, params) > best.objective + 1e-6
    assert worse  # (the chunks' own greedy answers are worse on some of these)
