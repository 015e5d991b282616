"""The search over neighbourhoods (matcher/search/lns.py, PartSolver._lns): sub-MIPs on a
few offers sharing lines, every other integer column fixed at the best solution, each
handed to the solver restricted to what it can change (backends.linear.Restrictions).

A restricted model has the same solutions and the same objective as the whole one with
those columns fixed; the neighbourhoods are offers that share lines, drawn the same way
from the same seed; the search keeps every rule, never beats the part's optimum, lends
the part no bound, leaves its model as it was, and takes at most its share of an
improvement.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import matcher.search.part as part_module
from matcher.backends import highs
from matcher.backends.linear import INF, LinearModel, Restrictions
from matcher.budget import TimeBudget
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import compute_scale, coverage_objective
from matcher.model.prepare import prepare
from matcher.model.rules import broken_rules
from matcher.round.from_snapshot import index_round
from matcher.search import lns
from matcher.search.part import PartSolver
from matcher.search.part_result import read_flows
from matcher.solution import Status
from tests.support import orlib
from tests.unit.matcher.rounds import random_round
from matcher.model.problem import ProblemData
from tests.unit.matcher.test_scoped_model import (CAPACITIES, DEMANDS, EXACT, FIXED,
                                                  UNIT_COSTS, dump)


def _random_model(rng: random.Random, cols: int = 8, rows: int = 6) -> LinearModel:
    m = LinearModel()
    for _ in range(cols):
        m.add_col(0.0, float(rng.randint(1, 4)), rng.random() < 0.7, rng.uniform(-5, 5))
    m.offset = rng.uniform(-3, 3)
    for _ in range(rows):
        picked = rng.sample(range(cols), rng.randint(1, 4))
        coefs = [float(rng.randint(-3, 3) or 1) for _ in picked]
        kind = rng.random()
        lower, upper = ((-INF, float(rng.randint(0, 6))) if kind < 0.5
                        else (float(rng.randint(-2, 2)), INF) if kind < 0.8
                        else (float(rng.randint(0, 2)),) * 2)
        m.add_row(picked, coefs, lower, upper, family=f"f{kind:.1f}")
    return m


@pytest.mark.parametrize("seed", range(40))
def test_a_restricted_model_solves_as_the_whole_one_with_those_columns_fixed(seed):
    rng = random.Random(seed)
    m = _random_model(rng)
    fixed = {c: float(rng.randint(0, int(m.upper[c])))
             for c in rng.sample(range(m.num_cols), rng.randint(0, m.num_cols - 1))}
    with m.overridden(bounds={c: (v, v) for c, v in fixed.items()}):
        whole = highs.solve(m, 10.0, 0.0, 0)
    restrictions = Restrictions(m)
    restricted = restrictions.restricted(fixed)
    if restricted is None:  # the fixed values alone break a row: no solution either way
        assert whole.status == Status.INFEASIBLE
        return
    sub, kept = restricted
    assert kept == [c for c in range(m.num_cols) if c not in fixed]
    part = highs.solve(sub, 10.0, 0.0, 0)
    assert part.status == whole.status
    if whole.values is not None:
        assert part.objective == pytest.approx(whole.objective, abs=1e-6)
        values = restrictions.expanded(part.values, kept, fixed)
        assert not m.violations(values)
        assert [values[c] for c in fixed] == list(fixed.values())
        score = m.offset + sum(a * v for a, v in zip(m.cost, values))
        assert score == pytest.approx(part.objective, abs=1e-6)


def test_a_row_that_the_fixed_values_alone_break_makes_no_model():
    m = LinearModel()
    a, b = m.add_col(0, 3, True), m.add_col(0, 3, True)
    m.add_row([a], [1.0], 2.0, INF)  # a >= 2
    m.add_row([a, b], [1.0, 1.0], -INF, 4.0)
    assert Restrictions(m).restricted({a: 1.0}) is None
    sub, kept = Restrictions(m).restricted({a: 3.0})
    assert kept == [b] and sub.num_rows == 1  # (a >= 2 holds and goes; b <= 1 stays)
    assert (sub.row_lower[0], sub.row_upper[0]) == (-INF, 1.0)


def _part(seed: int = 0, lines: int = 80, offers: int = 16) -> PartSolver:
    snap = random_round(seed, lines=lines, offers=offers, firms=4, relative_gap=0.0)
    problem = index_round(snap, snap.parameters).problem
    prep = prepare(problem)
    return PartSolver(problem, compute_scale(prep, pieces(prep, line_markets(prep))),
                      snap.parameters)


def _hoods(part: PartSolver) -> lns.Neighbourhoods:
    return lns.Neighbourhoods(part.prep, part.c, part.m, part.params.seed)


def test_a_neighbourhood_is_offers_that_share_lines_with_the_flows_that_can_change():
    part = _started()
    hoods = _hoods(part)
    values = part.best.values
    data = part.prep.data
    flows = {}  # offer -> [(line, its columns)], from the pairs
    for k, tiers in part.c.x.items():
        flows.setdefault(data.pairs[k].offer, []).append((data.pairs[k].line,
                                                          {col for _, col in tiers}))
    own = {}
    for (o, _), col in list(part.c.r.items()) + list(part.c.z.items()):
        own.setdefault(o, set()).add(col)
    got = {line: 0.0 for o in flows for line, _ in flows[o]}
    for o in flows:
        for line, cols in flows[o]:
            got[line] += sum(values[c] for c in cols)
    short = {line for line, total in got.items() if total < data.lines[line].units - 0.5}
    again = _hoods(part)
    shapes = set()
    for _ in range(20):
        free = hoods.draw(values)
        assert free == again.draw(values)  # (the same seed draws the same)
        assert free <= set(hoods.fixable)
        offers = {o for o in set(flows) | set(own)
                  if own.get(o, set()) & free or any(cols & free for _, cols in flows.get(o, ()))}
        lines = {line for o in offers for line, cols in flows.get(o, ())
                 if any(values[c] > 0.5 for c in cols)}
        for o in offers:
            assert own.get(o, set()) <= free
            for line, cols in flows.get(o, ()):
                # a flow is free where more can be served on its line, or its units
                # can move among the offers taken; else it stays as it is
                assert (cols <= free) == (line in short or line in lines)
                assert cols <= free or not cols & free
        # the offers taken are connected through lines they share
        reached, todo = set(), [next(iter(offers))]
        while todo:
            o = todo.pop()
            if o not in reached:
                reached.add(o)
                todo.extend(n for n in hoods.near.get(o, ()) if n in offers)
        assert reached == offers
        shapes.add(len(offers))
    assert len(shapes) > 1  # (drawn at random: not always the same size)


def test_in_facility_location_a_neighbourhood_is_some_facilities_and_their_customers():
    problem = ProblemData.from_arrays(DEMANDS, CAPACITIES, FIXED, UNIT_COSTS)
    prep = prepare(problem)
    part = PartSolver(problem, compute_scale(prep, pieces(prep, line_markets(prep))), EXACT)
    part.start(TimeBudget(20.0), polish=False)
    values = part.best.values
    data = part.prep.data
    flows = {col for tiers in part.c.x.values() for _, col in tiers}
    assert not any(part.m.integer[col] for col in flows)  # (flows_integral: continuous)

    def drawn(hoods):  # (of the part, the plan and the data of the moment)
        ahead = random.Random()
        ahead.setstate(hoods.rng.getstate())
        facility = ahead.choice(hoods.offers)  # (the first offer taken: the only one)
        free = hoods.draw(values)
        customers = {data.pairs[k].line for k, tiers in part.c.x.items()
                     if data.pairs[k].offer == facility
                     and any(values[col] > 0.5 for _, col in tiers)}
        return free, facility, customers

    for tiers in part.c.x.values():  # (flows kept integer, as where other rows touch them)
        for _, col in tiers:
            part.m.integer[col] = True
    hoods = _hoods(part)
    hoods.target = 1  # (one facility)
    for _ in range(10):
        free, facility, customers = drawn(hoods)
        expected = {col for k, tiers in part.c.x.items() for _, col in tiers
                    if data.pairs[k].offer == facility and data.pairs[k].line in customers}
        expected |= {col for (o, _), col in part.c.r.items() if o == facility}
        assert free == expected
    # Continuous flows are fixed too where not freed, and a facility's customers may
    # then go to any facility open in ``values``, not only to those taken: a sub-MIP of
    # a few facilities' customers, not of every customer's flows. (cap41 from its
    # greedy plan: several facilities open.)
    problem = orlib.to_problem(orlib.load("cap41"))
    prep = prepare(problem)
    part = PartSolver(problem, compute_scale(prep, pieces(prep, line_markets(prep))), EXACT)
    part.start_greedy()
    values, data = part.best.values, part.prep.data
    flows = {col for tiers in part.c.x.values() for _, col in tiers}
    assert not any(part.m.integer[col] for col in flows)  # (flows_integral: continuous)
    open_ = {data.pairs[k].offer for k, tiers in part.c.x.items()  # (serving: one
             if any(values[col] > 0.5 for _, col in tiers)}  # has no running column)
    assert len(open_) > 2
    hoods = _hoods(part)
    assert flows <= set(hoods.fixable.tolist())
    hoods.target = 1
    seen = set()
    for _ in range(20):
        free, facility, customers = drawn(hoods)
        seen.add(facility in open_)
        expected = {col for k, tiers in part.c.x.items() for _, col in tiers
                    if data.pairs[k].line in customers
                    and (data.pairs[k].offer == facility or data.pairs[k].offer in open_)}
        expected |= {col for (o, _), col in part.c.r.items() if o == facility}
        assert free == expected
    assert seen == {True, False}  # (an open facility taken, and a closed one)


def test_in_facility_location_it_finds_a_cheaper_plan_that_keeps_every_rule():
    """cap41 (16 facilities, 50 customers): its flows are continuous, so only 16 integer
    columns; it is searched all the same, each sub-MIP a few facilities' customers."""
    instance = orlib.load("cap41")
    problem = orlib.to_problem(instance)
    prep = prepare(problem)
    part = PartSolver(problem, compute_scale(prep, pieces(prep, line_markets(prep))), EXACT)
    flows = [col for tiers in part.c.x.values() for _, col in tiers]
    assert not any(part.m.integer[col] for col in flows) and part.searching
    part.start_greedy()  # (the relaxation's rounding is optimal here already)
    rounded = part.best.objective
    assert rounded > orlib.published_optima()["cap41"].optimum * 1.001  # (room to find)
    calls = []

    def counted(m, limit, hint, call):
        calls.append((m.num_cols, sum(m.integer)))
        return part_module.run_backend(m, part.params, TimeBudget(limit), hint)

    part._lns(counted, TimeBudget(2.0))
    assert calls and calls[0][0] < part.m.num_cols / 4  # (then they grow: each is proven)
    assert part.hoods.wide
    assert all(integer <= len(instance.capacities) for _, integer in calls)
    assert part.best.objective < rounded
    units, _ = read_flows(part.prep, part.c, part.best)
    flows = {(pair.line, pair.offer): float(u) for pair, u in zip(problem.pairs, units) if u}
    checked = orlib.evaluate(instance, flows)
    assert not checked.problems
    assert checked.cost == pytest.approx(part.best.objective, rel=1e-9)
    assert checked.cost >= orlib.published_optima()["cap41"].optimum - 1e-6


