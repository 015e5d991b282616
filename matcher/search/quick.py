"""A part too large for the MIP in the time: the greedy start alone, no model built.

At 100k demand lines a round's largest parts have a quarter of a million
pairs or more; building their model takes longer than the round may run, and
their relaxation longer still. Such a part gets the greedy solution of
heuristic.py, which works on units per pair and needs no columns. Without
a model to check it against, the rules are checked on the units (rules.py), and
the objective L is computed from the units exactly as the model would score
them (objective.py; tests compare the two on parts small enough to build).
The bound is the ceiling counted without a solver (ceiling.py): honest, not tight;
where the caller gives it time, the flow ceiling (flow_ceiling.py): tighter.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import replace

from matcher.budget import TimeBudget
from matcher.model.flow_ceiling import flow_bound
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import Scale
from matcher.model.prepare import Prepared, prepare
from matcher.model.problem import ProblemData
from matcher.model.rules import broken_rules, contract_tiers, weekly_loads
from matcher.model.variables import BREAKPOINTS, piece_demand, weight_units
from matcher.search.heuristic import greedy_units
from matcher.search.part_result import PartResult, unbuilt
from matcher.solution import Status
from schemas.parameters import RoundParameters


def quick_part(data: ProblemData, scale: Scale, params: RoundParameters,
               whole_budgets: tuple[float, ...] | None = None,
               flows: float | TimeBudget | None = None) -> PartResult:
    """``whole_budgets``: the firms' budgets before a split, for the bound (decompose.py).
    ``flows``: the time (seconds, or the budget to end by) for the flow ceiling
    (flow_ceiling.py), after the greedy; without it the bound is the counted ceiling."""
    started = time.perf_counter()
    prep = prepare(data)
    units = greedy_units(prep)
    fallback = unbuilt(data, scale, params, whole_budgets, prep)
    if flows is not None:
        bound = flow_bound(prep, scale, params, whole_budgets, flows)
        if bound is not None and fallback.bound is not None and bound > fallback.bound:
            fallback = replace(fallback, bound=bound, bound_kind="flows")
    if broken_rules(prep, units):  # (a pin the greedy could not keep, a line it must serve)
        return fallback
    tiers = [-1] * len(data.offers)
    for o, t in contract_tiers(prep, units).items():
        tiers[o] = t
    per_pair = [0] * len(data.pairs)
    for k, u in units.items():
        per_pair[k] = u
    took = time.perf_counter() - started
    return PartResult(Status.FEASIBLE, score_units(prep, units, scale, params), fallback.bound,
                      tuple(per_pair), tuple(tiers), 0.0, took, fallback.bound_kind)


def score_units(prep: Prepared, units: dict[int, int], scale: Scale,
                params: RoundParameters) -> float:
    """The part's L (objective.py) of a solution given as units per usable pair.

    A function of the plan alone, summed exactly (math.fsum): the same units give the
    same figure to the last digit, whichever search found them (part.py scores every
    part's final plan with it)."""
    data = prep.data
    tier_of = contract_tiers(prep, units)
    terms: list[float] = []
    served: dict[int, int] = defaultdict(int)  # weighted unit-weeks per line, in hundredths
    for k, pair in enumerate(data.pairs):
        u = units.get(k, 0)
        line = data.lines[pair.line]
        weeks = len(line.weeks)
        if u:
            terms.append(params.cost_weight * prep.unit_price(k, tier_of[pair.offer]) * weeks * u)
            if not line.must_serve:
                served[pair.line] += weight_units(line.weight) * weeks * u
        if prep.usable[k]:
            terms.append(params.change_weight * scale.change * weeks * abs(u - pair.previous))
    terms.append(-params.coverage_weight * scale.coverage * sum(served.values()) / 100)
    for (o, _w) in weekly_loads(prep, units):
        terms.append(params.cost_weight * data.offers[o].fixed_cost)
    per_piece = params.fairness_weight * scale.fairness / max(scale.pieces, 1)
    for lines in pieces(prep, line_markets(prep)):
        demand = piece_demand(prep, lines)
        got = sum(served[i] for i in lines)
        attained = sum(min(k * demand, BREAKPOINTS * got) for k in range(1, BREAKPOINTS + 1))
        terms.append(per_piece * (1 - 2 / (BREAKPOINTS + 1) * attained / (BREAKPOINTS * demand)))
    return math.fsum(terms)

