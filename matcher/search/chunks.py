"""A part too large for its relaxation, cut into chunks the solver can take.

quick.py answers such a part with the greedy alone, and the greedy serves far
less than the MIP where minimum groups are tight (the summer family: 0.06-0.08 of
the weighted demand greedily, 0.2-0.4 by the MIP on parts it can build). Here the
part is cut instead:

1. each line keeps only its pairs into one chunk of offers: the chunk of its first
   choice (the offer the greedy served it from, else the one most lines could
   join); chunks grow offer by offer along the lines' first two choices (the
   offers that compete for the same lines stay together) until their offers hold
   about ``chunk_weight`` pair-weeks;
2. the part so restricted falls apart into markets, and decompose.py makes them
   parts, firms spanning them getting budget shares;
3. each is solved as a part (part.py: the greedy, the relaxation's rounding, the
   MIP), largest first, each with its share of the time; one the time does not
   reach keeps its own greedy answer.

The union is a plan of the whole part: the chunks' offers are disjoint, each line
is in one chunk, and a firm's shares add up to no more than its budget. It is
checked against every rule (rules.py) and scored as the part's plan
(quick.score_units), and kept only where it scores better than the greedy.
Restricting pairs can only lose plans, so the part's bound stays the quick one.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from dataclasses import replace

from matcher.budget import TimeBudget
from matcher.model.markets import line_markets
from matcher.model.objective import Scale
from matcher.model.prepare import Prepared, prepare
from matcher.model.problem import ProblemData, many_pairs
from matcher.model.rules import broken_rules, charge, contract_tiers
from matcher.search.decompose import Part, decompose, part_weight
from matcher.search.heuristic import greedy_units
from matcher.search.repair import repair
from matcher.search.part import LP_SECONDS_PER_WEIGHT, PartResult, PartSolver
from matcher.search.quick import score_units
from schemas.parameters import RoundParameters

# About what a chunk's offers hold, in pair-weeks (decompose.part_weight): parts of this
# size build, start and improve in a few seconds (the Modena 10k round's largest parts:
# 24,000 to 34,000).
CHUNK_WEIGHT = 40_000


def chunks_of(prep: Prepared, units: dict[int, int], chunk_weight: int | None = None
              ) -> list[int]:
    """The chunk of each offer of the part (step 1), numbered from 0; ``chunk_weight``
    (default CHUNK_WEIGHT): the pair-weeks a chunk's offers hold, about."""
    return _chunks(prep, *_choices(prep, units), chunk_weight or CHUNK_WEIGHT)


def _chunks(prep: Prepared, first: list[int], second: list[int], chunk_weight: int
            ) -> list[int]:
    data = prep.data
    neighbours: list[set[int]] = [set() for _ in data.offers]
    for a, b in zip(first, second):
        if a >= 0 and b >= 0 and a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    held = [0] * len(data.offers)  # usable pair-weeks per offer
    for k, usable in enumerate(prep.usable):
        if usable:
            held[data.pairs[k].offer] += len(data.lines[data.pairs[k].line].weeks)
    chunk = [-1] * len(data.offers)
    count = 0
    # Seeds in order of the most pair-weeks first: the large offers anchor their chunks.
    for seed in sorted(range(len(data.offers)), key=lambda o: (-held[o], o)):
        if chunk[seed] >= 0:
            continue
        size, queue = 0, deque([seed])
        chunk[seed] = count
        while queue and size < chunk_weight:
            o = queue.popleft()
            size += held[o]
            for n in sorted(neighbours[o]):
                if chunk[n] < 0:
                    chunk[n] = count
                    queue.append(n)
        for o in queue:  # (reached, not taken: they go to later chunks)
            chunk[o] = -1
        count += 1
    return chunk


def restricted(prep: Prepared, units: dict[int, int], chunk_weight: int | None = None
               ) -> tuple[ProblemData, list[int]]:
    """The part with each line's pairs cut to its chunk (and every pinned pair kept),
    and the part's pair index of each pair kept."""
    data = prep.data
    first, second = _choices(prep, units)
    chunk = _chunks(prep, first, second, chunk_weight or CHUNK_WEIGHT)
    kept = [k for i, pairs in enumerate(prep.line_pairs) for k in pairs
            if chunk[data.pairs[k].offer] == chunk[first[i]] or data.pairs[k].pinned]
    chosen = [data.pairs[k] for k in kept]
    problem = ProblemData.trusted(
        data.lines, data.offers,
        many_pairs([p.line for p in chosen], [p.offer for p in chosen],
                   [p.extra_cost for p in chosen], [p.pinned for p in chosen],
                   [p.previous for p in chosen]),
        data.budgets)
    return problem, kept


