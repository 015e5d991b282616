"""The firms' budget-value rows (contract_rows.add_budget_values): valid, and worth their rows.

The relaxation spends a firm's budget to the cent, on a fraction of a unit; the row
says that the coverage the firm's lines get is at most what its budget buys in whole
units (knapsack.py). Where that is all that binds, the relaxation's bound becomes the
integer optimum.
"""

from __future__ import annotations

import itertools
import random

from matcher import constraints, contract_rows
from matcher.backends import highs
from matcher.knapsack import line_items, most_value
from matcher.linear import LinearModel
from matcher.markets import line_markets, pieces
from matcher.objective import coverage_counts
from matcher.prepare import prepare
from matcher.problem import Line, Offer, Pair, ProblemData, Tier
from matcher.variables import add_columns

# 250 € buys 2.5 units at 100 € (one week) over the firm's two lines: the relaxation
# serves 2.5, a plan 2.
ONE_FIRM = ProblemData(
    lines=(Line(units=10, weeks=(0,), firm=0, pays_budget=True),
           Line(units=10, weeks=(0,), firm=0, pays_budget=True)),
    offers=(Offer(capacity=30, weeks=(0,), tiers=(Tier(0, 100.0),)),),
    pairs=(Pair(0, 0), Pair(1, 0)),
    budgets=(250.0,),
)
# Two lines of one firm, two offers, one with a cheaper tier from 4 unit-weeks on,
# two weeks on one line: the rows must hold whatever tier each contract ends in.
TIERED = ProblemData(
    lines=(Line(units=3, weeks=(0, 1), weight=2.0, firm=0, pays_budget=True),
           Line(units=3, weeks=(0,), firm=0, pays_budget=True),
           Line(units=2, weeks=(0,), firm=1, pays_budget=True)),
    offers=(Offer(capacity=4, weeks=(0, 1), tiers=(Tier(0, 30.0), Tier(4, 21.5))),
            Offer(capacity=3, weeks=(0,), min_group=2, tiers=(Tier(0, 17.0),))),
    pairs=(Pair(0, 0), Pair(1, 0), Pair(1, 1), Pair(2, 1)),
    budgets=(130.0, 20.0),
)


def _model(problem: ProblemData, values: bool, whole: tuple[float, ...] | None = None):
    prep = prepare(problem)
    m = LinearModel()
    c = add_columns(m, prep, pieces(prep, line_markets(prep)))
    constraints.add_demand(m, prep, c)
    constraints.add_load(m, prep, c)
    contract_rows.add_tiers(m, prep, c)
    contract_rows.add_budgets(m, prep, c)
    counts = coverage_counts(prep, c)
    if values:
        contract_rows.add_budget_values(m, prep, c, counts, whole)
    for col, n in counts.items():  # maximise the coverage
        m.cost[col] = -float(n)
    return m, c


def _relaxation_bound(m: LinearModel) -> float:
    with m.overridden(integrality=False):
        return -highs.solve(m, 10.0, 0.0, 0).bound


def test_the_row_brings_the_bound_down_to_whole_units():
    without, _ = _model(ONE_FIRM, values=False)
    with_values, _ = _model(ONE_FIRM, values=True)
    assert with_values.rows_of("budget_value") and not without.rows_of("budget_value")
    optimum = -highs.solve(with_values, 10.0, 0.0, 0).objective
    assert round(optimum) == 200  # two units, weight 1 (100 counts each)
    assert abs(_relaxation_bound(without) - 250) < 1e-6
    assert abs(_relaxation_bound(with_values) - optimum) < 1e-6


def test_the_rows_cut_off_no_integer_solution():
    """Every integer point of the model without the rows satisfies them (brute force)."""
    without, _ = _model(TIERED, values=False)
    with_values, _ = _model(TIERED, values=True)
    rows = with_values.rows_of("budget_value")
    assert rows
    integer_cols = [col for col in range(without.num_cols) if without.integer[col]]
    ranges = [range(int(without.lower[col]), int(without.upper[col]) + 1) for col in integer_cols]
    feasible = tight = 0
    for point in itertools.product(*ranges):
        values = [0.0] * without.num_cols
        for col, v in zip(integer_cols, point):
            values[col] = float(v)
        if without.violations(values):
            continue
        feasible += 1
        for row in rows:
            activity = with_values.activity(row, values)
            assert activity <= with_values.row_upper[row] + 1e-9, point
            tight += activity == with_values.row_upper[row]
    assert feasible > 1 and tight  # some plan reaches the row's bound: it is the best
    assert _relaxation_bound(with_values) < _relaxation_bound(without) - 1


def test_a_split_budget_gets_its_row_from_the_whole_budget():
    # In a part whose firm has a share of its budget, the row must hold for the
    # relaxation with the whole budget too (start.py solves it so, for the bound).
    share, _ = _model(ONE_FIRM, values=True)
    whole, _ = _model(ONE_FIRM, values=True, whole=(350.0,))
    [row] = share.rows_of("budget_value")
    [row_whole] = whole.rows_of("budget_value")
    assert share.row_upper[row] == 200 and whole.row_upper[row_whole] == 300


def test_the_model_of_a_part_has_the_rows():
    from matcher.model import build
    from matcher.objective import compute_scale
    from schemas.parameters import RoundParameters

    prep = prepare(TIERED)
    m, _ = build(prep, compute_scale(prep, pieces(prep, line_markets(prep))), RoundParameters())
    assert len(m.rows_of("budget_value")) == 1  # firm 1 affords one unit: no budget row


def test_most_value_against_brute_force():
    rng = random.Random(7)
    for _ in range(400):
        items = [(rng.randint(1, 6) * rng.choice([1, 100]), rng.randint(0, 30),
                  rng.randint(0, 3)) for _ in range(rng.randint(1, 4))]
        budget = rng.randint(0, 60)
        best = max(sum(v * x for (v, _, _), x in zip(items, point))
                   for point in itertools.product(*[range(b + 1) for _, _, b in items])
                   if sum(c * x for (_, c, _), x in zip(items, point)) <= budget)
        assert most_value(items, budget) == best, (items, budget)


def test_a_line_fills_its_cheapest_columns_first():
    # 5 units; columns (value, cost, bound): the cheapest two take 2 + 3, the dearest none.
    assert line_items(5, [(100, 300, 4), (100, 100, 2), (100, 200, 3)]) == [
        (100, 100, 2), (100, 200, 3)]
