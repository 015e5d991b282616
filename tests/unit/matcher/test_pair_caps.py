"""What each pair can carry at most (matcher/model/pair_caps.py), the one rule both
ceilings without a model relax a part with: the counted one (ceiling.py) and the flow
LP's (flow_ceiling.py). Checked against its definition counted by hand in whole cents,
and that each ceiling takes its pairs' caps from it and from nowhere else."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from matcher.model import ceiling, flow_ceiling
from matcher.model.ceiling import coverage_counts_ceiling
from matcher.model.flow_ceiling import FlowRelaxation
from matcher.model.pair_caps import PairCaps, pair_caps
from matcher.model.prepare import prepare
from matcher.model.problem import Line, Offer, Pair, ProblemData, Tier
from matcher.round.from_snapshot import index_round
from tests.unit.matcher.rounds import random_round


def _defined(prep, budgets) -> list[tuple[int, int, int, int]]:
    """(line, pair, cents of one unit for all the line's weeks at the cheapest allowed
    tier, the most whole units it can carry) per pair, by the definition: every count
    from 0 up to the line's units and the offer's capacity, kept while the firm's whole
    budget pays for it (for a line that pays one)."""
    data = prep.data
    rows = []
    for i, line in enumerate(data.lines):
        if line.must_serve:
            continue
        for k in prep.line_pairs[i]:
            if not prep.pair_tiers[k]:  # a pin priced out: no plan serves it
                continue
            offer = data.offers[data.pairs[k].offer]
            cents = min(round((offer.tiers[t].price + data.pairs[k].extra_cost) * 100)
                        for t in prep.pair_tiers[k]) * len(line.weeks)
            budget = round(budgets[line.firm] * 100) if line.pays_budget else math.inf
            top = max(u for u in range(min(line.units, offer.capacity) + 1)
                      if u * cents <= budget)
            rows.append((i, k, cents, top))
    return rows


def _rows(caps: PairCaps) -> list[tuple[int, int, int, int]]:
    cents = np.round(caps.cost * 100).astype(np.int64)
    return list(zip(caps.line.tolist(), caps.pair.tolist(), cents.tolist(), caps.top.tolist()))


# Firm 0 pays for lines 0 and 1 with 250 €; line 2 pays nothing; line 3 must be served.
HAND = ProblemData(
    lines=(Line(10, (0,), firm=0, pays_budget=True),  # 250 € buy 2 units at 100 €
           Line(4, (0, 1), firm=0, pays_budget=True, max_price=110.0),
           Line(5, (0,)),
           Line(3, (0,), must_serve=True)),
    offers=(Offer(30, (0, 1), tiers=(Tier(0, 100.0),)),
            # 3 places a week: the 50 € tier needs 10 unit-weeks, more than it can reach
            Offer(3, (0, 1), tiers=(Tier(0, 80.0), Tier(10, 50.0))),
            Offer(8, (0, 1), tiers=(Tier(0, 60.0),)),
            Offer(6, (0, 1), tiers=(Tier(0, 0.0),))),  # free: the budget does not bind
    pairs=(Pair(0, 0), Pair(0, 1, extra_cost=5.0),
           Pair(1, 0, extra_cost=20.0, pinned=1),  # 120 € > 110 €: a pin priced out
           Pair(1, 2, pinned=2),  # a pin the line can pay: capped like any pair
           Pair(1, 3),
           Pair(2, 0), Pair(2, 1),
           Pair(3, 2)),
    budgets=(250.0,),
)


def test_the_caps_counted_by_hand():
    prep = prepare(HAND)
    assert prep.usable[2] and prep.pair_tiers[2] == ()  # kept (pinned), but unpayable
    assert prep.pair_tiers[1] == (0,)  # the 50 € tier is out of the offer's reach
    caps = pair_caps(prep, HAND.budgets)
    assert _rows(caps) == [
        (0, 0, 10000, 2),  # the budget binds: 250 // 100
        (0, 1, 8500, 2),  # the 80 € tier (+ 5 € extra), not the 50 € one: 250 // 85
        (1, 3, 12000, 2),  # 60 € for 2 weeks: 250 // 120; the pin changes nothing
        (1, 4, 0, 4),  # free: only the line's units
        (2, 5, 10000, 5),  # no budget: the line's units
        (2, 6, 8000, 3),  # ... or the offer's capacity
    ]
    assert caps.pays.tolist() == [True, True, True, False, False, False]
    # A split part counts with the whole budget: 500 € buy twice as much.
    assert pair_caps(prep, (500.0,)).top.tolist() == [5, 3, 4, 4, 5, 3]
    # and a budget that buys no unit leaves a pair that carries nothing
    assert pair_caps(prep, (50.0,)).top.tolist() == [0, 0, 0, 4, 5, 3]



def test_a_budget_of_exactly_n_units_buys_n_despite_the_floats():
    # 0.30 / 0.10 is 2.9999999999999996 in floats: still 3 whole units.
    data = ProblemData(lines=(Line(5, (0,), firm=0, pays_budget=True),),
                       offers=(Offer(9, (0,), tiers=(Tier(0, 0.1),)),),
                       pairs=(Pair(0, 0),), budgets=(0.3,))
    assert 0.3 / 0.1 < 3
    assert pair_caps(prepare(data), data.budgets).top.tolist() == [3]

def _random_problem(seed: int) -> tuple[ProblemData, tuple[float, ...]]:
    """Lines and offers of three weeks, tiers some cannot reach, prices some lines
    cannot pay, pins, budgets that bind; amounts in whole cents."""
    rng = random.Random(seed)
    firms = rng.randint(1, 3)
    lines = []
    for _ in range(rng.randint(1, 8)):
        first = rng.randrange(3)
        lines.append(Line(rng.randint(1, 6), tuple(range(first, rng.randint(first + 1, 3))),
                          weight=rng.choice([0.5, 1.0, 2.0]),
                          max_price=rng.choice([math.inf, 90.0, 120.0]),
                          firm=rng.randrange(firms), pays_budget=rng.random() < 0.7,
                          must_serve=rng.random() < 0.1))
    offers = []
    for _ in range(rng.randint(1, 5)):
        volumes = sorted(rng.sample(range(1, 30), rng.randint(0, 2)))
        prices = [rng.choice([0, 45, 80, 99.99, 130]) for _ in range(len(volumes) + 1)]
        offers.append(Offer(rng.randint(1, 10), (0, 1, 2),
                            tiers=tuple(Tier(v, float(p)) for v, p in zip([0] + volumes, prices))))
    pairs = [Pair(i, o, extra_cost=rng.choice([0.0, 0.0, 7.5, 0.01]),
                  pinned=rng.choice([0, 0, 0, 1]))
             for i in range(len(lines)) for o in range(len(offers)) if rng.random() < 0.6]
    budgets = tuple(float(rng.choice([0, 99.99, 300, 1234.56, 100000])) for _ in range(firms))
    data = ProblemData(lines=tuple(lines), offers=tuple(offers), pairs=tuple(pairs),
                       budgets=budgets)
    whole = tuple(b * rng.choice([1, 1, 3]) for b in budgets)  # some parts of a split
    return data, whole


@pytest.mark.parametrize("seed", range(60))
def test_the_caps_are_their_definition_on_random_problems(seed):
    data, whole = _random_problem(seed)
    prep = prepare(data)
    for budgets in (data.budgets, whole):
        assert _rows(pair_caps(prep, budgets)) == _defined(prep, budgets)


@pytest.mark.parametrize("seed", range(8))
def test_the_caps_are_their_definition_on_random_rounds(seed):
    snap = random_round(seed, lines=12, offers=6, tight_budgets=True)
    prep = prepare(index_round(snap, snap.parameters).problem)
    assert _rows(pair_caps(prep, prep.data.budgets)) == _defined(prep, prep.data.budgets)


@pytest.mark.parametrize("seed", range(20))
def test_the_flow_relaxations_columns_are_the_pairs_that_carry_something(seed):
    data, whole = _random_problem(seed)
    prep = prepare(data)
    relaxed = FlowRelaxation(prep, whole)
    carrying = [(i, k, cents, top) for i, k, cents, top in _defined(prep, whole) if top > 0]
    assert relaxed.cap.tolist() == [float(top) for *_, top in carrying]
    paying = [data.lines[i].pays_budget and cents > 0 for i, _k, cents, _ in carrying]
    assert np.round(relaxed.cost * 100).astype(int).tolist() == [
        cents if pays else 0 for (_i, _k, cents, _), pays in zip(carrying, paying)]


def _one_each(real):
    """pair_caps as it is, but every pair carrying at most one unit."""
    def capped(prep, budgets):
        caps = real(prep, budgets)
        return PairCaps(line=caps.line, pair=caps.pair, cost=caps.cost,
                        top=np.minimum(caps.top, 1), pays=caps.pays)
    return capped


def test_both_ceilings_take_their_caps_from_the_one_rule(monkeypatch):
    # Two lines of 4 units at one offer of 3 places: counted, 3 units; if the rule said a
    # pair carries one unit, each line would be served one at most: 2.
    data = ProblemData(lines=(Line(4, (0,)), Line(4, (0,))), offers=(Offer(3, (0,)),),
                       pairs=(Pair(0, 0), Pair(1, 0)))
    prep = prepare(data)
    assert coverage_counts_ceiling(prep) == 3 * 100
    assert FlowRelaxation(prep, data.budgets).cap.tolist() == [3.0, 3.0]
    monkeypatch.setattr(ceiling, "pair_caps", _one_each(pair_caps))
    monkeypatch.setattr(flow_ceiling, "pair_caps", _one_each(pair_caps))
    assert coverage_counts_ceiling(prep) == 2 * 100
    assert FlowRelaxation(prep, data.budgets).cap.tolist() == [1.0, 1.0]
