"""Constraint families one at a time, on a two-line, one-offer problem, without a solver."""

from __future__ import annotations

from matcher.backends.linear import LinearModel
from matcher.model import constraints, contract_rows
from matcher.model.markets import line_markets, pieces
from matcher.model.prepare import prepare
from matcher.model.problem import Line, Offer, Pair, ProblemData, Tier
from matcher.model.variables import add_columns

PROBLEM = ProblemData(
    lines=(Line(units=3, weeks=(0, 1), firm=0, pays_budget=True),
           Line(units=4, weeks=(1,), firm=1, pays_budget=True)),
    offers=(Offer(capacity=6, weeks=(0, 1), min_group=4, fixed_cost=10.0,
                  tiers=(Tier(0, 100.0), Tier(8, 80.0))),),
    pairs=(Pair(0, 0, pinned=1), Pair(1, 0)),
    budgets=(1000.0, 1000.0),
)


def model_with(family, problem=PROBLEM):
    prep = prepare(problem)
    found = pieces(prep, line_markets(prep))
    m = LinearModel()
    c = add_columns(m, prep, found)
    family(m, prep, c, found) if family is contract_rows.add_fairness else family(m, prep, c)
    return m, c


def values(m, c, units, tier, running=(0, 1)):
    """Units per pair at one tier, the offer running in ``running``."""
    v = [0.0] * m.num_cols
    for k, u in enumerate(units):
        for t, col in c.x[k]:
            v[col] = u if t == tier else 0
    for (o, w), col in c.r.items():
        v[col] = 1.0 if w in running else 0.0
    for (o, t), col in c.z.items():
        v[col] = 1.0 if t == tier and any(units) else 0.0
    return v


def test_columns_one_per_pair_and_reachable_tier():
    m, c = model_with(lambda *a: None)
    assert [t for t, _ in c.x[0]] == [0, 1] and len(c.r) == 2 and len(c.z) == 2


def test_demand_and_pinned():
    m, c = model_with(constraints.add_demand)
    assert not m.violations(values(m, c, [3, 4], 1))
    assert m.violations(values(m, c, [3, 5], 1))
    m, c = model_with(constraints.add_pinned)
    assert m.violations(values(m, c, [0, 4], 1))


def test_load_between_group_and_capacity_when_running():
    m, c = model_with(constraints.add_load)
    assert not m.violations(values(m, c, [0, 4], 0, running=(1,)))
    # Line 0 alone in week 0 (3 units) is below the group of 4: it cannot run.
    assert any("min_group" in v for v in m.violations(values(m, c, [3, 3], 0)))
    assert any("capacity" in v for v in m.violations(values(m, c, [3, 4], 0)))
    assert any("capacity" in v for v in m.violations(values(m, c, [0, 4], 0, running=())))


def test_tier_follows_volume():
    m, c = model_with(contract_rows.add_tiers)
    assert not m.violations(values(m, c, [3, 3], 1))  # 6 + 3 = 9 unit-weeks: tier 1
    assert m.violations(values(m, c, [3, 3], 0))
    assert m.violations(values(m, c, [1, 1], 1))  # 3 unit-weeks cannot be tier 1


def test_budget_counts_price_times_weeks():
    lines = tuple(Line(line.units, line.weeks, firm=0, pays_budget=True) for line in PROBLEM.lines)
    one_firm = ProblemData(lines, PROBLEM.offers, PROBLEM.pairs, budgets=(700.0,))
    m, c = model_with(contract_rows.add_budgets, one_firm)
    (row,) = m.rows_of("budget")  # up to 3 x 2 x 100 + 4 x 100 = 1000 > 700
    assert m.row_upper[row] == 700.0
    assert m.violations(values(m, c, [3, 2], 0))  # 600 + 200
    assert not m.violations(values(m, c, [2, 3], 0))  # 400 + 300


def test_a_budget_nothing_can_exceed_needs_no_row():
    m, _ = model_with(contract_rows.add_budgets)
    assert m.rows_of("budget") == []


def test_fairness_attainment_is_capped_by_coverage():
    m, c = model_with(contract_rows.add_fairness)
    v = values(m, c, [0, 0], 0)
    g = c.s[0][0]
    v[g] = 1.0
    assert m.violations(v)
