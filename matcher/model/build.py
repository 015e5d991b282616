"""The model of one part: data, variables, constraints, objective; and the solver call."""

from __future__ import annotations

from matcher.backends import highs
from matcher.backends.linear import LinearModel
from matcher.backends.raw import RawResult
from matcher.budget import TimeBudget
from matcher.model import constraints, contract_rows
from matcher.model.integrality import relax_flows_if_integral
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import Scale, set_objective
from matcher.model.prepare import Prepared
from matcher.model.variables import Columns, add_columns
from schemas.parameters import RoundParameters

# Strong linking rows beyond this many pair-weeks cost more LP time than they save: a
# larger part's relaxation gets only those it breaks, for its bound (search/separation.py).
LINKING_LIMIT = 50_000
# Per-pair tier links (contract_rows.add_tier_links) lower the relaxation's coverage
# ceiling by 0.6 % at 100 lines and 1.3 % at 1k, but slow the relaxation of a large
# part 2.5-fold (0.95 s to 2.4 s at 1k), so that at 1k in 5 s on a loaded machine parts
# lost their bound. The 100-line Modena round has 471 tier columns in its largest
# part, the 1k round 1,723; below this many they cost next to nothing.
TIER_LINK_LIMIT = 1_000


def build(prep: Prepared, scale: Scale, params: RoundParameters) -> tuple[LinearModel, Columns]:
    found = pieces(prep, line_markets(prep))
    m = LinearModel()
    c = add_columns(m, prep, found)
    constraints.add_demand(m, prep, c)
    constraints.add_pinned(m, prep, c)
    constraints.add_load(m, prep, c)
    if all_linking(prep, c):
        constraints.add_linking(m, prep, c)
    contract_rows.add_tiers(m, prep, c)
    if sum(len(cols) for cols in c.x.values() if len(cols) > 1) <= TIER_LINK_LIMIT:
        contract_rows.add_tier_links(m, prep, c)
    contract_rows.add_budgets(m, prep, c)
    contract_rows.add_change(m, prep, c)
    contract_rows.add_fairness(m, prep, c, found)
    set_objective(m, prep, c, found, scale, params)
    relax_flows_if_integral(prep, c, m)
    return m, c


def all_linking(prep: Prepared, c: Columns) -> bool:
    """Whether the part's model gets every linking row at build (else the separation)."""
    return sum(len(prep.data.lines[prep.data.pairs[k].line].weeks) for k in c.x) <= LINKING_LIMIT


def run_backend(m: LinearModel, params: RoundParameters, time_limit: float | TimeBudget,
                hint: list[float] | None = None) -> RawResult:
    """``time_limit``: seconds, or the budget the call must end by."""
    if params.solver == "cpsat":
        # Imported when asked for: CP-SAT's module brings pandas, a second of start-up
        # that a ``welfare solve --time-limit 2`` with HiGHS would pay for nothing.
        from matcher.backends import cpsat

        return cpsat.solve(m, time_limit, params.relative_gap, params.seed, hint)
    return highs.solve(m, time_limit, params.relative_gap, params.seed, hint)