def test_the_target_grows_after_a_quick_proof_and_shrinks_otherwise_within_its_bounds():
    hoods = _hoods(_part())
    hoods.learn(True)
    assert hoods.target == pytest.approx(lns.FIRST_TARGET * lns.GROW)
    hoods.learn(False)
    hoods.learn(False)
    assert hoods.target == pytest.approx(lns.FIRST_TARGET / lns.GROW)
    for _ in range(100):
        hoods.learn(False)
    assert hoods.target == lns.LEAST_TARGET
    for _ in range(100):
        hoods.learn(True)
    assert hoods.target == pytest.approx(0.9 * len(hoods.fixable))


def test_a_part_no_larger_than_a_neighbourhood_is_not_searched():
    part = _part(lines=12, offers=6)
    assert not part.searching
    part.start(TimeBudget(20.0), polish=False)
    part.improve(TimeBudget(5.0))
    assert part.hoods is None


def _started(seed: int = 0) -> PartSolver:
    part = _part(seed)
    part.start(TimeBudget(20.0), polish=False)
    part.relaxed = None  # (RINS apart: test_rins.py)
    assert part.best.values is not None and part.two_phase
    return part


@pytest.mark.parametrize("seed", range(3))
def test_it_serves_more_than_the_rounding_within_every_rule_and_no_more_than_the_optimum(seed):
    """(The optimum, a whole MIP of 10 s, on the first round only.)"""
    part = _started(seed)
    rounded, bound, kind = part.best.objective, part.best.bound, part.bound_kind
    before = dump(part.m)
    calls = []
    real = part_module.run_backend

    def counted(m, params, budget, hint=None):
        calls.append(m.num_cols)
        return real(m, params, budget, hint)

    part_module.run_backend = counted
    try:
        part._lns(lambda m, limit, hint, call: counted(m, part.params, TimeBudget(limit), hint),
                  TimeBudget(1.5))
    finally:
        part_module.run_backend = real
    assert calls and max(calls) < part.m.num_cols  # (restricted models only)
    assert part.best.objective < rounded - 1.0
    units, _ = read_flows(part.prep, part.c, part.best)
    plan = {k: u for k, u in enumerate(units) if u or part.prep.usable[k]}
    assert broken_rules(part.prep, plan) == []
    assert not part.m.violations(part.best.values)
    assert dump(part.m) == before  # (its objective held for the search only)
    assert (part.best.bound, part.bound_kind) == (bound, kind)  # (no sub-MIP's bound)
    if seed:
        return
    whole = _started(seed)
    whole.searching = False
    whole.improve(TimeBudget(60.0))
    assert whole.done
    assert part.best.objective >= whole.best.objective - 1e-6 * abs(whole.best.objective)


