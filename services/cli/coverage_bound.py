"""The most priority-weighted coverage any plan could reach, as a result's bound proves it.

The result carries the bound on the whole objective L; the ceiling on
coverage alone follows from it and the round's scale (matcher/model/objective.py):
for every plan, L >= bound and L = -w_cov A S + rest with 0 <= rest <= rest_max,
so S <= (rest_max - bound) / (w_cov A). The scale is not in the result, so it
is computed again from the snapshot (what ``solve`` did first): a second or
two at 10^4 lines. The result would need to carry the coverage bound (or A and
rest_max) for the operator's report to print this exact figure too.
"""

from __future__ import annotations

import math

from schemas.result import RoundResult
from schemas.snapshot import RoundSnapshot


def coverage_ceiling(snapshot: RoundSnapshot, result: RoundResult) -> float | None:
    """A share of the priority-weighted demand (at most 1), or None without a bound."""
    from matcher.model.markets import line_markets, pieces
    from matcher.model.objective import compute_scale
    from matcher.model.prepare import prepare
    from matcher.model.variables import weight_units
    from matcher.round.from_snapshot import index_round

    params = result.parameters
    if result.bound is None or params.coverage_weight <= 0:
        return None
    prep = prepare(index_round(snapshot, params).problem)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    rest_max = (params.fairness_weight * scale.fairness + params.cost_weight * scale.cost_max
                + params.change_weight * scale.change * scale.change_max)
    most = (rest_max - result.bound) / (params.coverage_weight * scale.coverage)
    most = math.floor(most / scale.step + 1e-6) * scale.step  # S moves in steps
    demand = sum(weight_units(line.weight) / 100 * line.units * len(line.weeks)
                 for line in prep.data.lines)
    # Rounded as the result's own coverage is (matcher/round/result.py), so they compare.
    return round(min(1.0, max(most, 0.0) / demand), 12) if demand else None
