"""Minimal rounds that once exposed optimiser bugs; tests replay them as explicit examples."""

from __future__ import annotations

from schemas.snapshot import RoundSnapshot

WEEK = "2027-W27"


def _line(i: int, municipality: str) -> dict:
    return {"line_id": f"L{i}", "firm_id": "F1", "category": "childcare",
            "municipality": municipality, "weeks": [WEEK], "units": 1,
            "max_unit_price_eur": "50.00", "respondents": 10}


def _offer(i: int, municipality: str) -> dict:
    return {"offer_id": f"O{i}", "provider_id": "P1", "category": "childcare",
            "municipalities": [municipality], "weeks": [WEEK], "capacity_per_week": 5,
            "price_tiers": [{"min_volume": 0, "unit_price_eur": "5.00"}]}


def _round(lines: list[dict], offers: list[dict]) -> RoundSnapshot:
    return RoundSnapshot.model_validate({
        "network_id": "n", "round_id": "r", "first_week": WEEK, "last_week": WEEK,
        "firms": [{"firm_id": "F1", "welfare_budget_eur": "100000.00"}],
        "demand_lines": lines, "offers": offers,
    })


def one_line() -> RoundSnapshot:
    """One line, one offer: CP-SAT came back 'feasible', bound -12 against objective -7."""
    return _round([_line(1, "036023")], [_offer(1, "036023")])


def two_markets() -> RoundSnapshot:
    """Two independent one-line markets: decomposed, the bound lost the cost term."""
    return _round([_line(1, "036023"), _line(2, "036005")],
                  [_offer(1, "036023"), _offer(2, "036005")])
