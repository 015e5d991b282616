"""Every value a producer enters is bounded, checked against real codes, and refused in words."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from schemas import limits
from schemas.capacity import CapacityOffer
from schemas.compatibility import breaking_changes
from schemas.demand import DemandLine, FirmEnrolled, FirmProfile
from schemas.export import json_schemas
from schemas.parameters import RoundParameters
from schemas.rounds import StartRound
from schemas.types import istat_codes
from services.common.errors import describe

SCENARIO_CSV = Path(__file__).parents[3] / "services/scenario/data/municipalities.csv"

LINE = {"line_id": "acme-L1", "category": "childcare", "municipality": "036023",
        "weeks": ["2027-W27"], "units": 5, "max_unit_price_eur": "150.00", "respondents": 10}
OFFER = {"offer_id": "camp", "category": "childcare", "municipalities": ["036023"],
         "weeks": ["2027-W27"], "capacity_per_week": 20,
         "price_tiers": [{"min_volume": 0, "unit_price_eur": "100.00"}]}
FIRM = {"firm_id": "acme", "name": "Acme", "ateco_sector": "C", "employees": 40,
        "welfare_budget_eur": "5000.00"}


def refusal(model, data: dict) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return describe(caught.value)


def test_the_shipped_istat_codes_are_those_of_the_scenario_data():
    with SCENARIO_CSV.open(encoding="utf-8") as handle:
        scenario = {row["istat_code"] for row in csv.DictReader(handle)}
    assert istat_codes() == frozenset(scenario)
    assert "036023" in istat_codes() and len(istat_codes()) > 7800


@pytest.mark.parametrize(("value", "reason"), [
    ("999999", "is not in the ISTAT list of municipalities"),
    ("\u0660\u0663\u0666\u0660\u0662\u0663", "is not an ISTAT municipality code"),  # Arabic-Indic
    ("036023\n", "is not an ISTAT municipality code"),
    ("36023", "is not an ISTAT municipality code"),
])
def test_a_municipality_must_be_a_real_istat_code_in_ascii_digits(value, reason):
    message = refusal(DemandLine, {**LINE, "municipality": value})
    assert message.startswith("municipality: ") and reason in message
    assert "pattern" not in message and "\\d" not in message
    message = refusal(CapacityOffer, {**OFFER, "municipalities": ["036023", value]})
    assert message.startswith("municipalities.1: ")


def test_weeks_and_ids_are_ascii_and_refused_in_words():
    arabic_week = "\u0662\u0660\u0662\u0667-W27"
    assert "must be an ISO week like 2027-W27" in refusal(DemandLine, {**LINE,
                                                                        "weeks": [arabic_week]})
    message = refusal(DemandLine, {**LINE, "line_id": "linea uno"})
    assert message.startswith("line_id: must be 1 to 100 characters") and "^" not in message
    assert "letter of an ATECO 2007 section" in refusal(FirmProfile, {**FIRM,
                                                                      "ateco_sector": "Z"})


@pytest.mark.parametrize(("model", "data", "field"), [
    (DemandLine, {**LINE, "units": 10**30}, "units"),
    (DemandLine, {**LINE, "units": limits.MAX_UNITS + 1}, "units"),
    (DemandLine, {**LINE, "respondents": limits.MAX_EMPLOYEES + 1}, "respondents"),
    (FirmProfile, {**FIRM, "employees": 10**30}, "employees"),
    (CapacityOffer, {**OFFER, "capacity_per_week": limits.MAX_CAPACITY_PER_WEEK + 1},
     "capacity_per_week"),
    (CapacityOffer, {**OFFER, "min_group_per_week": 10**9}, "min_group_per_week"),
    (CapacityOffer, {**OFFER, "price_tiers": [{"min_volume": 0, "unit_price_eur": "1"},
                                              {"min_volume": 10**12, "unit_price_eur": "1"}]},
     "price_tiers.1.min_volume"),
])
def test_counts_have_an_upper_bound(model, data, field):
    assert refusal(model, data).startswith(f"{field}: ")


@pytest.mark.parametrize(("model", "data", "field", "words"), [
    (DemandLine, {**LINE, "max_unit_price_eur": "30000000"}, "max_unit_price_eur",
     "at most 100,000.00 EUR"),
    (FirmProfile, {**FIRM, "welfare_budget_eur": "100000000.01"}, "welfare_budget_eur",
     "at most 100,000,000.00 EUR"),
    (CapacityOffer, {**OFFER, "fixed_cost_per_week_eur": "1000000.01"},
     "fixed_cost_per_week_eur", "at most 1,000,000.00 EUR"),
    (CapacityOffer, {**OFFER, "price_tiers": [{"min_volume": 0, "unit_price_eur": "1e6"}]},
     "price_tiers.0.unit_price_eur", "at most 100,000.00 EUR"),
    (DemandLine, {**LINE, "max_unit_price_eur": "Infinity"}, "max_unit_price_eur", "finite"),
])
def test_money_that_a_producer_enters_is_bounded(model, data, field, words):
    message = refusal(model, data)
    assert message.startswith(f"{field}: ") and words in message


def test_the_largest_amounts_fit_the_columns_that_store_them():
    line_cost_cents = limits.MAX_UNITS * limits.MAX_WEEKS * int(limits.MAX_UNIT_PRICE_EUR * 100)
    assert line_cost_cents < 2**63 // 1000  # a thousand such lines still fit a BIGINT
    assert int(limits.MAX_UNIT_PRICE_EUR * 100) <= limits.INT32_MAX  # intake's price column
    assert limits.MAX_UNITS * limits.MAX_WEEKS <= limits.INT32_MAX  # a line's unit-weeks
    assert limits.MAX_TIER_VOLUME <= limits.INT32_MAX  # an offer's volume


@pytest.mark.parametrize(("data", "field"), [
    ({**LINE, "required_tags": [f"t{i}" for i in range(30_000)]}, "required_tags"),
    ({**LINE, "weeks": ["2027-W27"] * (limits.MAX_WEEKS + 1)}, "weeks"),
])
def test_lists_of_a_line_are_bounded(data, field):
    assert refusal(DemandLine, data).startswith(f"{field}: ")


def test_an_offer_serves_at_most_every_municipality_of_italy():
    codes = sorted(istat_codes())
    many = (codes * 20)[:150_000]
    assert refusal(CapacityOffer, {**OFFER, "municipalities": many}).startswith(
        "municipalities: ")
    assert len(CapacityOffer.model_validate({**OFFER, "municipalities": codes}).municipalities) \
        == len(codes)


@pytest.mark.parametrize(("weights", "field"), [
    ({"cost_weight": float("inf")}, "cost_weight"),
    ({"coverage_weight": float("nan")}, "coverage_weight"),
    ({"fairness_weight": limits.MAX_WEIGHT * 10}, "fairness_weight"),
    ({"priority_weights": [1, 2, 3, 4, float("inf")]}, "priority_weights.4"),
    ({"time_limit_s": float("nan")}, "time_limit_s"),
])
def test_round_weights_are_finite_and_bounded(weights, field):
    assert refusal(RoundParameters, weights).startswith(f"{field}: ")


def test_a_weight_of_1e309_in_json_is_refused():
    payload = ('{"network_id": "modena", "round_id": "r1", "entity_version": 1, '
               '"first_week": "2027-W24", "last_week": "2027-W36", '
               '"parameters": {"cost_weight": 1e309}}')
    with pytest.raises(ValidationError) as caught:
        StartRound.model_validate_json(payload)
    assert describe(caught.value).startswith("parameters.cost_weight: ")


def test_entity_versions_fit_a_32_bit_column():
    with pytest.raises(ValidationError):
        FirmEnrolled(network_id="modena", entity_version=2**31, firm=FIRM)
    assert FirmEnrolled(network_id="modena", entity_version=2**31 - 1, firm=FIRM)


def test_added_maxima_do_not_count_as_breaking():
    # A consumer reads a subset of what it could: a tighter producer bound breaks no reader,
    # and the values newly refused are ones no network produces or could store.
    old = copy.deepcopy(json_schemas()["DemandSubmitted"])
    for field in ("units", "respondents"):
        old["$defs"]["DemandLine"]["properties"][field].pop("maximum", None)
    assert breaking_changes(old, json_schemas()["DemandSubmitted"], "DemandSubmitted") == []
    units = json_schemas()["DemandSubmitted"]["$defs"]["DemandLine"]["properties"]["units"]
    assert units["maximum"] == limits.MAX_UNITS
    assert json.dumps(json_schemas()).count("\\\\d") == 0  # no Unicode-digit patterns
