"""The per-pair tier links (contract_rows.add_tier_links): valid, and worth their rows.

A round built to need them: the cheap tier starts at 20 unit-weeks, which the two
firms' budgets cannot reach together. Without the links the relaxation buys 15
units at the cheap tier with half a contract in it; with them it sees that the
contract cannot be in that tier, and its bound is the integer optimum.
"""

from __future__ import annotations

import itertools

from matcher.backends import highs
from matcher.backends.linear import LinearModel
from matcher.model import constraints, contract_rows
from matcher.model.markets import line_markets, pieces
from matcher.model.prepare import prepare
from matcher.model.problem import Line, Offer, Pair, ProblemData, Tier
from matcher.model.variables import add_columns

NEEDS_LINKS = ProblemData(
    lines=(Line(units=10, weeks=(0,), firm=0, pays_budget=True),
           Line(units=10, weeks=(0,), firm=1, pays_budget=True)),
    offers=(Offer(capacity=30, weeks=(0,), min_group=0, fixed_cost=0.0,
                  tiers=(Tier(0, 100.0), Tier(20, 10.0))),),
    pairs=(Pair(0, 0), Pair(1, 0)),
    budgets=(500.0, 50.0),
)


def _model(problem: ProblemData, links: bool):
    prep = prepare(problem)
    m = LinearModel()
    c = add_columns(m, prep, pieces(prep, line_markets(prep)))
    constraints.add_demand(m, prep, c)
    constraints.add_load(m, prep, c)
    contract_rows.add_tiers(m, prep, c)
    if links:
        contract_rows.add_tier_links(m, prep, c)
    contract_rows.add_budgets(m, prep, c)
    for cols in c.x.values():  # maximise the units served
        for _, col in cols:
            m.cost[col] = -1.0
    return m, c


def _relaxation_bound(m: LinearModel) -> float:
    integer = m.integer
    m.integer = [False] * m.num_cols
    raw = highs.solve(m, 10.0, 0.0, 0)
    m.integer = integer
    return -raw.bound


def test_links_raise_the_bound_to_the_integer_optimum():
    without, _ = _model(NEEDS_LINKS, links=False)
    with_links, c = _model(NEEDS_LINKS, links=True)
    assert with_links.rows_of("tier_link") and not without.rows_of("tier_link")
    optimum = -highs.solve(with_links, 10.0, 0.0, 0).objective
    assert round(optimum) == 5  # five units for firm 0 at the dear tier
    assert _relaxation_bound(without) > 14.9
    assert abs(_relaxation_bound(with_links) - optimum) < 1e-6


def test_links_cut_off_no_integer_solution():
    """Every integer point of the model without links satisfies the links (brute force)."""
    without, c = _model(NEEDS_LINKS, links=False)
    with_links, _ = _model(NEEDS_LINKS, links=True)
    links = with_links.rows_of("tier_link")
    integer_cols = [col for col in range(without.num_cols) if without.integer[col]]
    # The other columns (fairness attainment) appear in none of these rows: zero.
    assert all(without.upper[col] >= 0 == without.lower[col] for col in range(without.num_cols))
    ranges = [range(int(without.lower[col]), int(without.upper[col]) + 1) for col in integer_cols]
    feasible = 0
    for point in itertools.product(*ranges):
        values = [0.0] * without.num_cols
        for col, v in zip(integer_cols, point):
            values[col] = float(v)
        if without.violations(values):
            continue
        feasible += 1
        assert all(with_links.activity(row, values) <= with_links.row_upper[row] + 1e-9
                   for row in links), point
    assert feasible > 1


def test_the_model_of_a_small_part_has_the_links():
    from matcher.model.build import build
    from matcher.model.objective import compute_scale
    from schemas.parameters import RoundParameters

    prep = prepare(NEEDS_LINKS)
    m, _ = build(prep, compute_scale(prep, pieces(prep, line_markets(prep))), RoundParameters())
    # One per pair and tier it can afford: f2 cannot afford one unit at the dear tier.
    assert len(m.rows_of("tier_link")) == 3
