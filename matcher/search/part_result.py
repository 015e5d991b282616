"""What a part hands back, and how it is read off the model's columns."""

from __future__ import annotations

from dataclasses import dataclass

from matcher.backends.linear import LinearModel
from matcher.backends.raw import RawResult
from matcher.model.ceiling import ceiling_bound, demand_bound
from matcher.model.markets import union_find
from matcher.model.prepare import Prepared, prepare
from matcher.model.variables import Columns
from matcher.solution import Status


@dataclass(frozen=True)
class PartResult:
    status: Status
    objective: float | None
    bound: float | None
    units: tuple[int, ...]  # per pair of the part's problem
    tiers: tuple[int, ...]  # per offer: its contract's tier, -1 without volume
    build_s: float
    solve_s: float
    # Where the bound comes from: "mip" (a MIP call proved it), "relaxation" (the LP, or
    # the Lagrangean relaxation of a facility location: lagrangean.py),
    # "ceiling" (counted without a solver, ceiling.py); None without a bound.
    bound_kind: str | None = None


def nothing_served(m: LinearModel, raw: RawResult) -> RawResult:
    # Serving nothing is a solution whenever nothing is pinned or must be served:
    # better than none when a part runs out of time.
    zero = [0.0] * m.num_cols
    if m.violations(zero):
        return raw
    return RawResult(Status.FEASIBLE, m.offset, raw.bound, zero)


def read_flows(prep: Prepared, c: Columns, raw: RawResult
               ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Units per pair and tier per offer from a solution's columns."""
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


def unbuilt(problem, scale, params, whole_budgets: tuple[float, ...] | None = None,
            prep: Prepared | None = None, counted: bool = True) -> PartResult:
    """A part the time did not allow to build: nothing served (if that is allowed).

    Its objective is what serving nothing scores (every piece's whole fairness
    penalty, every previous unit moved); its bound, the ceiling counted without a
    solver (ceiling.py, with ``whole_budgets`` for a part whose budgets are split),
    or with ``counted`` False, where even that would take too long, every line served
    whole (ceiling.demand_bound: no prepare, one pass over the lines).
    """
    lines = problem.lines
    optional = [line for line in lines if not line.must_serve]
    bound = (ceiling_bound(prep or prepare(problem), scale, params, whole_budgets or None)
             if counted else demand_bound(problem, scale, params))
    if any(p.pinned for p in problem.pairs) or len(optional) < len(lines):
        return PartResult(Status.NO_SOLUTION, None, bound, (0,) * len(problem.pairs),
                          (-1,) * len(problem.offers), 0.0, 0.0, "ceiling")
    n = len(lines)
    root = union_find(n + len(problem.offers), [(p.line, n + p.offer) for p in problem.pairs])
    pieces = {(root[i], line.firm) for i, line in enumerate(lines)
              if line.firm >= 0 and not line.must_serve}
    penalty = params.fairness_weight * scale.fairness / max(scale.pieces, 1) * len(pieces)
    moved = params.change_weight * scale.change * sum(
        p.previous * len(lines[p.line].weeks) for p in problem.pairs)
    return PartResult(Status.FEASIBLE, penalty + moved, bound,
                      (0,) * len(problem.pairs), (-1,) * len(problem.offers), 0.0, 0.0,
                      "ceiling")
