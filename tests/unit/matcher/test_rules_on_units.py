"""The rules on units (matcher/model/rules.py) say what the model's rows say.

On random rounds and random plans, a plan keeps every rule by ``broken_rules`` exactly
when its columns (heuristic.to_columns) keep every row of the model. A rule stated
differently in the two places (a minimum group counted per line instead of per week,
a tier's volume off by one, a budget without its slack) shows up here as a plan one of
them accepts and the other refuses.
"""

from __future__ import annotations

import random

from matcher.model import rules
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import compute_scale
from matcher.model.prepare import prepare
from matcher.model.rules import broken_rules
from matcher.round.from_snapshot import index_round
from matcher.search.heuristic import greedy_units, to_columns
from matcher.search.part import PartSolver
from tests.unit.matcher.rounds import W27, line, offer, random_round, snapshot


def _model(snap):
    idx = index_round(snap, snap.parameters)
    prep = prepare(idx.problem)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    part = PartSolver(idx.problem, scale, snap.parameters)
    return prep, part


def _random_plans(prep, rng, count):
    """Plans near the greedy one and far from it, on usable pairs: some keep every rule,
    many break one (a group too small, a week over capacity, a tier, a budget)."""
    base = greedy_units(prep)
    usable = [k for k in range(len(prep.data.pairs)) if prep.usable[k]]
    for n in range(count):
        plan = dict(base) if n % 2 else {}
        for k in rng.sample(usable, min(len(usable), rng.randint(1, 4))):
            plan[k] = rng.randint(0, prep.data.lines[prep.data.pairs[k].line].units)
        yield plan
    # and everything at once: each line asked of every offer it may use
    yield {k: prep.data.lines[prep.data.pairs[k].line].units for k in usable}


def test_broken_rules_agrees_with_the_models_rows():
    kept = broken = 0
    for seed in range(16):
        prep, part = _model(random_round(seed, lines=10, offers=5))
        rng = random.Random(seed)
        for plan in _random_plans(prep, rng, 80):
            by_rules = broken_rules(prep, plan) == []
            values = to_columns(prep, part.c, part.m, plan)
            by_rows = values is not None and part.m.violations(values) == []
            assert by_rules == by_rows, (seed, plan, broken_rules(prep, plan),
                                         values and part.m.violations(values))
            kept += by_rules and bool(plan)
            broken += not by_rules
    assert kept > 100 and broken > 100, (kept, broken)  # both sides were tried, often


def test_each_rule_on_a_camp_of_ten_with_a_group_of_four():
    snap = snapshot([line("a", "f1", 3), line("b", "f2", 3), line("c", "f3", 6)],
                    [offer("camp", 10, min_group=4, weeks=(W27,))])
    prep, _part = _model(snap)
    a, b, c = (next(iter(prep.line_pairs[i])) for i in range(3))
    assert broken_rules(prep, {a: 3, b: 3}) == []  # 6 units: the group runs
    assert broken_rules(prep, {a: 3}) == ["offer 0 week 0: load 3"]  # below the minimum
    assert broken_rules(prep, {a: 3, b: 3, c: 6}) == ["offer 0 week 0: load 12"]  # over 10
    assert broken_rules(prep, {a: 4, b: 3}) == ["line 0: 4 of 3 units"]
    camp = prep.data.offers[0]
    assert (rules.below_minimum(camp, 3), rules.below_minimum(camp, 0)) == (True, False)
    assert (rules.closed(camp, 0), rules.room(camp, 7)) == (True, 3)
