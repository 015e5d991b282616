"""A fixed round as the operator API returns it (``RoundDetail`` as JSON), for report tests.

A committed repair round on Modena stopped at its time limit: two firms, two
providers, unmet demand for two reasons. Built through the real view models,
so a change in what the API returns shows here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from schemas.parameters import RoundParameters
from schemas.result import SmallestChange
from services.matcher.views import (
    ContractLineView,
    ContractOfferView,
    ContractView,
    FirmCoverageView,
    RoundDetail,
    RoundTimings,
    UnmetByReason,
    UnmetLineView,
)

NAMES = {
    "MO-F0001": "Ceramiche Rossi",
    "MO-F0002": "Tipografia Bassi",
    "MO-P0003": "Asilo Nido Arcobaleno",
    "MO-P0003.camp": "Centro estivo Arcobaleno",
    "MO-P0007": "Cooperativa Sociale Il Faro",
    "MO-P0007.care": "Assistenza domiciliare Il Faro",
}
AT = dt.datetime(2027, 5, 3, 9, 0, tzinfo=dt.timezone.utc)


def _line(line_id: str, firm: str, units: int, weeks: list[str], price: str) -> ContractLineView:
    return ContractLineView(line_id=line_id, firm_id=firm, units=units,
                            unit_weeks=units * len(weeks), weeks=weeks,
                            unit_price_eur=Decimal(price),
                            cost_eur=Decimal(price) * units * len(weeks), pinned=False)


def fixed_round() -> dict:
    camp_weeks = ["2027-W27", "2027-W28"]
    camp = ContractOfferView(
        offer_id="MO-P0003.camp", tier_index=1, unit_price_eur=Decimal("120.00"),
        volume_unit_weeks=40, running_weeks=camp_weeks,
        weekly_load={"2027-W27": 20, "2027-W28": 20}, fixed_cost_eur=Decimal("500.00"),
        unit_cost_eur=Decimal("4800.00"),
        lines=[_line("l1", "MO-F0001", 12, camp_weeks, "120.00"),
               _line("l2", "MO-F0002", 8, camp_weeks, "120.00")])
    care = ContractOfferView(
        offer_id="MO-P0007.care", tier_index=0, unit_price_eur=Decimal("22.50"),
        volume_unit_weeks=300, running_weeks=["2027-W27"], weekly_load={"2027-W27": 300},
        fixed_cost_eur=Decimal("0.00"), unit_cost_eur=Decimal("6750.00"),
        lines=[_line("l3", "MO-F0001", 300, ["2027-W27"], "22.50")])
    detail = RoundDetail(
        round_id="modena-2027-r3", network_id="modena", first_week="2027-W24",
        last_week="2027-W36", dry_run=False, kind="repair", status="completed",
        outcome="feasible", requested_by="ops", requested_at=AT, started_at=AT,
        finished_at=AT + dt.timedelta(seconds=31), input_hash="0" * 64, demand_lines=5,
        offers=2, coverage=0.8, weighted_coverage=0.75, total_cost_eur=Decimal("12095.00"),
        contract_count=2, failure_reason=None,
        parameters=RoundParameters(time_limit_s=30), attempts=1, solver="highs",
        objective=-1000.0, bound=-1120.0, gap=0.12,
        message="the time limit came before the gap was proven; a replay may differ",
        pinned=3, excluded=1, summary=None,
        timings=RoundTimings(snapshot_s=0.4, solve_s=29.6, solver_build_s=1.2,
                             solver_solve_s=28.1, total_s=31.2),
        firms=[FirmCoverageView(firm_id="MO-F0001", demanded_unit_weeks=344,
                                served_unit_weeks=324, coverage=324 / 344,
                                cost_eur=Decimal("9630.00"), budget_eur=Decimal("10000.00")),
               FirmCoverageView(firm_id="MO-F0002", demanded_unit_weeks=56,
                                served_unit_weeks=16, coverage=16 / 56,
                                cost_eur=Decimal("1920.00"), budget_eur=Decimal("1920.00"))],
        contracts=[
            ContractView(contract_id="c1", provider_id="MO-P0003", awarded=True,
                         award_event_id="e1", unit_cost_eur=Decimal("4800.00"),
                         fixed_cost_eur=Decimal("500.00"), response="accepted",
                         declined_pairs=[], offers=[camp]),
            ContractView(contract_id="c2", provider_id="MO-P0007", awarded=True,
                         award_event_id="e2", unit_cost_eur=Decimal("6750.00"),
                         fixed_cost_eur=Decimal("0.00"), response=None,
                         declined_pairs=[], offers=[care])],
        unmet=[
            UnmetByReason(reason="budget_spent", units=20, unit_weeks=40, lines=[
                UnmetLineView(line_id="l2b", firm_id="MO-F0002", units=20, unit_weeks=40,
                              change=SmallestChange(
                                  description="2400.00 EUR more budget for firm MO-F0002 "
                                              "would pay for 20 more units on offer "
                                              "MO-P0003.camp",
                                  offer_id="MO-P0003.camp",
                                  extra_budget_eur=Decimal("2400.00")))]),
            UnmetByReason(reason="group_below_minimum", units=4, unit_weeks=4, lines=[
                UnmetLineView(line_id="l4", firm_id="MO-F0001", units=4, unit_weeks=4,
                              change=SmallestChange(
                                  description="6 more units in week 2027-W29 open offer "
                                              "MO-P0003.camp", offer_id="MO-P0003.camp",
                                  week="2027-W29", extra_units=6))]),
            UnmetByReason(reason="no_provider_in_area", units=2, unit_weeks=2, lines=[
                UnmetLineView(line_id="l5", firm_id="MO-F0002", units=2, unit_weeks=2,
                              change=None)]),
        ],
    )
    return detail.model_dump(mode="json")
