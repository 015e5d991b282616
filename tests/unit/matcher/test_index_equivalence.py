"""The array paths give exactly what the plain loops give.

prepare() works on numpy arrays from ARRAYS_FROM_PAIRS pairs on and with plain loops
below; both must give the same Prepared, field by field, dict orders included.
markets.components() must find union_find's roots, decompose.line_prices() the
cheapest and dearest Prepared.unit_price of each line.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from matcher.model import prepare as prepare_module
from matcher.model.markets import components, union_find
from matcher.model.prepare import _prepare_arrays, _prepare_loops
from matcher.model.problem import Line, Offer, Pair, ProblemData, Tier
from matcher.round.from_snapshot import index_round
from matcher.search.decompose import line_prices
from tests.unit.matcher.rounds import random_round

FIELDS = ("usable", "dropped", "pair_tiers", "offer_tiers", "max_volume", "week_pairs",
          "potential", "line_pairs")


def _random_problem(seed: int) -> ProblemData:
    """Dense and tight: minimum groups near the loads, prices near the limits, pins,
    extra costs, three tiers; so that pairs fall for their price and their group,
    over several passes, and offers are handed to the loops."""
    rng = random.Random(seed)
    weeks = 5
    lines = []
    for _ in range(rng.randint(5, 40)):
        first = rng.randrange(weeks)
        lines.append(Line(units=rng.randint(1, 5),
                          weeks=tuple(range(first, rng.randint(first + 1, weeks))),
                          max_price=rng.choice([80.0, 100.0, 120.0, float("inf")]),
                          firm=0, pays_budget=rng.random() < 0.5))
    offers = []
    for _ in range(rng.randint(1, 8)):
        capacity = rng.randint(2, 15)
        offers.append(Offer(capacity=capacity, weeks=tuple(range(weeks)),
                            min_group=rng.choice([0, 0, rng.randint(1, capacity)]),
                            tiers=(Tier(0, rng.choice([90.0, 110.0, 130.0])),
                                   Tier(rng.randint(1, 20), 95.0), Tier(30, 70.0))[
                                :rng.randint(1, 3)]))
    pairs = [Pair(i, j, rng.choice([0.0, 0.0, 5.5, 25.0]),
                  rng.choice([0] * 12 + [1, 2]), rng.choice([0, 0, 3]))
             for i in range(len(lines)) for j in range(len(offers)) if rng.random() < 0.7]
    rng.shuffle(pairs)  # not in line order: the arrays must not rely on it
    return ProblemData(tuple(lines), tuple(offers), tuple(pairs), (500.0,))


def _rounds():
    for seed in range(40):
        yield index_round(snap := random_round(seed, lines=30, offers=8),
                          snap.parameters).problem
    for seed in range(300):
        yield _random_problem(seed)


def _same(a, b) -> None:
    for field in FIELDS:
        x, y = getattr(a, field), getattr(b, field)
        assert x == y, field
        if isinstance(x, dict):
            assert list(x) == list(y), f"{field}: order"
            assert all(type(v) is type(y[k]) for k, v in x.items()), field
        else:
            assert [type(v) for v in x] == [type(v) for v in y], field


def test_prepare_on_arrays_is_prepare_with_loops(monkeypatch):
    handed, reasons, passes = [0], set(), set()
    settle = prepare_module._settle

    def counted(*args):
        handed[0] += 1
        return settle(*args)

    monkeypatch.setattr(prepare_module, "_settle", counted)
    for problem in _rounds():
        loops, arrays = _prepare_loops(problem), _prepare_arrays(problem)
        _same(loops, arrays)
        reasons |= set(loops.dropped.values())
        passes.add(len(loops.dropped) > 0)
    # The cases the arrays treat apart were all met: both reasons, offers handed over.
    assert reasons == {"price", "group"} and passes == {True, False} and handed[0] > 0


def test_prepare_with_no_pairs_or_no_offers():
    lone = ProblemData((Line(2, (0,)),), (Offer(3, (0, 1)),), ())
    _same(_prepare_loops(lone), _prepare_arrays(lone))
    empty = ProblemData((), (), ())
    _same(_prepare_loops(empty), _prepare_arrays(empty))


@pytest.mark.parametrize("seed", range(30))
def test_components_are_union_find(seed):
    rng = random.Random(seed)
    size = rng.randint(1, 60)
    edges = [(rng.randrange(size), rng.randrange(size)) for _ in range(rng.randint(0, 50))]
    a = np.array([e[0] for e in edges], np.int64)
    b = np.array([e[1] for e in edges], np.int64)
    assert components(size, a, b).tolist() == union_find(size, edges)


def test_line_prices_are_the_unit_prices():
    for problem in _rounds():
        prep = _prepare_loops(problem)
        cheapest, dearest = line_prices(prep)
        for i, pairs in enumerate(prep.line_pairs):
            prices = [prep.unit_price(k, t) for k in pairs for t in prep.pair_tiers[k]]
            assert cheapest[i] == min(prices, default=0.0)
            assert dearest[i] == max(prices, default=0.0)
