"""The most coverage one firm's budget can buy in whole units: a bounded knapsack.

Used for the ceiling of a part without a solver's bound (ceiling.py). Items are a
firm's flow columns: a value (coverage counts per unit), a cost (cents per unit at
that column's tier) and an upper bound. Within one line every column has the same
value, so the cheapest columns are filled first: a line's units are given to its
columns from the cheapest up, and the line's demand row is then implied. What is
left is a plain bounded knapsack, solved exactly by dynamic programming over value
(values divided by their greatest common divisor; costs are whole cents), where
that takes little work; otherwise the caller takes the fractional knapsack.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

MAX_STATES = 200_000  # a firm whose coverage spans more value steps than this gets no row
# The dynamic programme's work, in array elements touched (states x binary items): past
# this it is not run and the caller counts the fractional knapsack instead, which is
# also a ceiling. At 100k lines firms of hundreds of lines took seconds each, with no
# clock to stop them: the workers ended 45-89 s past their deadline.
MAX_WORK = 1_000_000


def line_items(units: int, columns: Sequence[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """(value, cost, bound) per column of one line, cheapest first, bounds cut so that
    together they take at most ``units``; ``columns``: (value, cost, bound)."""
    left, items = units, []
    for value, cost, bound in sorted(columns, key=lambda item: item[1]):
        take = min(bound, left)
        if take > 0:
            items.append((value, cost, take))
            left -= take
    return items


def most_value(items: Sequence[tuple[int, int, int]], budget: int) -> int | None:
    """The most total value of whole units, (value, cost, bound) each, costing at most
    ``budget`` (all integers, values positive); None when the state space is too large."""
    budget, free, paid = int(budget), 0, []
    for value, cost, bound in items:
        if cost <= 0:  # free units: all of them, and what they give back
            free += value * bound
            budget -= cost * bound
        else:
            paid.append((value, cost, bound))
    if budget < 0 or not paid:  # (a negative budget: nothing is feasible, any bound holds)
        return free
    step = math.gcd(*(value for value, _, _ in paid))
    total = sum(value // step * bound for value, _, bound in paid)
    binary = sum(max(bound, 1).bit_length() for _, _, bound in paid)  # items after splitting
    if total > MAX_STATES or binary * (total + 1) > MAX_WORK:
        return None
    # cheapest[v]: the least cost of whole units worth at least v steps.
    cheapest = np.full(total + 1, np.inf)
    cheapest[0] = 0.0
    for value, cost, bound in paid:
        size = 1
        while bound > 0:  # binary splitting of the bound: 1, 2, 4, ... units
            take = min(size, bound)
            bound -= take
            size *= 2
            gain, price = value // step * take, float(cost * take)
            before = cheapest.copy()
            cheapest[gain:] = np.minimum(before[gain:], before[:total + 1 - gain] + price)
            cheapest[:gain] = np.minimum(before[:gain], price)
    reachable = np.nonzero(cheapest <= budget)[0]
    return free + int(reachable[-1]) * step
