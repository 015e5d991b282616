"""Municipality names ship with the contracts and agree with the scenario's data."""

from __future__ import annotations

import csv
from pathlib import Path

from schemas.municipalities import municipality_name, municipality_names
from schemas.types import istat_codes

SCENARIO_CSV = Path(__file__).parents[3] / "services/scenario/data/municipalities.csv"


def test_a_code_is_named_with_its_province():
    assert municipality_name("036023") == "Modena (MO)"
    assert municipality_name("001001") == "Agliè (TO)"
    assert municipality_name("999999") is None


def test_every_accepted_code_has_a_name_and_no_other():
    assert set(municipality_names()) == istat_codes()


def test_the_names_are_the_scenario_data_s():
    with SCENARIO_CSV.open(encoding="utf-8") as f:
        expected = {row["istat_code"]: f"{row['name']} ({row['province_abbr']})"
                    for row in csv.DictReader(f)}
    assert municipality_names() == expected
