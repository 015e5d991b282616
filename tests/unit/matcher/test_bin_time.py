"""A worker's bin answers every part by its deadline, with what the time left allows
(matcher/search/parallel.py solve_bin): the greedy and its ceiling, the counted ceiling
alone, or every line served whole as the bound; and the flows' bound where a part too
large for its relaxation leaves time for its LP.

The bin runs on a clock that stands still, so that "the time left" is exactly what the
test says it is.
"""

from __future__ import annotations

import pytest

import matcher.search.parallel as parallel
from matcher.budget import TimeBudget
from matcher.model.ceiling import ceiling_bound, demand_bound
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import compute_scale
from matcher.model.prepare import prepare
from matcher.round.from_snapshot import index_round
from matcher.search.decompose import decompose
from tests.unit.matcher.test_flow_ceiling import CROSSED


@pytest.fixture()
def one_part():
    idx = index_round(CROSSED, CROSSED.parameters)
    prep = prepare(idx.problem)
    markets = line_markets(prep)
    scale = compute_scale(prep, pieces(prep, markets))
    (part,) = decompose(prep, markets, split=True, max_pairs=10_000)
    return part, scale, CROSSED.parameters


def _bin(part, scale, params, seconds: float = 0.0):
    """solve_bin with ``seconds`` left after the score's reserve."""
    left = parallel.SCORE_S_PER_PAIR * len(part.pairs) + seconds
    budget = TimeBudget.until(left, clock=lambda: 0.0)
    (result,) = parallel.solve_bin([0], [part], scale, params, budget).values()
    return result


def test_no_time_even_to_count_gives_every_line_served_whole_as_its_bound(one_part):
    part, scale, params = one_part
    result = _bin(part, scale, params, 0.5 * parallel.CEILING.of(part))
    assert not any(result.units)
    assert result.bound == demand_bound(part.problem, scale, params)
    assert result.bound <= ceiling_bound(prepare(part.problem), scale, params)  # the weaker


def test_every_line_served_whole_is_the_weakest_bound():
    from matcher.model.problem import Line, Offer, Pair, ProblemData

    crowded = ProblemData(lines=(Line(4, (0,)), Line(4, (0,))), offers=(Offer(3, (0,)),),
                          pairs=(Pair(0, 0), Pair(1, 0)))
    prep = prepare(crowded)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    params = CROSSED.parameters
    # 8 units asked, 3 places: the counted ceiling knows, the demand bound does not
    assert demand_bound(crowded, scale, params) == pytest.approx(
        ceiling_bound(prep, scale, params) * 8 / 3)


def test_time_to_count_but_not_for_the_greedy_gives_the_counted_ceiling(one_part):
    part, scale, params = one_part
    result = _bin(part, scale, params, 0.5 * (parallel.CEILING.of(part)
                                              + parallel.QUICK.of(part)))
    assert not any(result.units) and result.bound_kind == "ceiling"
    assert result.bound == ceiling_bound(prepare(part.problem), scale, params)


def test_a_part_too_large_for_its_relaxation_gets_the_greedy_and_its_flows(one_part,
                                                                         monkeypatch):
    part, scale, params = one_part
    monkeypatch.setattr(parallel, "LP_SECONDS_PER_WEIGHT", 1e6)  # (its relaxation: never)
    result = _bin(part, scale, params, seconds=2.0)  # (a quarter: 0.5 s, for an LP of 4 pairs)
    assert any(result.units) and result.bound_kind == "flows"
    assert result.bound > ceiling_bound(prepare(part.problem), scale, params)
    # without the quarter of the time its LP needs, the counted ceiling stands
    result = _bin(part, scale, params, 1.5 * parallel.QUICK.of(part))
    assert any(result.units) and result.bound_kind == "ceiling"
