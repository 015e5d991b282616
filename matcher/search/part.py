"""One part of a round through its life: built, started, improved, read.

A part is started (start.py: a good first solution within seconds) before
any part is improved by the MIP solver, so that a short time limit still
serves every part well; improvement then goes where the gap is largest.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from matcher.backends.linear import LinearModel
from matcher.backends.raw import RawResult
from matcher.budget import TimeBudget
from matcher.model.build import all_linking, build, run_backend
from matcher.model.ceiling import box_bound, ceiling_bound
from matcher.model.integrality import fractional, integral_repair
from matcher.model.objective import Scale, coverage_counts, coverage_objective
from matcher.model.prepare import prepare
from matcher.model.problem import ProblemData
from matcher.search import lns
from matcher.search.heuristic import greedy, to_columns
from matcher.search.lagrangean import Bound, FacilityLocation
from matcher.search.part_result import PartResult, nothing_served, read_flows
from matcher.search.phases import solve_two_phase
from matcher.search.quick import score_units
from matcher.search.rins import agreeing
from matcher.search.separation import Separation
from matcher.search.start import first_solution
from matcher.solution import Status
from schemas.parameters import RoundParameters

OVERRUN_PER_START = 5.0  # a MIP call's first guessed overrun, per second its start took
# The calls of one improvement, in order, each guarded apart (improve); before the
# first, once per part, "rins" (rins.py).
TWO_PHASE_CALLS = ("coverage", "rest", "repair")
ONE_CALL = ("objective", "repair")
RINS_SHARE = 0.5  # of the first improvement's time, at most, for RINS
# Of each improvement's time (after RINS), for the search over neighbourhoods (lns.py):
# half of LNS_SHARE at first; doubled, to at most LNS_SHARE, after an improvement in
# which it found a better plan, halved after one in which it found none, to no less than
# LNS_LEAST_SHARE. The whole part's MIP, which alone can prove, has the rest: on the
# Modena demo round (one part, 2 s) starting at the whole share left its proven gap at
# 1.28-1.53 % where it had been 1.19 %; starting at half, 1.19 %. Within an improvement,
# a stretch of that share that found a better plan earns another of what is left (at the
# same share): a part alone in its round gets one improvement only, and there the share
# could not follow what the search found (capa-10000, one part: after RINS, the search
# alone for 13.5 s left its plans 0.2-3.0 % above the optimum, mean 1.45 %, in six runs;
# for 54 s 0.2-1.9 %, mean 0.73 %; in two runs the whole MIP after it, 11 and 17 s,
# returned the plan it was hinted with and the relaxation's bound).
LNS_SHARE = 0.5
LNS_LEAST_SHARE = 0.1
LNS_CALL_S = 0.3  # at most, for one neighbourhood's MIP
# ... where the flows are continuous (lns.Neighbourhoods.wide): each sub-MIP there holds
# the LPs of thousands of flows. capa-10000 at 120 s ended 1.30 % above its optimum with
# 0.3 s a call (twice), 0.19 % with 1 s; capb-7000 2.19 -> 1.38 %. On the welfare rounds
# 1 s a call made summer 1k's plan depend on the path (0.3571 and 0.3919 in two runs).
LNS_WIDE_CALL_S = 1.0
# Of the first improvement's time, at most, for the Lagrangean bound of a part that is a
# facility location (lagrangean.py; it ends sooner where its steps converge).
LAGRANGEAN_SHARE = 0.1
MIN_CALL_S = 0.05  # a solver call given less is not made
# About what a part's relaxation takes, in seconds per unit of decompose.part_weight.
LP_SECONDS_PER_WEIGHT = 7e-5


class PartSolver:
    def __init__(self, data: ProblemData, scale: Scale, params: RoundParameters,
                 whole_budgets: tuple[float, ...] | None = None) -> None:
        """``whole_budgets``: the firms' budgets before a split (decompose.py); a part
        that has them takes its bound from its relaxation with them only."""
        started = time.perf_counter()
        self.params, self.scale = params, scale
        self.whole_budgets = whole_budgets
        self.prep = prepare(data)
        self.m, self.c = build(self.prep, scale, params)
        self.counts = coverage_counts(self.prep, self.c)
        self.weighted, self.offset = list(self.m.cost), self.m.offset
        self.value = params.coverage_weight * scale.coverage / 100  # one count, in L
        self.two_phase = bool(self.counts) and scale.lexicographic(params)
        # Until a relaxation says better, the ceiling counted without a solver (ceiling.py;
        # with the whole budgets of a split part): a part that gets no solver time still
        # gives the round a bound. Without coverage in L, the columns' bounds alone.
        ceiling = (ceiling_bound(self.prep, scale, params, whole_budgets) if self.counts
                   else box_bound(self.m))
        self.best = RawResult(Status.NO_SOLUTION, None, ceiling, None)
        # Where the bound kept in ``best`` comes from: "ceiling" (no solver), then
        # "relaxation" (the LP of start), "mip" (a MIP call's proof, improve).
        self.bound_kind = "ceiling"
        self.ceiling: float | None = None
        # The relaxation's values, for RINS in the first improvement (then None).
        self.relaxed: list[float] | None = None
        # The separation's report (separation.py), for a part built without its linking
        # rows once it is started; None for the others.
        self.separation: Separation | None = None
        # Whether the part is larger than one neighbourhood (lns.py), and the offers to
        # search around, built at its first improvement (most parts never get one).
        self.searching = lns.worth_searching(self.m, self.c, len(data.offers))
        self.hoods: lns.Neighbourhoods | None = None
        self.lns_share = LNS_SHARE / 2
        # Whether the Lagrangean bound has been tried (once, at the first improvement:
        # most parts are not of its shape, and those that are converge in one search).
        self.lagrangean_tried = False
        # Its model read as a facility location and the bound's search (for _settled).
        self.located: tuple[FacilityLocation, Bound] | None = None
        self.build_s = time.perf_counter() - started
        self.solve_s = 0.0
        # How far a MIP call may run past the seconds it was given: the call gets that
        # much less, or is not made (improve). HiGHS checks its clock between steps, but
        # not in its root's cut rounds: on the 100-line round's largest part phase 2
        # given 0.27 s took 0.43 s and given 0.67 s took 0.95 s, while phase 1 given
        # 1.2 s took 1.06 s. So each call of an improvement (TWO_PHASE_CALLS, ONE_CALL)
        # is guarded apart (``guard``): at first by 5 x the start's time (the
        # relaxation); once that call has run past its time, by at least that and the
        # most it ran past; while it has only ended in time, by nothing. With every call
        # kept 5 x its start (0.4 s) from its time, a 2 s round whose calls all ended in
        # time left its last 0.4 s unused. A neighbourhood's MIP ("lns") is small
        # whatever the part's size: it is guarded by what it has run past, nothing before.
        self.guess = 0.0
        self.overran: dict[str, float] = {}  # call -> the most it has run past its time
        self.in_time: set[str] = set()  # the calls that have ended within their time
        self.floor: dict[str, float] = {}  # call -> at least this (solve_bin: the bin's most)

    def guard(self, call: str) -> float:
        """Seconds kept from a call's time, for what it may run past it (see __init__)."""
        guess = 0.0 if call == "lns" else self.guess
        if call in self.overran:
            own = max(guess, self.overran[call])
        elif call in self.in_time:
            own = 0.0
        else:
            own = guess
        return max(own, self.floor.get(call, 0.0))

    @property
    def gap(self) -> float:
        """Absolute gap on L (infinite while there is no solution or bound)."""
        if self.best.objective is None or self.best.bound is None:
            return float("inf")
        return max(self.best.objective - self.best.bound, 0.0)

    @property
    def done(self) -> bool:
        return self.best.status in (Status.OPTIMAL, Status.INFEASIBLE)

    def start_greedy(self) -> None:
        """A first solution in no time (heuristic.py), where the model has flows."""
        started = time.perf_counter()
        if self.c.x and any(self.m.integer):
            values = greedy(self.prep, self.c, self.m)
            if values is not None:
                self._offer(RawResult(Status.FEASIBLE, self._score(values), None, values))
        self.solve_s += time.perf_counter() - started

    def start_from(self, units: dict[int, int]) -> None:
        """A first solution given as units per pair (chunks.py: a larger part's greedy
        plan cut to this part), if it keeps every row."""
        started = time.perf_counter()
        values = to_columns(self.prep, self.c, self.m,
                            {k: u for k, u in units.items() if u and k in self.c.x})
        if values is not None and not self.m.violations(values):
            self._offer(RawResult(Status.FEASIBLE, self._score(values), None, values))
        self.solve_s += time.perf_counter() - started

    def start(self, time_limit: float | TimeBudget, polish: bool = True) -> None:
        """The relaxation's bound and its rounding; ``polish``: re-optimise the flows.
        ``time_limit``: seconds, or the budget to end by."""
        started = time.perf_counter()
        values, self.ceiling, self.separation, self.relaxed = first_solution(
            self.prep, self.c, self.m, self.counts, self.params, time_limit,
            self.whole_budgets, polish, separate=not all_linking(self.prep, self.c))
        bound = -self.value * self.ceiling if self.ceiling is not None else None
        separated = self.separation is not None and bool(self.separation.bounds)
        if bound is None and separated and not self.counts:
            bound = self.separation.bounds[-1]  # it minimised L itself
        if values is not None:
            self._offer(RawResult(Status.FEASIBLE, self._score(values), bound, values),
                        "relaxation")
        elif self.c.x and bound is not None:
            self._offer(RawResult(Status.NO_SOLUTION, None, bound, None), "relaxation")
        took = time.perf_counter() - started
        # (A separation's rounds each solve a larger relaxation: its first says what a
        # call of this part's size takes, as a single relaxation does.)
        guide = self.separation.first_s if separated else took
        self.guess = max(self.guess, OVERRUN_PER_START * guide)
        self.solve_s += took

    def improve(self, time_limit: float | TimeBudget) -> None:
        """The MIP from the best solution so far, within ``time_limit`` (seconds, or
        the budget to end by): every solver call gets at most what is left of it."""
        started = time.perf_counter()
        budget = TimeBudget.of(time_limit)
        calls = iter(TWO_PHASE_CALLS if self.two_phase else ONE_CALL)
        whole_calls = []  # the calls of the whole part's MIP made in this improvement

        def run(model: LinearModel, limit: float, hint: list[float] | None,
                call: str | None = None) -> RawResult:
            call = call or next(calls, "repair")
            share = budget.within(min(limit, budget.remaining() - self.guard(call)))
            given, called = share.remaining(), time.perf_counter()
            if given < MIN_CALL_S:  # it would end past the part's time: keep what we have
                return RawResult(Status.NO_SOLUTION, None, None, None)
            if call not in ("lns", "rins"):
                whole_calls.append(call)
            raw = run_backend(model, self.params, share, hint)
            past = time.perf_counter() - called - given
            if past > 0:
                self.overran[call] = max(self.overran.get(call, 0.0), past)
            else:
                self.in_time.add(call)
            return raw

        if not self.lagrangean_tried and self.best.values is not None:
            self._lagrangean(budget.part(LAGRANGEAN_SHARE))
        # Each stage below looks only among the plans better than the best so far, with
        # the run columns the Lagrangean bound settles for them fixed (_among_better):
        # settled again before each, since each may have found a better plan (the first
        # plan is often far above the optimum, and settles nothing).
        with self._among_better():
            if self.relaxed is not None and self.best.values is not None:
                self._rins(lambda limit: run(self.m, limit, self.best.values, "rins"), budget)
        with self._among_better():
            if self.searching and self.best.values is not None:
                share = self.lns_share  # (the first stretch's, which alone sets the next's)
                found = self._lns(run, budget.part(share))
                while found and budget.remaining() >= MIN_CALL_S:
                    found = self._lns(run, budget.part(share), adapt=False)
        with self._among_better() as upper:
            if self.two_phase:
                raw = solve_two_phase(self.m, self.counts, self.value, self.params.relative_gap,
                                      budget, self.best.values, self.ceiling, run)
            else:
                raw = run(self.m, budget.remaining(), self.best.values)
            if raw.values is not None and fractional(self.c, raw.values):
                raw = integral_repair(self.m, self.c, raw, lambda m, t: run(m, t, None), budget)
                if fractional(self.c, raw.values):  # no time left to repair: keep its bound only
                    raw = RawResult(Status.NO_SOLUTION, None, raw.bound, None)
            if upper is not None:  # its proof holds for plans better than ``upper`` only
                raw = _below(raw, upper)
            if self.whole_budgets is not None:  # a bound under budget shares is not the round's
                raw = RawResult(raw.status if raw.status == Status.INFEASIBLE else Status.FEASIBLE,
                                raw.objective, None, raw.values)
            self._offer(raw, "mip")
        with self._among_better():
            if (not whole_calls and self.searching and not self.done
                    and self.best.values is not None):
                # Its guards left the whole MIP no call (a large part, whose calls run past
                # their time): what is left goes to the neighbourhoods, not back unused.
                self._lns(run, budget, adapt=False)
        self.solve_s += time.perf_counter() - started

    def _lagrangean(self, budget: TimeBudget) -> None:
        """The Lagrangean bound (lagrangean.py) where the part is a facility location
        (never under split budgets: its bound would hold for the shares only)."""
        self.lagrangean_tried = True
        shape = None if self.whole_budgets is not None else FacilityLocation.of(
            self.prep, self.c, self.m)
        if shape is None:
            return
        found = shape.bound(budget, self.best.objective, self.params.relative_gap)
        self.located = (shape, found)
        self._offer(RawResult(Status.FEASIBLE, None, found.value, None), "relaxation")

    @contextmanager
    def _among_better(self) -> Iterator[float | None]:
        """The part's model, for the length of a ``with`` block, with the run columns the
        Lagrangean bound settles for plans better than the best so far fixed (_settled);
        yields the best plan's objective, below which that holds, or None if it settled
        none (a MIP's bound found in the block holds for the part up to that figure)."""
        settled = self._settled()
        upper = self.best.objective if settled else None
        with self.m.overridden(bounds=settled):
            yield upper

    def _settled(self) -> dict[int, tuple[float, float]]:
        """The run columns the Lagrangean bound settles for plans better than the best,
        each at its value (lagrangean.FacilityLocation.settled); none that the best plan
        itself would break (a rounding's doubt: they cannot differ)."""
        if self.located is None or self.best.values is None:
            return {}
        shape, found = self.located
        plan = self.best.values
        return {col: (value, value) for col, value
                in shape.settled(found.prices, self.best.objective).items()
                if round(plan[col]) == value}

    def _rins(self, run: Callable[[float], RawResult], budget: TimeBudget) -> None:
        """The MIP where the relaxation and the best solution agree (rins.py), on the
        relaxation's objective (coverage alone where L is lexicographic), with at most
        RINS_SHARE of ``budget``; its plan kept where it scores better."""
        fixing = agreeing(self.m, self.relaxed, self.best.values)
        self.relaxed = None  # (once: around its own answer it found no more)
        coverage = coverage_objective(self.counts, self.m.num_cols)
        with self.m.overridden(objective=coverage if self.two_phase else None, bounds=fixing):
            raw = run(budget.share(RINS_SHARE))
        if raw.values is not None and not fractional(self.c, raw.values):
            self._offer(RawResult(Status.FEASIBLE, self._score(raw.values), None, raw.values))

    def _lns(self, run: Callable[..., RawResult], budget: TimeBudget, adapt: bool = True
             ) -> bool:
        """Neighbourhoods' MIPs (lns.py) until ``budget`` ends, on the relaxation's
        objective as RINS; each plan kept where it scores better; whether one was.
        ``adapt``: the next improvement gives it twice its share (at most LNS_SHARE) if it
        found one, else half (not for a stretch after the first, nor for the time the
        whole MIP left: those say nothing of the share)."""
        if self.hoods is None:
            self.hoods = lns.Neighbourhoods(self.prep, self.c, self.m, self.params.seed)
        coverage = coverage_objective(self.counts, self.m.num_cols) if self.two_phase else None

        most = LNS_WIDE_CALL_S if self.hoods.wide else LNS_CALL_S

        def solve(sub: LinearModel, hint: list[float]) -> tuple[RawResult, float, float]:
            given = min(most, budget.remaining() - self.guard("lns"))
            if given < MIN_CALL_S:
                return RawResult(Status.NO_SOLUTION, None, None, None), 0.0, 0.0
            called = time.perf_counter()
            raw = run(sub, given, hint, "lns")
            return raw, given, time.perf_counter() - called

        def offer(values: list[float]) -> None:  # (its flows whole: lns.search checks)
            self._offer(RawResult(Status.FEASIBLE, self._score(values), None, values))

        before = self.best.objective
        with self.m.overridden(objective=coverage):
            lns.search(self.m, self.hoods, lambda: self.best.values, solve, offer,
                       lambda: budget.remaining() >= MIN_CALL_S)
        found = self.best.objective < before
        if adapt:
            self.lns_share = (min(2 * self.lns_share, LNS_SHARE) if found
                              else max(self.lns_share / 2, LNS_LEAST_SHARE))
        return found

    def result(self) -> PartResult:
        raw = self.best
        if raw.values is None and raw.status != Status.INFEASIBLE:
            raw = nothing_served(self.m, raw)
        units, tiers = read_flows(self.prep, self.c, raw)
        objective = raw.objective
        if raw.values is not None:
            # The plan's own score (quick.score_units), not the solver's figure for it:
            # the same plan then reports the same L to the last digit, however found.
            # It is at most the model's (no empty week run, every attainment at its
            # most), so it stays within any proof of the model's.
            plan = {k: u for k, u in enumerate(units) if u or self.prep.usable[k]}
            objective = score_units(self.prep, plan, self.scale, self.params)
        return PartResult(raw.status, objective, raw.bound, units, tiers, self.build_s,
                          self.solve_s, self.bound_kind if raw.bound is not None else None)

    def _score(self, values: list[float]) -> float:
        return self.offset + sum(a * v for a, v in zip(self.weighted, values) if a)

    def _offer(self, raw: RawResult, kind: str = "mip") -> None:
        """Keep the better solution and the better bound (``kind``: where ``raw``'s
        bound comes from)."""
        old = self.best
        if raw.bound is not None and (old.bound is None or raw.bound > old.bound):
            bound, self.bound_kind = raw.bound, kind
        else:
            bound = old.bound
        if raw.status == Status.INFEASIBLE:
            self.best = raw
            self.bound_kind = kind
            return
        keep = raw if raw.values is not None and (
            old.objective is None or raw.objective < old.objective) else old
        status = keep.status
        if keep.objective is not None and bound is not None:
            within = keep.objective - bound <= self.params.relative_gap * abs(keep.objective) + 1e-9
            status = Status.OPTIMAL if within else Status.FEASIBLE
        self.best = RawResult(status, keep.objective, bound, keep.values)


def _below(raw: RawResult, upper: float) -> RawResult:
    """A MIP's answer among the plans better than ``upper`` (the best plan's objective
    when some columns were settled), for the whole part: its bound is at most ``upper``
    (the best plan is one of those it searched), and "infeasible" there says nothing of
    the part (none better, at most: numerical doubt), so it brings nothing."""
    if raw.status == Status.INFEASIBLE:
        return RawResult(Status.NO_SOLUTION, None, None, None)
    bound = None if raw.bound is None else min(raw.bound, upper)
    return RawResult(raw.status, raw.objective, bound, raw.values)