def test_each_sub_mip_is_hinted_with_the_best_and_a_worse_plan_is_not_kept():
    part = _started()
    best = part.best
    seen = []

    def worse(m, limit, hint, call):
        seen.append((m.num_cols, len(hint), call))
        # serving nothing is feasible for the whole part, and worse
        return part_module.RawResult(Status.FEASIBLE, 0.0, None, [0.0] * m.num_cols)

    part._lns(worse, TimeBudget(0.5))
    assert seen
    assert all(cols == hinted and call == "lns" for cols, hinted, call in seen)
    assert part.best.values is best.values and part.best.objective == best.objective


def test_sub_models_get_coverage_as_their_objective(monkeypatch):
    part = _started()
    coverage, _ = coverage_objective(part.counts, part.m.num_cols)
    checked = []

    def check(m, limit, hint, call):
        # the hint scored on the sub-model is the best solution's coverage
        value = m.offset + sum(a * v for a, v in zip(m.cost, hint))
        checked.append(value == pytest.approx(sum(a * v for a, v in
                                                  zip(coverage, part.best.values))))
        return part_module.RawResult(Status.NO_SOLUTION, None, None, None)

    part._lns(check, TimeBudget(0.3))
    assert checked and all(checked)


def test_an_improvement_gives_it_at_most_its_share_and_guards_its_calls_by_their_own_overrun(
        monkeypatch):
    part = _started()
    part.guess = 2.0  # (as a part whose start took 0.4 s: the whole MIP's calls keep 2 s)
    assert part.guard("lns") == 0.0 and part.guard("coverage") == 2.0
    now = [0.0]  # a clock that moves only as the solver calls take their whole time
    given = []

    def taking_it_all(m, params, budget, hint=None):
        seconds = budget.remaining()
        if m.num_cols < part.m.num_cols:
            given.append(seconds)
        now[0] += seconds
        return part_module.RawResult(Status.NO_SOLUTION, None, None, None)

    monkeypatch.setattr(part_module, "run_backend", taking_it_all)
    part.improve(TimeBudget(3.0, clock=lambda: now[0]))
    assert given  # (sub-MIPs were made although the whole MIP's guard is 2 s)
    assert max(given) <= part_module.LNS_CALL_S + 1e-9
    assert sum(given) == pytest.approx(part_module.LNS_SHARE / 2 * 3.0)  # (its first share)
    part.overran["lns"] = 0.2
    assert part.guard("lns") == 0.2


