"""Reading offers.csv: the scenario's columns, tiers, and refusals naming row and column."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.scenario.writer import OFFER_COLUMNS
from services.common.csv_rows import CsvRejected
from services.supply.adapters.offers_csv import COLUMNS, parse_offers

HEADER = ",".join(COLUMNS)
GOOD = ("coop-gulliver,coop-gulliver.camp,childcare,036040;036005,2027-W25;2027-W24,40,8,"
        "0:150.00;250:142.50,300.00,meals;accessible")


def rejected(text: str) -> list[tuple[int, str]]:
    with pytest.raises(CsvRejected) as caught:
        parse_offers(text, "coop-gulliver")
    return [(e.row, e.field) for e in caught.value.errors]


def test_the_columns_are_the_scenario_generators():
    assert COLUMNS == OFFER_COLUMNS


def test_a_good_row_becomes_an_offer_with_its_tiers():
    offer, = parse_offers(f"{HEADER}\n{GOOD}\n", "coop-gulliver")
    assert offer.municipalities == ["036005", "036040"]
    assert [(t.min_volume, t.unit_price_eur) for t in offer.price_tiers] == [
        (0, Decimal("150.00")), (250, Decimal("142.50"))]
    assert (offer.capacity_per_week, offer.min_group_per_week, offer.tags) == (
        40, 8, ["accessible", "meals"])


def test_optional_columns_may_be_left_out():
    text = ("offer_id,category,municipalities,weeks,capacity_per_week,price_tiers\n"
            "o1,home_care,036023,2027-W24,100,0:25.00\n")
    offer, = parse_offers(text, "coop-gulliver")
    assert (offer.min_group_per_week, offer.fixed_cost_per_week_eur, offer.tags) == (0, 0, [])


def test_each_bad_row_is_named_by_spreadsheet_row_and_column():
    rows = [GOOD.replace("camp", f"camp{i}") for i in range(5)]
    rows[1] = rows[1].replace(",40,8,", ",many,8,")
    rows[2] = rows[2].replace("0:150.00;250:142.50", "150.00")
    rows[3] = rows[3].replace("0:150.00;250:142.50", "0:150.00;0:140.00")
    rows[4] = rows[4].replace(",40,8,", ",4,8,")
    assert rejected("\n".join([HEADER, *rows])) == [
        (3, "capacity_per_week"), (4, "price_tiers"), (5, "price_tiers"), (6, "row")]


def test_a_repeated_offer_another_providers_row_and_a_missing_column_are_refused():
    assert rejected(f"{HEADER}\n{GOOD}\n{GOOD}\n") == [(3, "offer_id")]
    assert rejected(f"{HEADER}\n{GOOD.replace('coop-gulliver,', 'coop-aurora,', 1)}\n") == [
        (2, "provider_id")]
    assert rejected("offer_id,category\no1,childcare\n") == [
        (1, "municipalities"), (1, "weeks"), (1, "capacity_per_week"), (1, "price_tiers")]
