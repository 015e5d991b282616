"""The operator API on the real broker and databases: who may start rounds, and how."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from schemas.topics import ROUND_COMMANDS, decode
from services.common.auth import Role, issue
from services.common.kafka import KafkaConnection
from services.operator.bootstrap import build
from tests.integration.operator.book import seed_network
from tests.support.services import running

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _modena_is_known(settings):
    seed_network(settings, "modena")


@pytest.fixture
def tokens(settings, tmp_path):
    path = tmp_path / "tokens.json"
    issued = {
        "operator": issue(path, Role.OPERATOR, "ops-modena"),
        "firm": issue(path, Role.FIRM, "ceramiche-rossi"),
        "provider": issue(path, Role.PROVIDER, "coop-gulliver"),
    }
    settings.tokens_file = path
    return issued


async def read_commands(bootstrap: str, expected: int) -> list:
    consumer = AIOKafkaConsumer(ROUND_COMMANDS, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest")
    await consumer.start()
    found: list = []
    try:
        async with asyncio.timeout(60):
            while len(found) < expected:
                for records in (await consumer.getmany(timeout_ms=300)).values():
                    found += records
    finally:
        await consumer.stop()
    return found


async def test_an_operator_starts_a_round_and_the_command_reaches_kafka(settings, tokens):
    service = build(settings, KafkaConnection.from_settings(settings))
    async with running(service) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.post(
            "/v1/networks/modena/rounds",
            json={"weeks": "2027-W24..2027-W36", "dry_run": True,
                  "parameters": {"time_limit_s": 20}},
            headers={"Authorization": f"Bearer {tokens['operator']}"},
        )
        assert response.status_code == 202, response.text
        round_id = response.json()["round_id"]
        records = await read_commands(settings.kafka_bootstrap, 1)
        shown = await client.get(f"/v1/rounds/{round_id}",
                                 headers={"Authorization": f"Bearer {tokens['operator']}"})
    command = decode(ROUND_COMMANDS, records[0].value)
    assert records[0].key == b"modena"
    assert command.round_id == round_id and command.dry_run is True
    assert (command.first_week, command.last_week) == ("2027-W24", "2027-W36")
    assert command.parameters.time_limit_s == 20
    assert command.requested_by == "ops-modena"
    # The matcher has not taken it (none runs here): the operator still knows it.
    assert shown.status_code == 200
    assert shown.json()["status"] == "requested" and shown.json()["command_sent"] is True


@pytest.mark.parametrize("who", [None, "bad", "firm", "provider"])
async def test_only_operators_start_rounds(settings, tokens, who):
    service = build(settings, KafkaConnection.from_settings(settings))
    headers = {}
    if who == "bad":
        headers["Authorization"] = "Bearer not-a-token"
    elif who:
        headers["Authorization"] = f"Bearer {tokens[who]}"
    async with running(service) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.post("/v1/networks/modena/rounds",
                                     json={"weeks": "2027-W24..2027-W36"}, headers=headers)
        listing = await client.get("/v1/rounds", headers=headers)
    expected = 401 if who in (None, "bad") else 403
    assert response.status_code == expected and listing.status_code == expected
    if expected == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    else:
        assert response.json()["code"] == "role_forbidden"
        assert response.json()["detail"] == "solo gli operatori possono farlo"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"weeks": "2027-W36..2027-W24"}, "body"),
        ({"weeks": "2027-W24..2027-W99"}, "body"),
        ({"first_week": "2027-W24", "last_week": "2027-W30", "dry_run": "perhaps"}, "body.dry_run"),
        ({"weeks": "2027-W24..2027-W36", "parameters": {"time_limit_s": -1}},
         "body.parameters.time_limit_s"),
        ({"weeks": "2027-W24..2027-W36", "colour": "blue"}, "body.colour"),
    ],
)
async def test_a_bad_request_gets_422_naming_the_field(settings, tokens, body, field):
    service = build(settings, KafkaConnection.from_settings(settings))
    async with running(service) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.post(
            "/v1/networks/modena/rounds", json=body,
            headers={"Authorization": f"Bearer {tokens['operator']}"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(error["field"] == field for error in errors), json.dumps(errors)
    assert response.json()["error"].startswith(field)


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"cost_weight": "inf"}, "body.parameters.cost_weight"),
        ({"coverage_weight": 1e7}, "body.parameters.coverage_weight"),
        ({"priority_weights": [1, 2, 3, 4, "nan"]}, "body.parameters.priority_weights.4"),
    ],
)
async def test_an_infinite_or_huge_weight_is_refused_naming_it(settings, tokens, parameters,
                                                                field):
    service = build(settings, KafkaConnection.from_settings(settings))
    async with running(service) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.post(
            "/v1/networks/modena/rounds",
            json={"weeks": "2027-W24..2027-W36", "parameters": parameters},
            headers={"Authorization": f"Bearer {tokens['operator']}"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert response.json()["code"] == "invalid"
    assert "numero finito" in response.text or "al massimo" in response.text


async def test_a_weight_of_1e309_in_the_json_is_refused(settings, tokens):
    # JSON has no infinity, but 1e309 overflows to it when read.
    service = build(settings, KafkaConnection.from_settings(settings))
    body = b'{"weeks": "2027-W24..2027-W36", "parameters": {"cost_weight": 1e309}}'
    async with running(service) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.post(
            "/v1/networks/modena/rounds", content=body,
            headers={"Authorization": f"Bearer {tokens['operator']}",
                     "Content-Type": "application/json"})
        listing = await client.get("/v1/rounds",
                                   headers={"Authorization": f"Bearer {tokens['operator']}"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "body.parameters.cost_weight"
    assert listing.json() == []


async def test_a_round_on_a_network_the_matcher_never_heard_of_is_refused(settings, tokens):
    service = build(settings, KafkaConnection.from_settings(settings))
    async with running(service) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.post(
            "/v1/networks/bologna/rounds", json={"weeks": "2027-W24..2027-W36"},
            headers={"Authorization": f"Bearer {tokens['operator']}"})
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"
    assert "la rete 'bologna' è sconosciuta al matcher" in response.json()["error"]
