"""Backward compatibility of the public schemas against the checked-in copy.

``tests/contracts/json-schemas/`` holds the schemas as released. A change that
breaks a consumer (a required field removed, renamed or retyped) fails here;
a compatible change is released by re-exporting the copy:
``welfare schemas export tests/contracts/json-schemas``.
"""

from __future__ import annotations

import copy
from pathlib import Path

from schemas.compatibility import breaking_changes, compare_sets
from schemas.export import all_models, json_schemas, read_schemas
from services.cli.main import main

RELEASED = Path(__file__).parents[2] / "contracts" / "json-schemas"


def test_current_schemas_do_not_break_the_released_ones():
    assert compare_sets(read_schemas(RELEASED), json_schemas()) == []


def test_every_message_and_file_format_has_a_released_schema():
    assert set(read_schemas(RELEASED)) == set(all_models())


def _demand() -> dict:
    return copy.deepcopy(json_schemas()["DemandSubmitted"])


def test_removing_a_required_field_is_breaking():
    new = _demand()
    del new["$defs"]["DemandLine"]["properties"]["units"]
    new["$defs"]["DemandLine"]["required"].remove("units")
    assert breaking_changes(_demand(), new, "DemandSubmitted") == [
        "DemandSubmitted.line.units: required field removed or renamed"
    ]


def test_renaming_a_required_field_is_breaking():
    new = _demand()
    line = new["$defs"]["DemandLine"]
    line["properties"]["units_per_week"] = line["properties"].pop("units")
    line["required"] = ["units_per_week" if f == "units" else f for f in line["required"]]
    problems = breaking_changes(_demand(), new, "DemandSubmitted")
    assert "DemandSubmitted.line.units: required field removed or renamed" in problems
    assert "DemandSubmitted.line.units_per_week: new required field (old messages lack it)" in problems


def test_retyping_a_field_is_breaking():
    new = _demand()
    new["$defs"]["DemandLine"]["properties"]["units"] = {"type": "string"}
    assert breaking_changes(_demand(), new, "DemandSubmitted") == [
        "DemandSubmitted.line.units: type integer is no longer accepted (now ['string'])"
    ]


def test_narrowing_an_enum_is_breaking():
    new = _demand()
    new["$defs"]["Category"]["enum"].remove("concierge")
    assert breaking_changes(_demand(), new, "DemandSubmitted") == [
        "DemandSubmitted.line.category: enum values ['concierge'] are no longer accepted"
    ]


def test_adding_an_optional_field_is_compatible():
    new = _demand()
    new["$defs"]["DemandLine"]["properties"]["notes"] = {"type": "string"}
    assert breaking_changes(_demand(), new, "DemandSubmitted") == []


def test_the_cli_check_fails_on_a_deliberately_broken_copy(tmp_path, capsys):
    assert main(["schemas", "export", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*.json"))) == len(all_models()) + 1  # and asyncapi.json
    # Pretend the released copy had a required field the code no longer has.
    released = tmp_path / "FirmEnrolled.json"
    text = released.read_text().replace('"welfare_budget_eur"', '"welfare_budget"')
    released.write_text(text)
    assert main(["schemas", "check", str(tmp_path)]) == 2
    out = capsys.readouterr()
    assert "FirmEnrolled.firm.welfare_budget: required field removed or renamed" in out.out
    assert "breaking change" in out.err

