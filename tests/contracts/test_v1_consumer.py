"""A consumer of the first release still reads the awards that carry what staffing needs.

The award lines gained firm and provider names, municipality code and name,
category and required tags within version 1 (schemas/assignments.py says why
not a version 2). A provider system built on the first release validates
against the schema it was given (``v1/*.json``) or parses with the models it
generated (``v1_models.py``): both must take the new events as they are, and
read the same units, prices and weeks. And an award written before the change
still reads with today's models.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from schemas.assignments import AwardedLine, AwardedOffer, ContractAmended, ContractAwarded
from schemas.topics import ASSIGNMENTS, decode, encode
from tests.contracts import v1_models

V1 = Path(__file__).parent / "v1"


def award() -> ContractAwarded:
    line = AwardedLine(
        firm_id="MO-F0001", line_id="MO-F0001.childcare.1", units=6,
        weeks=["2027-W27", "2027-W28"], unit_price_eur="100.00", cost_eur="1200.00",
        firm_name="Ceramiche Sassuolo S.p.A.", municipality="036023",
        municipality_name="Modena (MO)", category="childcare", required_tags=["accessible"])
    return ContractAwarded(
        network_id="modena", entity_version=1, contract_id="r1:gulliver", round_id="r1",
        provider_id="gulliver", provider_name="Cooperativa Gulliver",
        offers=[AwardedOffer(offer_id="gulliver.camp", tier_index=0, unit_price_eur="100.00",
                             volume_unit_weeks=12, running_weeks=["2027-W27", "2027-W28"],
                             fixed_cost_eur="0.00", lines=[line])])


def amendment() -> ContractAmended:
    a = award()
    return ContractAmended(**a.model_dump(exclude={"event_type"}),
                           replaces_contract_id="r0:gulliver", replaces_round_id="r0")


@pytest.mark.parametrize("event", [award(), amendment()], ids=["awarded", "amended"])
def test_the_v1_json_schema_accepts_the_new_event(event):
    schema = json.loads((V1 / f"{type(event).__name__}.json").read_text())
    wire = json.loads(encode(event))
    assert wire["offers"][0]["lines"][0]["municipality_name"] == "Modena (MO)"  # it is new
    jsonschema.validate(wire, schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("event", [award(), amendment()], ids=["awarded", "amended"])
def test_the_v1_models_read_the_new_event_unchanged(event):
    old = getattr(v1_models, type(event).__name__).model_validate_json(encode(event))
    (line,) = old.offers[0].lines
    assert (old.contract_id, old.provider_id) == (event.contract_id, event.provider_id)
    assert (line.firm_id, line.units, line.weeks) == ("MO-F0001", 6, ["2027-W27", "2027-W28"])
    assert (line.unit_price_eur, line.cost_eur) == (Decimal("100.00"), Decimal("1200.00"))


def test_an_award_written_before_the_change_still_reads():
    wire = json.loads(encode(award()))
    del wire["provider_name"]
    for name in ("firm_name", "municipality", "municipality_name", "category",
                 "required_tags"):
        del wire["offers"][0]["lines"][0][name]
    jsonschema.validate(wire, json.loads((V1 / "ContractAwarded.json").read_text()))
    event = decode(ASSIGNMENTS, json.dumps(wire).encode())
    (line,) = event.offers[0].lines
    assert event.provider_name is None
    assert (line.firm_name, line.municipality, line.category, line.required_tags) == (
        None, None, None, [])
