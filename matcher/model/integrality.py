"""Flows as continuous columns where that is exact, and the repair if a split unit slips in."""

from __future__ import annotations

from collections.abc import Callable

from matcher.backends.linear import LinearModel
from matcher.backends.raw import RawResult
from matcher.budget import TimeBudget
from matcher.model.prepare import Prepared
from matcher.model.variables import Columns
from matcher.solution import Status


def relax_flows_if_integral(prep: Prepared, c: Columns, m: LinearModel) -> None:
    # Part of the build, and kept: where ``flows_integral`` holds this drops no integer
    # solution and adds none that matter (an optimum with integral flows exists for
    # any running and tier decisions); a fractional answer is repaired below.
    if flows_integral(prep, c, m):
        for cols_by_tier in c.x.values():
            for _, col in cols_by_tier:
                m.integer[col] = False


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


def fractional(c: Columns, values: list[float]) -> bool:
    return any(abs(values[col] - round(values[col])) > 1e-6
               for cols_by_tier in c.x.values() for _, col in cols_by_tier)


def integral_repair(m: LinearModel, c: Columns, raw: RawResult,
                    run: Callable[[LinearModel, float], RawResult],
                    budget: TimeBudget) -> RawResult:
    # A solution that is not a vertex may split a unit: keep its running and
    # tier decisions and solve again for integral flows (cost can only match), in
    # what is left of ``budget`` (it once took a second at least, past the limit).
    # Those decisions are this one answer's, not the part's: they hold for this call
    # only (the override puts the bounds and the flows' integrality back), so that a
    # later improvement of the part may still open, close or re-tier any contract.
    decided = list(c.r.values()) + list(c.z.values())
    flows = [col for cols_by_tier in c.x.values() for _, col in cols_by_tier]
    fixing = {col: (float(round(raw.values[col])),) * 2 for col in decided}
    with m.overridden(bounds=fixing, integrality=dict.fromkeys(flows, True)):
        fixed = run(m, budget.remaining())
    if fixed.values is None:
        return raw
    status = raw.status if fixed.status == Status.OPTIMAL else fixed.status
    return RawResult(status, fixed.objective, raw.bound, fixed.values)
