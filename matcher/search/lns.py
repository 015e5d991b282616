"""Large neighbourhood search: the part's MIP again and again on a few offers at a time,
every other integer column fixed at the best solution's value (Shaw, "Using constraint
programming and local search methods to solve vehicle routing problems", CP 1998;
Pisinger and Ropke, "Large neighborhood search", Handbook of Metaheuristics, 2010); the
flows fixed too where they are continuous.

A neighbourhood is a handful of offers that share lines (an offer, then offers sharing a
line with one already taken, at random, until about ``target`` columns are free):
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

In facility location (OR-Library capa-capc: 100 facilities, 1,000 customers) the flows
are continuous and only the 100 facilities are integer. Fixing only those left every
sub-MIP with all 100,000 flows, so such parts were not searched; the flows not freed are
now fixed as well, and a customer freed may go to any open facility ("wide"). On
capa-10000, from the plan RINS left (6.0 % above the optimum), this search alone for
20 s ended 0.2-3.0 % above it in six runs (BENCHMARKS.md, stop 22).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from matcher.backends.linear import LinearModel, Restrictions
from matcher.backends.raw import RawResult
from matcher.model.prepare import Prepared
from matcher.model.variables import Columns
from matcher.solution import Status

FIRST_TARGET = 150  # columns a first neighbourhood frees
GROW = 1.3  # the target, times this after a quick proof, divided by it otherwise
LEAST_TARGET = 20


def worth_searching(m: LinearModel, c: Columns, offers: int) -> bool:
    """False where one neighbourhood would free the whole part: its MIP is that. (What
    a neighbourhood can fix: the integer columns, and the flows, continuous or not.)"""
    flows = sum(1 for tiers in c.x.values() for _, col in tiers if not m.integer[col])
    return offers > 1 and sum(m.integer) + flows > 2 * FIRST_TARGET


class Neighbourhoods:
    """The part's offers, each with its columns, and the offers it shares lines with;
    drawn from with the round's seed, so the same part draws the same offers. The
    flows are kept as arrays (column, offer, line), read at each draw with numpy: in
    facility location a part has 100,000 of them, and going through them in Python
    took three times what the sub-MIP did."""

    def __init__(self, prep: Prepared, c: Columns, m: LinearModel, seed: int) -> None:
        data = prep.data
        self.own: dict[int, list[int]] = {}  # offer -> its running and tier columns
        flow_col, flow_offer, flow_line = [], [], []
        sharing: dict[int, set[int]] = {}  # line -> its offers
        for k, tiers in c.x.items():
            pair = data.pairs[k]
            for _, col in tiers:
                flow_col.append(col)
                flow_offer.append(pair.offer)
                flow_line.append(pair.line)
            sharing.setdefault(pair.line, set()).add(pair.offer)
        for (o, _), col in list(c.r.items()) + list(c.z.items()):
            self.own.setdefault(o, []).append(col)
        near: dict[int, set[int]] = {}
        for offers in sharing.values():
            for o in offers:
                near.setdefault(o, set()).update(offers)
        self.near = {o: sorted(others - {o}) for o, others in near.items()}
        self.offers = sorted(set(flow_offer) | set(self.own))
        self.col = np.asarray(flow_col, dtype=np.int64)
        self.offer_at = np.searchsorted(self.offers, flow_offer)  # each flow's offer, 0..
        lines, self.line_at = np.unique(np.asarray(flow_line, dtype=np.int64),
                                        return_inverse=True)
        self.units = np.array([data.lines[int(line)].units for line in lines], dtype=float)
        # What a neighbourhood fixes where it does not free: every integer column, and
        # the flows also where they are continuous (facility location): else each
        # sub-MIP there would hold every customer's flows.
        self.is_flow = np.zeros(m.num_cols, dtype=bool)
        self.is_flow[self.col] = True
        integer = np.asarray(m.integer, dtype=bool)
        self.fixable = np.flatnonzero(integer | self.is_flow)
        # Where flows are continuous they cost a sub-MIP little: a line freed may then
        # move to any offer that is running, not only to the offers taken (in facility
        # location, a customer of a facility taken to any open facility: the classic
        # move. On capa-10000 from the relaxation's rounding, 891 % above its optimum,
        # 20 s of search ended 84 % above it with only the facilities taken, 6.5 % with
        # this; one run each).
        self.wide = bool(np.any(~integer[self.col]))
        self.target = float(FIRST_TARGET)
        self.rng = random.Random(seed)

    def draw(self, values: list[float]) -> set[int]:
        """Offers sharing lines, about ``target`` free columns, around ``values``.

        Of an offer's flows, only those that can change anything are freed: to a line
        that ``values`` leaves short of its units (more can be served), or that an
        offer taken serves (its units can move among them). A line served in full by
        offers not taken keeps its flows: freeing them could only take units from it.
        (In facility location every line is served in full, so a neighbourhood is some
        facilities and their customers.)
        """
        flow = np.asarray(values, dtype=float)[self.col]
        serving = flow > 0.5
        served: dict[int, set[int]] = {}  # offer (its place) -> the lines it serves
        for o, line in zip(self.offer_at[serving].tolist(), self.line_at[serving].tolist()):
            served.setdefault(o, set()).add(line)
        got = np.bincount(self.line_at, weights=flow, minlength=len(self.units))
        opened = np.zeros(len(self.units), dtype=bool)  # lines whose flows may change
        opened[got < self.units - 0.5] = True
        running = np.zeros(len(self.offers), dtype=bool)
        running[list(served)] = self.wide
        taken = np.zeros(len(self.offers), dtype=bool)
        place = {o: n for n, o in enumerate(self.offers)}
        chosen: list[int] = []
        free: set[int] = set()
        frontier = [self.rng.choice(self.offers)]
        while frontier and len(free) < self.target:
            offer = frontier.pop(self.rng.randrange(len(frontier)))
            if offer in chosen:
                continue
            chosen.append(offer)
            taken[place[offer]] = True
            opened[list(served.get(place[offer], ()))] = True
            mask = opened[self.line_at] & (taken | running)[self.offer_at]
            free = set(self.col[mask].tolist())
            for o in chosen:
                free.update(self.own.get(o, ()))
            frontier.extend(o for o in self.near.get(offer, ()) if o not in chosen)
        return free

    def integral(self, values: np.ndarray, kept: np.ndarray) -> bool:
        """Whether a restricted model's ``values`` (of the columns ``kept``) keep every
        flow whole (the fixed ones are the best plan's: whole already)."""
        flows = values[self.is_flow[kept]]
        return not np.any(np.abs(flows - np.round(flows)) > 1e-6)

    def learn(self, proven_quickly: bool) -> None:
        grown = self.target * GROW if proven_quickly else self.target / GROW
        self.target = min(max(grown, LEAST_TARGET), 0.9 * len(self.fixable))


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
        keep = ~np.isin(hoods.fixable, np.fromiter(free, dtype=np.int64, count=len(free)))
        # (rounded: the integer columns, and the flows, which the best plan keeps whole)
        at = np.round(np.asarray(values, dtype=float)[hoods.fixable[keep]])
        fixed = dict(zip(hoods.fixable[keep].tolist(), at.tolist()))
        restricted = restrictions.restricted(fixed)
        if restricted is None:  # (the best solution keeps every row: not expected)
            return calls
        sub, kept = restricted
        raw, given, took = solve(sub, [values[col] for col in kept])
        if given <= 0:
            return calls
        calls += 1
        if raw.values is not None and hoods.integral(np.asarray(raw.values), np.asarray(kept)):
            offer(restrictions.expanded(raw.values, kept, fixed))
        hoods.learn(raw.status == Status.OPTIMAL and took < 0.5 * given)
    return calls