def chunked_units(prep: Prepared, units: dict[int, int], scale: Scale,
                  params: RoundParameters, budget: TimeBudget,
                  chunk_weight: int | None = None) -> dict[int, int] | None:
    """A plan of the part (units per usable pair) from its chunks, solved each by
    ``budget``'s deadline; None where it breaks a rule or scores no better than
    ``units`` (the greedy's)."""
    chunk_weight = chunk_weight or CHUNK_WEIGHT
    problem, kept = restricted(prep, units, chunk_weight)
    inner = prepare(problem)
    # (joined for budgets up to a chunk's size, in pairs: decompose counts pairs)
    per_pair = sum(len(line.weeks) for line in problem.lines) / max(len(problem.lines), 1)
    parts = decompose(inner, line_markets(inner), split=True,
                      max_pairs=max(int(chunk_weight / per_pair), 1))
    if budget.expired():
        return None
    # The greedy's own plan, cut to each chunk, is each chunk's first solution; a firm
    # split between chunks gets in each what the greedy spent there, and a share of what
    # it left: so that the cut plan stays within every share.
    cut = [units.get(k, 0) for k in kept]  # the greedy's units per pair of ``problem``
    parts = _greedy_shares(prep, units, parts)
    plan: dict[int, int] = {k: 0 for k, usable in enumerate(prep.usable) if usable}
    weight = sum(part_weight(p) for p in parts)
    for part in sorted(parts, key=lambda p: (-part_weight(p), p.lines)):
        share = budget.within(budget.remaining() * part_weight(part) / max(weight, 1))
        weight -= part_weight(part)
        hint = {local: cut[k] for local, k in enumerate(part.pairs) if cut[k]}
        got = _solve(part, hint, scale, params, share)
        if got is None:
            return None
        for local, u in enumerate(got):
            if u:
                plan[kept[part.pairs[local]]] = u
    if broken_rules(prep, plan):
        return None
    better = score_units(prep, plan, scale, params) < score_units(prep, units, scale, params)
    return plan if better else None


def _solve(part: Part, hint: dict[int, int], scale: Scale, params: RoundParameters,
           share: TimeBudget) -> list[int] | None:
    """Units per pair of ``part`` by ``share``'s deadline: solved from ``hint`` (the
    greedy's plan cut to it, repaired) where its start fits, else the better of that
    and its own greedy answer; None where neither keeps the rules."""
    budgets = part.whole_budgets if part.split_firms else None
    inner = prepare(part.problem)
    cut = {k: u for k, u in hint.items() if inner.usable[k]}
    repair(inner, cut)
    if LP_SECONDS_PER_WEIGHT * part_weight(part) < 0.5 * share.remaining():
        solver = PartSolver(part.problem, scale, params, budgets)
        solver.start_from(cut)
        solver.start_greedy()
        solver.start(share.part(0.5), polish=False)
        if not share.expired(0.05):
            solver.improve(share)
        result = solver.result()
        if result.objective is not None:
            return list(result.units)
    plans = [units for units in (cut, greedy_units(inner)) if not broken_rules(inner, units)]
    if not plans:
        return None
    best = min(plans, key=lambda units: score_units(inner, units, scale, params))
    return [best.get(k, 0) for k in range(len(part.problem.pairs))]


def _greedy_shares(prep: Prepared, units: dict[int, int], parts: list[Part]) -> list[Part]:
    """``parts`` (the cut part decomposed) with each split firm's budget share set to
    what the greedy's ``units`` spent on its lines there (at the tiers they had), and of
    what it left, the share decompose.py gave it (rounded down to the cent)."""
    data = prep.data
    where = {i: n for n, part in enumerate(parts) for i in part.lines}
    tier_of = contract_tiers(prep, units)
    spent: dict[tuple[int, int], float] = defaultdict(float)
    for k, u in units.items():
        line = data.pairs[k].line
        if u and data.lines[line].pays_budget and line in where:
            spent[data.lines[line].firm, where[line]] += charge(
                prep, k, u, tier_of[data.pairs[k].offer])
    firms_of = [sorted({data.lines[i].firm for i in part.lines if data.lines[i].firm >= 0})
                for part in parts]
    given: dict[int, float] = defaultdict(float)  # decompose's shares, per split firm
    for n, part in enumerate(parts):
        for j, f in enumerate(firms_of[n]):
            if part.problem.budgets[j] != part.whole_budgets[j]:
                given[f] += part.problem.budgets[j]
    left = {f: data.budgets[f] - sum(a for (g, _n), a in spent.items() if g == f)
            for f in given}
    out = []
    for n, part in enumerate(parts):
        budgets = list(part.problem.budgets)
        for j, f in enumerate(firms_of[n]):
            if f in given and budgets[j] != part.whole_budgets[j]:
                portion = budgets[j] / given[f] if given[f] > 0 else 0.0
                budgets[j] = spent[f, n] + math.floor(max(left[f], 0.0) * portion * 100) / 100
        problem = ProblemData.trusted(part.problem.lines, part.problem.offers,
                                      part.problem.pairs, tuple(budgets))
        out.append(replace(part, problem=problem))
    return out


def _choices(prep: Prepared, units: dict[int, int]) -> tuple[list[int], list[int]]:
    """Each line's first and second offer (-1: none): the offers the greedy served it
    from, most units first, then those most lines could join."""
    data = prep.data
    first, second = [], []
    for pairs in prep.line_pairs:
        ranked = sorted(pairs, key=lambda k: (-units.get(k, 0),
                                              -prep.max_volume[data.pairs[k].offer], k))
        first.append(data.pairs[ranked[0]].offer if ranked else -1)
        second.append(data.pairs[ranked[1]].offer if len(ranked) > 1 else -1)
    return first, second


def improve_quick(part: Part, result: PartResult, scale: Scale, params: RoundParameters,
                  budget: TimeBudget) -> PartResult:
    """``result`` (quick.py's answer of ``part``) with its chunks' plan where that is
    better; the bound is the same."""
    started = time.perf_counter()
    prep = prepare(part.problem)
    units = {k: u for k, u in enumerate(result.units) if prep.usable[k]}
    plan = chunked_units(prep, units, scale, params, budget)
    if plan is None:
        return result
    tiers = [-1] * len(part.problem.offers)
    for o, t in contract_tiers(prep, plan).items():
        tiers[o] = t
    per_pair = [0] * len(part.problem.pairs)
    for k, u in plan.items():
        per_pair[k] = u
    return replace(result, objective=score_units(prep, plan, scale, params),
                   units=tuple(per_pair), tiers=tuple(tiers),
                   solve_s=result.solve_s + time.perf_counter() - started)
