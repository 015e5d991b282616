"""Parts answered without a model (matcher/search/quick.py): scored as the model would, rule-checked."""

from __future__ import annotations

import pytest

import matcher.search.parallel
from matcher import solve_round
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import compute_scale
from matcher.model.prepare import prepare
from matcher.model.rules import broken_rules
from matcher.round.from_snapshot import index_round
from matcher.search.heuristic import greedy_units, to_columns
from matcher.search.part import PartSolver
from matcher.search.part_result import read_flows
from matcher.search.quick import score_units
from matcher.solution import Status
from schemas.snapshot import RoundSnapshot
from tests.support.checker import check
from tests.unit.matcher.rounds import random_round


def _part(snapshot: RoundSnapshot):
    idx = index_round(snapshot, snapshot.parameters)
    prep = prepare(idx.problem)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    return idx, prep, scale, PartSolver(idx.problem, scale, snapshot.parameters)


def _with_previous(snapshot: RoundSnapshot) -> RoundSnapshot:
    """The same round again, the first solve's assignments as the previous round."""
    first = solve_round(snapshot)
    previous = [{"line_id": cl.line_id, "offer_id": c.offer_id, "units": cl.units}
                for c in first.contracts for cl in c.lines]
    return RoundSnapshot.model_validate({**snapshot.model_dump(mode="json"),
                                         "previous": previous})


@pytest.mark.parametrize("seed", range(8))
def test_units_are_scored_as_the_model_scores_them(seed):
    snapshot = random_round(seed, lines=14, offers=6)
    if seed % 2:
        snapshot = _with_previous(snapshot)
    idx, prep, scale, part = _part(snapshot)
    units = greedy_units(prep)
    assert broken_rules(prep, units) == []
    values = to_columns(prep, part.c, part.m, units)
    assert values is not None and part.m.violations(values) == []
    assert score_units(prep, units, scale, snapshot.parameters) == pytest.approx(
        part._score(values), rel=1e-9, abs=1e-6)
    # and the solver's own optimum, read back as units, scores what the solver says
    part.improve(20.0)
    assert part.best.values is not None
    optimum, _tiers = read_flows(prep, part.c, part.best)
    as_units = {k: u for k, u in enumerate(optimum) if prep.usable[k]}
    assert score_units(prep, as_units, scale, snapshot.parameters) == pytest.approx(
        part.best.objective, rel=1e-9, abs=1e-6)


def test_broken_rules_names_what_is_broken():
    snapshot = random_round(3, lines=14, offers=6)
    _idx, prep, _scale, _part_solver = _part(snapshot)
    units = greedy_units(prep)
    k = next(k for k, u in units.items() if u)
    line = prep.data.lines[prep.data.pairs[k].line]
    too_many = dict(units)
    too_many[k] += line.units + prep.data.offers[prep.data.pairs[k].offer].capacity
    problems = broken_rules(prep, too_many)
    assert any(p.startswith(f"line {prep.data.pairs[k].line}:") for p in problems)
    assert any(p.startswith(f"offer {prep.data.pairs[k].offer} week") for p in problems)


@pytest.mark.parametrize("seed", range(4))
def test_a_round_whose_parts_are_all_too_large_gets_the_greedy_answer(seed, monkeypatch):
    # As at 100k lines: no relaxation fits, so no model is built and every
    # part is answered by the greedy; the round still keeps every rule. (Not cut into
    # chunks here: test_chunks.py.)
    monkeypatch.setattr(matcher.search.parallel, "LP_SECONDS_PER_WEIGHT", 1e6)
    monkeypatch.setattr(matcher.search.parallel, "improve_quick", lambda part, result, *a: result)
    snapshot = random_round(seed, lines=14, offers=6)
    result = solve_round(snapshot)
    assert check(snapshot, result) == []
    assert result.status.value == "feasible" and result.totals.served_unit_weeks > 0
    idx, prep, scale, _part_solver = _part(snapshot)
    units = greedy_units(prep)
    served = sum(u * len(prep.data.lines[prep.data.pairs[k].line].weeks)
                 for k, u in units.items())
    assert result.totals.served_unit_weeks == served
    assert result.bound is not None and result.bound <= result.objective


@pytest.mark.parametrize("solver", ["highs", "cpsat"])
def test_monolithic_rounds_are_solved_by_the_solver_however_large(solver, monkeypatch):
    # The benchmarks' monolithic HiGHS and CP-SAT must be the solver on the
    # whole formulation, not the greedy: a part alone in its bin gets the time
    # even when its relaxation looks too slow to finish.
    monkeypatch.setattr(matcher.search.parallel, "LP_SECONDS_PER_WEIGHT", 1e6)
    monkeypatch.setattr(matcher.search.parallel, "quick_part",
                        lambda *a: pytest.fail("quick path taken"))
    snapshot = random_round(1, lines=10, offers=5)
    params = snapshot.parameters.model_copy(update={"decompose": False, "solver": solver})
    result = solve_round(snapshot, params)
    assert check(snapshot, result) == []
    assert result.status.value == Status.OPTIMAL.value


def test_the_greedy_spills_a_line_to_the_next_offer_when_the_first_is_full():
    # o-big could carry most lines (larger potential volume) but has room for 4 of
    # the 6 units; the other 2 go to o-small instead of staying unserved.
    from tests.unit.matcher.rounds import line, offer, snapshot

    snap = snapshot([line("a", "f", 6)], [offer("o-big", 4), offer("o-small", 2)])
    _idx, prep, _scale, _part_solver = _part(snap)
    units = greedy_units(prep)
    assert broken_rules(prep, units) == []
    assert sorted(u for u in units.values() if u) == [2, 4]
