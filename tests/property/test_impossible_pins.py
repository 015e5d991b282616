"""A pin that cannot be kept makes the round infeasible: a value, not an exception.

One-line, one-offer rounds, each breaking one rule with its pin; the result
must say ``infeasible``, award nothing, and pass the checker.
"""

from __future__ import annotations

import pytest

import matcher
from schemas.result import SolveStatus
from schemas.snapshot import RoundSnapshot
from tests.support.checker import check


def one_pin(price="8.00", capacity=5, units=2, pin=1, budget="1000.00", min_group=0,
            excluded=False, category="childcare") -> RoundSnapshot:
    return RoundSnapshot.model_validate({
        "network_id": "n", "round_id": "r", "first_week": "2027-W27", "last_week": "2027-W27",
        "firms": [{"firm_id": "F1", "welfare_budget_eur": budget}],
        "demand_lines": [{
            "line_id": "L1", "firm_id": "F1", "category": category, "municipality": "036023",
            "weeks": ["2027-W27"], "units": units, "max_unit_price_eur": "10.00",
            "respondents": 10}],
        "offers": [{
            "offer_id": "O1", "provider_id": "P1", "category": "childcare",
            "municipalities": ["036023"], "weeks": ["2027-W27"], "capacity_per_week": capacity,
            "min_group_per_week": min_group,
            "price_tiers": [{"min_volume": 0, "unit_price_eur": price}]}],
        "pinned": [{"line_id": "L1", "offer_id": "O1", "units": pin}],
        "excluded": [{"line_id": "L1", "offer_id": "O1"}] if excluded else [],
    })


CASES = {
    "above capacity": dict(capacity=2, units=3, pin=3),
    "above the line's units": dict(units=1, pin=2),
    "over the budget": dict(budget="5.00"),
    "below the minimum group": dict(min_group=3, pin=2),
    "declined": dict(excluded=True),
    "incompatible": dict(category="home_care"),
    # Once raised ValueError in matcher's decomposition (fixed): keep it as a regression.
    "priced above the line's maximum": dict(price="12.00"),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_an_impossible_pin_gives_an_infeasible_result(case):
    snapshot = one_pin(**case)
    result = matcher.solve_round(snapshot)
    assert result.status == SolveStatus.INFEASIBLE
    assert result.contracts == []
    assert check(snapshot, result) == []
