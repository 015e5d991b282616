"""Supply's answer endpoint on the real broker and both databases: a provider without
its own Kafka client answers its award over HTTP, and the same events a provider's
system publishes go out on welfare.provider-responses.v1, keyed by provider."""

from __future__ import annotations

import asyncio

import pytest

from schemas.topics import CAPACITY, PROVIDER_RESPONSES, decode
from services.matcher.domain.ids import contract_id as matcher_contract_id
from services.supply.domain.answers import contract_of
from tests.integration.intake.running import auth, read_topic
from tests.integration.supply.test_offers import enrol

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

GULLIVER = auth("provider", "coop-gulliver")
AURORA = auth("provider", "coop-aurora")
OPERATOR = auth("operator", "ops")
ROUND = "modena-2027-r1"
CONTRACT = f"{ROUND}:coop-gulliver"
PATH = f"/v1/providers/coop-gulliver/contracts/{CONTRACT}/answer"


def test_supply_derives_contract_ids_as_the_matcher_does():
    for round_id, provider in ((ROUND, "coop-gulliver"), ("r" * 90, "p" * 60)):
        assert contract_of(round_id, provider) == matcher_contract_id(round_id, provider)


async def test_a_decline_and_an_acceptance_go_out_as_a_provider_system_sends_them(
        supply, settings):
    await enrol(supply)
    declined = await supply.post(PATH, headers=GULLIVER, json={
        "answer": "declined", "round_id": ROUND, "entity_version": 2,
        "reason": "no_staff", "note": "  educatori in ferie  "})
    assert declined.status_code == 202, declined.text
    accepted = await supply.post(PATH, headers=OPERATOR, json={
        "answer": "accepted", "round_id": ROUND, "entity_version": 3})
    assert accepted.status_code == 202, accepted.text

    records = await read_topic(settings.kafka_bootstrap, PROVIDER_RESPONSES, expected=2)
    assert all(r.key == b"coop-gulliver" for r in records)
    events = [decode(PROVIDER_RESPONSES, r.value) for r in records]
    assert [(e.event_type, e.entity_version) for e in events] == [
        ("ContractDeclined", 2), ("ContractAccepted", 3)]
    decline = events[0]
    assert (decline.network_id, decline.contract_id, decline.round_id, decline.provider_id) == (
        "modena", CONTRACT, ROUND, "coop-gulliver")
    assert decline.reason == "no_staff: educatori in ferie" and decline.pairs == []
    assert str(decline.event_id) == declined.json()["event_id"]


async def test_bad_answers_are_refused_in_words_and_nothing_is_published(supply, settings):
    await enrol(supply)
    await enrol(supply, "coop-aurora")
    cases = [
        (AURORA, PATH, {"answer": "accepted", "round_id": ROUND, "entity_version": 2}, 403,
         None),
        (GULLIVER, f"/v1/providers/coop-gulliver/contracts/{ROUND}:coop-aurora/answer",
         {"answer": "accepted", "round_id": ROUND, "entity_version": 2}, 404, "il contratto"),
        (GULLIVER, PATH, {"answer": "accepted", "round_id": "other-round",
                          "entity_version": 2}, 404, "il contratto"),
        (GULLIVER, PATH, {"answer": "declined", "round_id": ROUND, "entity_version": 2},
         422, "reason"),
        (GULLIVER, PATH, {"answer": "declined", "round_id": ROUND, "entity_version": 2,
                          "reason": "too_busy"}, 422, "reason"),
        (GULLIVER, PATH, {"answer": "declined", "round_id": ROUND, "entity_version": 2,
                          "reason": "other"}, 422, "note"),
        (GULLIVER, PATH, {"answer": "maybe", "round_id": ROUND, "entity_version": 2},
         422, "answer"),
        (GULLIVER, PATH, {"answer": "accepted", "round_id": ROUND, "entity_version": 1},
         422, "entity_version"),
    ]
    for headers, path, body, status, field in cases:
        response = await supply.post(path, headers=headers, json=body)
        assert response.status_code == status, (body, response.text)
        if field:
            assert field in response.text, response.text
            assert len(response.text) < 2000  # one readable message, not a trace
    await asyncio.sleep(1)  # the relay would have published by now
    records = await read_topic(settings.kafka_bootstrap, [CAPACITY, PROVIDER_RESPONSES],
                               expected=2)
    assert {r.topic for r in records} == {CAPACITY}  # the two enrolments, no answer
