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
