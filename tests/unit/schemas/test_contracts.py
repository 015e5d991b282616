"""The event contracts: validation, tolerance of extra fields, errors that name the field."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from schemas import TOPIC_OF, TOPICS, decode, encode, record_key
from schemas.demand import DemandSubmitted
from schemas.examples import examples
from schemas.snapshot import RoundSnapshot
from schemas.types import parse_week_range, weeks_between
from services.common.errors import describe

EXAMPLES = examples()


def test_examples_cover_every_message_of_every_topic():
    covered = {type(message) for message in EXAMPLES}
    assert covered == set(TOPIC_OF)


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: type(m).__name__)
def test_every_message_round_trips_through_its_topic(message):
    topic = TOPIC_OF[type(message)]
    assert decode(topic, encode(message)) == message
    assert record_key(message)


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: type(m).__name__)
def test_unknown_extra_field_is_accepted_by_a_version_1_consumer(message):
    payload = json.loads(encode(message))
    payload["added_in_a_later_minor_release"] = {"anything": [1, 2]}
    assert decode(TOPIC_OF[type(message)], json.dumps(payload)) == message


def _demand_payload() -> dict:
    message = next(m for m in EXAMPLES if isinstance(m, DemandSubmitted))
    return json.loads(encode(message))


@pytest.mark.parametrize(
    ("path", "value", "field", "reason"),
    [
        (("line", "municipality"), "Modena", "line.municipality",
         "not an ISTAT municipality code"),
        (("line", "weeks"), ["2027-W53"], "line.weeks.0", "does not exist"),
        (("line", "max_unit_price_eur"), "-5", "line.max_unit_price_eur", "greater than or equal"),
        (("line", "max_unit_price_eur"), "12.345", "line.max_unit_price_eur", "decimal places"),
        (("line", "priority"), 9, "line.priority", "less than or equal to 5"),
        (("occurred_at",), "2027-05-03T09:30:00", "occurred_at", "timezone"),
        (("schema_version",), 2, "schema_version", "1"),
        (("line", "category"), "yoga", "line.category", "childcare"),
    ],
)
def test_an_invalid_value_is_rejected_with_the_field_named(path, value, field, reason):
    payload = _demand_payload()
    node = payload
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    with pytest.raises(ValidationError) as caught:
        decode("welfare.demand.v1", json.dumps(payload))
    message = describe(caught.value)
    assert message.startswith(f"{field}: "), message
    assert reason in message


def test_a_malformed_payload_is_rejected():
    with pytest.raises(ValidationError) as caught:
        decode("welfare.demand.v1", b'{"event_type": "DemandSubmitted", ')
    assert "Invalid JSON" in describe(caught.value)


def test_an_unknown_event_type_is_rejected_naming_the_discriminator():
    payload = _demand_payload() | {"event_type": "DemandInvented"}
    with pytest.raises(ValidationError) as caught:
        decode("welfare.demand.v1", json.dumps(payload))
    assert "event_type" in describe(caught.value)


def test_entity_id_is_filled_from_the_payload_and_must_agree_with_it():
    payload = _demand_payload()
    del payload["entity_id"]
    assert decode("welfare.demand.v1", json.dumps(payload)).entity_id == payload["line"]["line_id"]
    payload["entity_id"] = "another-line"
    with pytest.raises(ValidationError, match="must equal line.line_id"):
        decode("welfare.demand.v1", json.dumps(payload))


def test_money_travels_as_an_exact_string():
    payload = _demand_payload()
    assert payload["line"]["max_unit_price_eur"] == "150.00"


def test_topics_match_the_design():
    assert set(TOPICS) == {
        "welfare.demand.v1", "welfare.capacity.v1", "welfare.round-commands.v1",
        "welfare.round-events.v1", "welfare.assignments.v1", "welfare.provider-responses.v1",
        "welfare.dead-letter.v1",
    }
    keys = {name: spec.key_field for name, spec in TOPICS.items()}
    assert keys["welfare.demand.v1"] == "firm_id"
    assert keys["welfare.capacity.v1"] == "provider_id"
    assert keys["welfare.assignments.v1"] == keys["welfare.provider-responses.v1"] == "provider_id"
    assert keys["welfare.round-commands.v1"] == keys["welfare.round-events.v1"] == "network_id"


def test_week_ranges_parse_and_expand():
    assert parse_week_range("2027-W24..2027-W36") == ("2027-W24", "2027-W36")
    assert weeks_between("2026-W52", "2027-W02") == ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    with pytest.raises(ValueError, match="before it starts"):
        parse_week_range("2027-W36..2027-W24")


def _snapshot(**changes) -> dict:
    line = _demand_payload()["line"] | {"firm_id": "f1"}
    data = {
        "network_id": "modena", "round_id": "r1", "first_week": "2027-W24",
        "last_week": "2027-W36", "firms": [{"firm_id": "f1", "welfare_budget_eur": "100"}],
        "demand_lines": [line],
    }
    return data | changes


def test_a_snapshot_with_a_dangling_reference_names_the_field():
    data = _snapshot(pinned=[{"line_id": "nope", "offer_id": "x", "units": 1}])
    with pytest.raises(ValidationError) as caught:
        RoundSnapshot.model_validate(data)
    assert "pinned[0].line_id: unknown line 'nope'" in describe(caught.value)


def test_a_snapshot_line_outside_the_round_weeks_is_refused():
    data = _snapshot(last_week="2027-W27")
    with pytest.raises(ValidationError, match=r"demand_lines\[0\]\.weeks: 2027-W28 is outside"):
        RoundSnapshot.model_validate(data)
