"""The figures an operator reads first, from a round result. Pure: no I/O."""

from __future__ import annotations

from collections import Counter

from schemas.result import RoundResult
from schemas.rounds import FirmCoverage, RoundSummary


def unmet_units_by_reason(result: RoundResult) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for unmet in result.unmet:
        counts[unmet.reason.value] += unmet.units
    return dict(sorted(counts.items()))


def summarise(result: RoundResult) -> RoundSummary:
    return RoundSummary(
        status=result.status.value,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        coverage=result.totals.coverage,
        weighted_coverage=result.totals.weighted_coverage,
        total_cost_eur=result.totals.total_cost_eur,
        contracts=sum(1 for group in result.contracts if group.lines),
        unmet_units_by_reason=unmet_units_by_reason(result),
        firms=[
            FirmCoverage(firm_id=f.firm_id, coverage=f.coverage, cost_eur=f.cost_eur)
            for f in result.firms
        ],
    )
