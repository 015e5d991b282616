"""Large neighbourhood search: the part's MIP again and again on a few offers at a time,
every other integer column fixed at the best solution's value (Shaw, "Using constraint
programming and local search methods to solve vehicle routing problems", CP 1998;
Pisinger and Ropke, "Large neighborhood search", Handbook of Metaheuristics, 2010).

A neighbourhood is a handful of offers that share lines (an offer, then offers sharing a
line with one already taken, at random, until about ``target`` integer columns are free):
where they meet, units can move between them, and an offer's week can open or close with
the children or persons its minimum group needs. Rounding the relaxation closes such weeks
for good, and the whole part's MIP, at these sizes, does not get past its root in seconds.
Each sub-MIP is handed to the solver as only what it can change
(``Restrictions``), so it costs what its free columns cost, not the part's.

Measured offline on the summer 1k round's two largest parts (7,474 and 4,493 columns),
started as the solve starts them, then given 3 s (2026-12-03): ``PartSolver.improve`` as
it was (RINS, then the whole MIP, whose calls its guards keep short) reached 2,932,600 and
2,475,500 counts of coverage (their relaxations' ceilings 5,773,630 and 3,637,523); this
search alone, four seeds, 3,899,100-4,611,300 and 2,569,300-3,479,200 (means 4,318,975 and
3,234,575). Freeing every flow of the offers taken instead of those that can change gave
means of 4,173,400 and 3,182,050. Of first targets of 80, 150 and 300 free columns, 150
did best (one seed each); 0.3 s a call. The whole round: see BENCHMARKS.md, stop 21.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from matcher.backends.linear import LinearModel, Restrictions
from matcher.backends.raw import RawResult
from matcher.model.prepare import Prepared
from matcher.model.variables import Columns
from matcher.solution import Status

FIRST_TARGET = 150  # integer columns a first neighbourhood frees
GROW = 1.3  # the target, times this after a quick proof, divided by it otherwise
LEAST_TARGET = 20


def worth_searching(m: LinearModel, offers: int) -> bool:
    """False where one neighbourhood would free the whole part: its MIP is that."""
    return offers > 1 and sum(m.integer) > 2 * FIRST_TARGET


class Neighbourhoods:
    """The part's offers, each with its columns, and the offers it shares lines with;
    drawn from with the round's seed, so the same part draws the same offers."""

    def __init__(self, prep: Prepared, c: Columns, m: LinearModel, seed: int) -> None:
        data = prep.data
        self.own: dict[int, list[int]] = {}  # offer -> its running and tier columns
        self.flows: dict[int, list[tuple[int, list[int]]]] = {}  # offer -> (line, columns)
        self.line_columns: dict[int, list[int]] = {}  # line -> its flow columns
        sharing: dict[int, set[int]] = {}  # line -> its offers
        for k, tiers in c.x.items():
            pair = data.pairs[k]
            cols = [col for _, col in tiers if m.integer[col]]  # (continuous: never fixed)
            self.flows.setdefault(pair.offer, []).append((pair.line, cols))
            self.line_columns.setdefault(pair.line, []).extend(cols)
            sharing.setdefault(pair.line, set()).add(pair.offer)
        for (o, _), col in list(c.r.items()) + list(c.z.items()):
            self.own.setdefault(o, []).append(col)
        self.units = {line: data.lines[line].units for line in self.line_columns}
        near: dict[int, set[int]] = {}
        for offers in sharing.values():
            for o in offers:
                near.setdefault(o, set()).update(offers)
        self.near = {o: sorted(others - {o}) for o, others in near.items()}
        self.offers = sorted(set(self.flows) | set(self.own))
        self.integer = [col for col in range(m.num_cols) if m.integer[col]]
        self.target = float(FIRST_TARGET)
        self.rng = random.Random(seed)

    def draw(self, values: list[float]) -> set[int]:
        """Offers sharing lines, about ``target`` free integer columns, around ``values``.

        Of an offer's flows, only those that can change anything are freed: to a line
        that ``values`` leaves short of its units (more can be served), or that an
        offer taken serves (its units can move among them). A line served in full by
        offers not taken keeps its flows: freeing them could only take units from it.
        (In facility location every line is served in full, so a neighbourhood is some
        facilities and their customers, the classic destroy move.)
        """
        served: dict[int, set[int]] = {}  # offer -> the lines it serves in ``values``
        for o, flows in self.flows.items():
            served[o] = {line for line, cols in flows if any(values[c] > 0.5 for c in cols)}
        short = {line for line, cols in self.line_columns.items()
                 if sum(values[c] for c in cols) < self.units[line] - 0.5}
        chosen: list[int] = []
        lines: set[int] = set()
        frontier = [self.rng.choice(self.offers)]
        count = 0
        while frontier and count < self.target:
            offer = frontier.pop(self.rng.randrange(len(frontier)))
            if offer in chosen:
                continue
            chosen.append(offer)
            lines |= served.get(offer, set())
            count = sum(len(self.own.get(o, ())) + sum(
                len(cols) for line, cols in self.flows.get(o, ()) if line in lines or line in short)
                for o in chosen)
            frontier.extend(o for o in self.near.get(offer, ()) if o not in chosen)
        free: set[int] = set()
        for o in chosen:
            free.update(self.own.get(o, ()))
            for line, cols in self.flows.get(o, ()):
                if line in lines or line in short:
                    free.update(cols)
        return free

    def learn(self, proven_quickly: bool) -> None:
        grown = self.target * GROW if proven_quickly else self.target / GROW
        self.target = min(max(grown, LEAST_TARGET), 0.9 * len(self.integer))


def search(m: LinearModel, hoods: Neighbourhoods, best: Callable[[], list[float]],
           solve: Callable[[LinearModel, list[float]], tuple[RawResult, float, float]],
           offer: Callable[[list[float]], None], more: Callable[[], bool]) -> int:
    """Sub-MIPs around ``best()`` while ``more()``; returns how many were solved.

    ``solve(sub, hint)``: the sub-model's result, the seconds it was given and took
    (given 0: no time left for a call); ``offer(values)``: a solution of ``m``, every
    integer column integral, for the part to keep if it scores better.
    """
    calls = 0
    restrictions = Restrictions(m)  # (the part's rows, read once for every sub-MIP)
    while more():
        values = best()
        free = hoods.draw(values)
        fixed = {col: float(round(values[col])) for col in hoods.integer if col not in free}
        restricted = restrictions.restricted(fixed)
        if restricted is None:  # (the best solution keeps every row: not expected)
            return calls
        sub, kept = restricted
        raw, given, took = solve(sub, [values[col] for col in kept])
        if given <= 0:
            return calls
        calls += 1
        if raw.values is not None:
            offer(restrictions.expanded(raw.values, kept, fixed))
        hoods.learn(raw.status == Status.OPTIMAL and took < 0.5 * given)
    return calls
