"""A small hand-built round and a correct result for it, worked out on paper.

Offers
  O1 childcare in 036023 and 036005, W27..W30, capacity 12, minimum group 2,
     tiers 0 -> 20.00, 40 -> 15.00, fixed 100.00 a week, tag accessible (P1)
  O2 home care in 036023, W27..W28, capacity 5, one tier 30.00 (P2)
  O3 childcare in 036023, W27..W30, capacity 5, one tier 10.00 (P3);
     the pair L3/O3 is excluded (the provider declined it)

Lines (F1 budget 400.00, F2 budget 300.00)
  L1 F1 childcare 036023 W27-W28, 3 units, max 25.00, priority 2, needs accessible
  L2 F2 childcare 036005 W27-W30, 6 units, max 20.00, priority 1
  L3 F1 childcare 036023 W27-W30, 4 units, max 18.00, priority 3
  L4 F2 home care 036023 W27-W28, 2 units, max 30.00, priority 5, paid by the municipality
  L5 F1 babysitting 036040 W27, 1 unit (no provider there)

The result: O1 serves L1 x3, L2 x5 (3 of them pinned), L3 x4: volume 6+20+16 = 42
unit-weeks, tier 1 at 15.00; loads 12, 12, 9, 9; fixed 4 x 100.00.
O2 serves L4 x2 at 30.00 (municipality-paid, so outside F2's budget).
L2 leaves 1 unit unmet; L5 its only unit.
"""

from __future__ import annotations

from decimal import Decimal as D

from schemas.result import (
    ContractLine,
    FirmOutcome,
    GroupContract,
    RoundResult,
    RoundTotals,
    SolverInfo,
    SolveStatus,
    UnmetDemand,
    UnmetReason,
)
from schemas.snapshot import RoundSnapshot
from tests.support.checker import input_hash

W = ["2027-W27", "2027-W28", "2027-W29", "2027-W30"]


def snapshot() -> RoundSnapshot:
    return RoundSnapshot.model_validate(
        {
            "network_id": "modena",
            "round_id": "r1",
            "first_week": W[0],
            "last_week": W[-1],
            "firms": [
                {"firm_id": "F1", "welfare_budget_eur": "400.00"},
                {"firm_id": "F2", "welfare_budget_eur": "300.00"},
            ],
            "demand_lines": [
                _line("L1", "F1", "childcare", "036023", W[:2], 3, "25.00", 2, ["accessible"]),
                _line("L2", "F2", "childcare", "036005", W, 6, "20.00", 1),
                _line("L3", "F1", "childcare", "036023", W, 4, "18.00", 3),
                _line("L4", "F2", "home_care", "036023", W[:2], 2, "30.00", 5, payer="municipality"),
                _line("L5", "F1", "babysitting", "036040", W[:1], 1, "50.00", 1),
            ],
            "offers": [
                {
                    "offer_id": "O1", "provider_id": "P1", "category": "childcare",
                    "municipalities": ["036023", "036005"], "weeks": W,
                    "capacity_per_week": 12, "min_group_per_week": 2,
                    "price_tiers": [
                        {"min_volume": 0, "unit_price_eur": "20.00"},
                        {"min_volume": 40, "unit_price_eur": "15.00"},
                    ],
                    "fixed_cost_per_week_eur": "100.00", "tags": ["accessible"],
                },
                {
                    "offer_id": "O2", "provider_id": "P2", "category": "home_care",
                    "municipalities": ["036023"], "weeks": W[:2], "capacity_per_week": 5,
                    "price_tiers": [{"min_volume": 0, "unit_price_eur": "30.00"}],
                },
                {
                    "offer_id": "O3", "provider_id": "P3", "category": "childcare",
                    "municipalities": ["036023"], "weeks": W, "capacity_per_week": 5,
                    "price_tiers": [{"min_volume": 0, "unit_price_eur": "10.00"}],
                },
            ],
            "pinned": [{"line_id": "L2", "offer_id": "O1", "units": 3}],
            "excluded": [{"line_id": "L3", "offer_id": "O3"}],
        }
    )


def _line(line_id, firm, category, municipality, weeks, units, price, priority, tags=(),
          payer="firm"):
    return {
        "line_id": line_id, "firm_id": firm, "category": category,
        "municipality": municipality, "weeks": list(weeks), "units": units,
        "max_unit_price_eur": price, "priority": priority, "required_tags": list(tags),
        "payer": payer, "respondents": 10,
    }


def result() -> RoundResult:
    snap = snapshot()
    o1_lines = [
        ContractLine(line_id="L1", firm_id="F1", units=3, unit_weeks=6,
                     unit_price_eur=D("15.00"), cost_eur=D("90.00")),
        ContractLine(line_id="L2", firm_id="F2", units=5, unit_weeks=20,
                     unit_price_eur=D("15.00"), cost_eur=D("300.00"), pinned=True),
        ContractLine(line_id="L3", firm_id="F1", units=4, unit_weeks=16,
                     unit_price_eur=D("15.00"), cost_eur=D("240.00")),
    ]
    o1 = GroupContract(
        offer_id="O1", provider_id="P1", tier_index=1, unit_price_eur=D("15.00"),
        volume_unit_weeks=42, running_weeks=W,
        weekly_load={W[0]: 12, W[1]: 12, W[2]: 9, W[3]: 9},
        fixed_cost_eur=D("400.00"), unit_cost_eur=D("630.00"), lines=o1_lines,
    )
    o2 = GroupContract(
        offer_id="O2", provider_id="P2", tier_index=0, unit_price_eur=D("30.00"),
        volume_unit_weeks=4, running_weeks=W[:2], weekly_load={W[0]: 2, W[1]: 2},
        fixed_cost_eur=D("0.00"), unit_cost_eur=D("120.00"),
        lines=[ContractLine(line_id="L4", firm_id="F2", units=2, unit_weeks=4,
                            unit_price_eur=D("30.00"), cost_eur=D("120.00"))],
    )
    return RoundResult(
        network_id="modena", round_id="r1", input_hash=input_hash(snap, snap.parameters),
        parameters=snap.parameters, seed=0,
        solver=SolverInfo(name="hand", version="paper"),
        status=SolveStatus.OPTIMAL, objective=0.0, bound=0.0, gap=0.0,
        contracts=[o1, o2],
        unmet=[
            UnmetDemand(line_id="L2", firm_id="F2", units=1, unit_weeks=4,
                        reason=UnmetReason.CAPACITY_TAKEN_BY_HIGHER_PRIORITY),
            UnmetDemand(line_id="L5", firm_id="F1", units=1, unit_weeks=1,
                        reason=UnmetReason.NO_PROVIDER_IN_AREA),
        ],
        firms=[
            FirmOutcome(firm_id="F1", demanded_unit_weeks=23, served_unit_weeks=22,
                        coverage=22 / 23, cost_eur=D("330.00"), budget_eur=D("400.00")),
            FirmOutcome(firm_id="F2", demanded_unit_weeks=28, served_unit_weeks=24,
                        coverage=24 / 28, cost_eur=D("300.00"), budget_eur=D("300.00")),
        ],
        totals=RoundTotals(
            demanded_unit_weeks=51, served_unit_weeks=46, coverage=46 / 51,
            weighted_coverage=100 / 105, unit_cost_eur=D("750.00"),
            fixed_cost_eur=D("400.00"), total_cost_eur=D("1150.00"),
        ),
    )