def test_its_share_halves_while_it_finds_nothing_and_comes_back_when_it_finds(monkeypatch):
    part = _started()
    # (the fifth finds, so a second stretch follows it in that improvement: found nothing)
    shares, finds = [], iter((False, False, False, False, True, False, False))

    def search(m, hoods, best, solve, offer, more):
        shares.append(part.lns_share)
        if next(finds):  # (a better plan: the same values, scored one lower)
            b = part.best
            part.best = part_module.RawResult(b.status, b.objective - 1.0, b.bound, b.values)

    monkeypatch.setattr(part_module.lns, "search", search)
    monkeypatch.setattr(part_module, "run_backend", lambda m, params, budget, hint=None:
                        part_module.RawResult(Status.NO_SOLUTION, None, None, None))
    part.guess = 0.0  # (the whole MIP's calls are made: no time left over for it)
    for _ in range(6):
        part.improve(TimeBudget(1.0))
    # half the whole share, then halved after each that found nothing, to the least
    # share; doubled after one that found
    half = part_module.LNS_SHARE / 2
    assert shares == pytest.approx([half, half / 2, 0.1, 0.1, 0.1, 0.2, 0.2])


def test_a_stretch_that_found_a_better_plan_earns_another_of_what_is_left(monkeypatch):
    part = _started()
    part.guess = 0.0
    now = [0.0]
    stretches, finds = [], iter((True, True, False))

    def search(m, hoods, best, solve, offer, more):
        started = now[0]
        while more():
            now[0] += 0.01
        stretches.append((started, now[0] - started))
        if next(finds):
            b = part.best
            part.best = part_module.RawResult(b.status, b.objective - 1.0, b.bound, b.values)

    monkeypatch.setattr(part_module.lns, "search", search)
    monkeypatch.setattr(part_module, "run_backend", lambda m, params, budget, hint=None:
                        part_module.RawResult(Status.NO_SOLUTION, None, None, None))
    part.improve(TimeBudget(10.0, clock=lambda: now[0]))
    share = part_module.LNS_SHARE / 2
    # each stretch a share of what the one before left, until one finds nothing (each
    # ends when less than a call's least is left of it)
    assert len(stretches) == 3
    for started, took in stretches:
        assert took == pytest.approx(share * (10.0 - started) - part_module.MIN_CALL_S,
                                     abs=0.011)
    assert part.lns_share == part_module.LNS_SHARE  # (doubled once: by the first stretch)


