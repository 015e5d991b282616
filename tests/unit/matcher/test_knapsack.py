"""The bounded knapsack of a firm's budget (knapsack.py), which the ceiling of a part
without a solver's bound counts with (ceiling.py): exact, and each line's units given to
its cheapest columns first."""

from __future__ import annotations

import itertools
import random

from matcher.model.knapsack import line_items, most_value


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


def test_a_knapsack_too_much_work_for_the_time_is_left_to_the_fractional_one():
    """A firm of many lines with coprime values: the programme would touch far more than
    MAX_WORK array elements, so it is not run (the ceiling then counts the fractional
    knapsack, ceiling.py, which is never below the exact one)."""
    from matcher.model.ceiling import _fractional

    items = [(50 + n, 130 + n, 100) for n in range(20)]  # 120k value steps, 140 items
    budget = sum(c * b for _, c, b in items) // 2
    from matcher.model.knapsack import MAX_STATES

    assert sum(v * b for v, _, b in items) <= MAX_STATES  # small enough by states alone
    assert most_value(items, budget) is None
    small = items[:3]
    exact = most_value(small, 200)
    assert exact is not None and _fractional(small, 200) >= exact
