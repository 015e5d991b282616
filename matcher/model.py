"""Build and solve the model of one part: data, variables, constraints, objective, solve."""

from __future__ import annotations

import time
from dataclasses import dataclass

from matcher import constraints
from matcher.backends import cpsat, highs
from matcher.backends.raw import RawResult, Status
from matcher.linear import LinearModel
from matcher.markets import line_markets, pieces
from matcher.objective import Scale, set_objective
from matcher.prepare import Prepared, prepare
from matcher.problem import ProblemData
from matcher.variables import Columns, add_columns
from schemas.parameters import RoundParameters

LINKING_LIMIT = 200_000  # strong linking rows beyond this cost more LP time than they save


@dataclass(frozen=True)
class PartResult:
    status: Status
    objective: float | None
    bound: float | None
    units: tuple[int, ...]  # per pair of the part's problem
    tiers: tuple[int, ...]  # per offer: its contract's tier, -1 without volume
    build_s: float
    solve_s: float


def build(prep: Prepared, scale: Scale, params: RoundParameters) -> tuple[LinearModel, Columns]:
    found = pieces(prep, line_markets(prep))
    m = LinearModel()
    c = add_columns(m, prep, found)
    constraints.add_demand(m, prep, c)
    constraints.add_pinned(m, prep, c)
    constraints.add_load(m, prep, c)
    if sum(len(prep.data.lines[prep.data.pairs[k].line].weeks) for k in c.x) <= LINKING_LIMIT:
        constraints.add_linking(m, prep, c)
    constraints.add_tiers(m, prep, c)
    constraints.add_budgets(m, prep, c)
    constraints.add_change(m, prep, c)
    constraints.add_fairness(m, prep, c, found)
    set_objective(m, prep, c, found, scale, params)
    if flows_integral(prep, c, m):
        for cols_by_tier in c.x.values():
            for _, col in cols_by_tier:
                m.integer[col] = False
    return m, c


def flows_integral(prep: Prepared, c: Columns, m: LinearModel) -> bool:
    """Whether, once running and tier decisions are fixed, the flows' LP has integral vertices.

    True when every offer serves lines of one single week set and no row other
    than demand, pinned, capacity, minimum group and linking touches the
    flows: then the flow rows are a bipartite incidence matrix (totally
    unimodular). Facility location is such a case; solving the flows as
    continuous there is many times faster, and exact.
    """
    if c.d or c.s or c.z or m.rows_of("budget"):
        return False
    week_sets: dict[int, tuple[int, ...]] = {}
    for k in c.x:
        pair = prep.data.pairs[k]
        weeks = prep.data.lines[pair.line].weeks
        if week_sets.setdefault(pair.offer, weeks) != weeks:
            return False
    return True


def solve_part(data: ProblemData, scale: Scale, params: RoundParameters,
               time_limit: float) -> PartResult:
    start = time.perf_counter()
    prep = prepare(data)
    m, c = build(prep, scale, params)
    built = time.perf_counter()
    raw = run_backend(m, params, time_limit - (built - start))
    if raw.values is not None and _fractional(c, raw.values):
        raw = _integral_repair(m, c, raw, params, time_limit - (time.perf_counter() - start))
    units, tiers = _read(prep, c, raw)
    return PartResult(raw.status, raw.objective, raw.bound, units, tiers,
                      built - start, time.perf_counter() - built)


def run_backend(m: LinearModel, params: RoundParameters, time_limit: float) -> RawResult:
    if params.solver == "cpsat":
        return cpsat.solve(m, time_limit, params.relative_gap, params.seed)
    return highs.solve(m, time_limit, params.relative_gap, params.seed)


def _fractional(c: Columns, values: list[float]) -> bool:
    return any(abs(values[col] - round(values[col])) > 1e-6
               for cols_by_tier in c.x.values() for _, col in cols_by_tier)


def _integral_repair(m: LinearModel, c: Columns, raw: RawResult, params: RoundParameters,
                     time_limit: float) -> RawResult:
    # A solution that is not a vertex may split a unit: keep its running and
    # tier decisions and solve again for integral flows (cost can only match).
    for col in list(c.r.values()) + list(c.z.values()):
        m.lower[col] = m.upper[col] = round(raw.values[col])
    for cols_by_tier in c.x.values():
        for _, col in cols_by_tier:
            m.integer[col] = True
    fixed = run_backend(m, params, max(time_limit, 1.0))
    if fixed.values is None:
        return raw
    status = raw.status if fixed.status == Status.OPTIMAL else fixed.status
    return RawResult(status, fixed.objective, raw.bound, fixed.values)


def _read(prep: Prepared, c: Columns, raw: RawResult) -> tuple[tuple[int, ...], tuple[int, ...]]:
    data = prep.data
    units = [0] * len(data.pairs)
    tiers = [-1] * len(data.offers)
    if raw.values is None:
        return tuple(units), tuple(tiers)
    for k, cols_by_tier in c.x.items():
        for t, col in cols_by_tier:
            amount = round(raw.values[col])
            if amount > 0:
                units[k] += amount
                tiers[data.pairs[k].offer] = t
    return tuple(units), tuple(tiers)