def test_the_time_the_whole_mip_cannot_use_goes_to_it_and_leaves_its_share_as_it_was(
        monkeypatch):
    part = _started()
    part.guess = 100.0  # (no call of the whole MIP can be made: each would run past)
    now = [0.0]
    given = []

    def taking_it_all(m, params, budget, hint=None):
        assert m.num_cols < part.m.num_cols  # (only sub-MIPs)
        given.append(budget.remaining())
        now[0] += budget.remaining()
        return part_module.RawResult(Status.NO_SOLUTION, None, None, None)

    monkeypatch.setattr(part_module, "run_backend", taking_it_all)
    part.improve(TimeBudget(3.0, clock=lambda: now[0]))
    assert sum(given) == pytest.approx(3.0, abs=part_module.MIN_CALL_S)
    assert part.lns_share == part_module.LNS_SHARE / 4  # (halved once: the first call)


@pytest.mark.parametrize("status, took, factor", [
    (Status.OPTIMAL, 0.01, lns.GROW ** 3),  # proven quickly: larger
    (Status.OPTIMAL, 0.2, lns.GROW ** -3),  # proven, but in more than half its time
    (Status.FEASIBLE, 0.01, lns.GROW ** -3)])  # not proven: smaller
def test_each_sub_mip_sizes_the_next_neighbourhood(status, took, factor):
    part = _started()
    hoods = _hoods(part)
    left = iter((True, True, True, False))
    calls = lns.search(part.m, hoods, lambda: part.best.values,
                       lambda sub, hint: (part_module.RawResult(status, None, None, None),
                                          0.3, took),
                       lambda values: None, lambda: next(left))
    assert calls == 3
    assert hoods.target == pytest.approx(lns.FIRST_TARGET * factor)


def test_a_sub_mip_plan_that_splits_a_unit_is_not_offered():
    part = _started()
    hoods = _hoods(part)
    flow = int(hoods.col[0])
    other = next(col for col in range(part.m.num_cols) if not hoods.is_flow[col])
    kept = np.array([flow, other])
    assert hoods.integral(np.array([2.0, 0.5]), kept)  # (only flows must be whole)
    assert not hoods.integral(np.array([1.5, 0.0]), kept)
    offered, left = [], iter((True, True, False))
    calls = lns.search(part.m, hoods, lambda: part.best.values,
                       lambda sub, hint: (part_module.RawResult(
                           Status.FEASIBLE, None, None, [0.5] * sub.num_cols), 0.3, 0.01),
                       offered.append, lambda: next(left))
    assert calls == 2 and offered == []


def test_where_flows_are_continuous_a_sub_mip_may_take_longer():
    problem = orlib.to_problem(orlib.load("cap41"))
    prep = prepare(problem)
    part = PartSolver(problem, compute_scale(prep, pieces(prep, line_markets(prep))), EXACT)
    part.start_greedy()
    now, given = [0.0], []

    def slow(m, limit, hint, call):
        given.append(limit)
        now[0] += limit
        return part_module.RawResult(Status.NO_SOLUTION, None, None, None)

    part._lns(slow, TimeBudget(5.0, clock=lambda: now[0]))
    assert max(given) == pytest.approx(part_module.LNS_WIDE_CALL_S)
    assert part_module.LNS_WIDE_CALL_S > part_module.LNS_CALL_S
