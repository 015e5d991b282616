"""The HTTP access log of a real service: one JSON line per request, nothing personal.

Intake runs as its composition root builds it (embedded broker, SQLite); the
lines are read as ``services.common.logs`` writes them, through its JSON
formatter.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import KafkaConnection
from services.common.logs import JsonFormatter
from services.common.settings import Settings
from services.intake.bootstrap import build
from tests.integration.intake.running import TOKENS, auth, running, with_tokens

pytestmark = [pytest.mark.broker, pytest.mark.asyncio(loop_scope="module")]

FIRM_NAME = "Officine Rossi Mario S.r.l."
PSEUDONYMS = [f"dip-rossi-{i:03d}" for i in range(12)]


class Logged:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    def lines(self) -> list[dict]:
        # The test's own HTTP client logs its URLs in this process: not the service's.
        lines = (json.loads(line) for line in self.stream.getvalue().splitlines())
        return [line for line in lines if line["logger"] != "httpx"]

    def access(self) -> list[dict]:
        return [line for line in self.lines() if line["logger"] == "welfare.access"]

    def text(self) -> str:
        return "\n".join(json.dumps(line, ensure_ascii=False) for line in self.lines())


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served(tmp_path_factory) -> AsyncIterator[tuple[httpx.AsyncClient, Logged]]:
    tmp = tmp_path_factory.mktemp("access-log")
    logged = Logged()
    handler = logging.StreamHandler(logged.stream)
    handler.setFormatter(JsonFormatter("intake"))  # as services.common.logs.configure does
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        with EmbeddedBroker() as broker:
            settings = with_tokens(Settings(
                kafka_bootstrap=broker.bootstrap, kafka_idempotent_producer=False,
                kafka_request_timeout_ms=3000, database_url=f"sqlite:///{tmp / 'intake.db'}",
                data_dir=tmp))
            async with running(build(settings, KafkaConnection.from_settings(settings))) as c:
                yield c, logged
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def answers() -> list[dict]:
    return [{"pseudonym": p, "category": "childcare", "municipality": "036023",
             "weeks": ["2027-W24", "2027-W25"], "units": 1, "max_unit_price_eur": "120.00",
             "single_parent": True, "required_tags": []} for p in PSEUDONYMS]


async def test_each_request_is_one_line_with_route_status_latency_and_subject(served):
    client, logged = served
    firm = {"network_id": "modena", "firm": {
        "firm_id": "rossi", "name": FIRM_NAME, "ateco_sector": "C", "employees": 80,
        "welfare_budget_eur": "25000.00"}}
    enrolled = await client.put("/v1/firms/rossi", json=firm, headers=auth("operator", "ops"))
    assert enrolled.status_code == 200, enrolled.text
    rossi = {"Authorization": "Bearer token-firm-rossi"}  # a token nobody issued
    refused = await client.post("/v1/firms/rossi/survey?employee=Mario%20Rossi",
                                json=answers(), headers={**rossi, "X-Request-ID": "req-42"})
    assert refused.status_code == 401
    assert refused.headers["X-Request-ID"] == "req-42"
    acme = auth("firm", "acme")
    surveyed = await client.post("/v1/firms/acme/survey?employee=Mario%20Rossi",
                                 json=answers(), headers=acme)
    assert surveyed.status_code in (404, 409, 200), surveyed.text  # acme is not enrolled

    lines = [line for line in logged.access() if line["http_route"].startswith("/v1/")]
    assert [(line["http_method"], line["http_route"], line["http_status"])
            for line in lines] == [
        ("PUT", "/v1/firms/{firm_id}", 200),
        ("POST", "/v1/firms/{firm_id}/survey", 401),
        ("POST", "/v1/firms/{firm_id}/survey", surveyed.status_code),
    ]
    put, unauthenticated, by_acme = lines
    assert (put["role"], put["subject"]) == ("operator", "ops")
    assert "subject" not in unauthenticated  # no principal: nobody to name
    assert (by_acme["role"], by_acme["subject"]) == ("firm", "acme")
    assert unauthenticated["request_id"] == "req-42"
    assert by_acme["request_id"] == surveyed.headers["X-Request-ID"]
    for line in lines:
        assert isinstance(line["latency_ms"], float) and line["latency_ms"] >= 0
        assert line["service"] == "intake" and line["level"] == "info"


async def test_no_token_body_query_or_address_reaches_the_log(served):
    client, logged = served
    await client.post("/v1/firms/acme/survey?employee=Mario%20Rossi", json=answers(),
                      headers=auth("firm", "acme"))
    text = logged.text()
    assert logged.access()
    for token in [*TOKENS.values(), "token-firm-rossi"]:
        assert token not in text
    for personal in [FIRM_NAME, "Mario", *PSEUDONYMS]:
        assert personal not in text
    assert "127.0.0.1" not in json.dumps(logged.access())
    assert all("?" not in line["http_route"] for line in logged.access())


async def test_a_request_id_that_is_not_a_plain_token_is_replaced(served):
    client, logged = served
    response = await client.get("/health", headers={"X-Request-ID": "Mario Rossi <mario@x.it>"})
    assert response.headers["X-Request-ID"] != "Mario Rossi <mario@x.it>"
    assert len(response.headers["X-Request-ID"]) == 32
    assert "mario@x.it" not in logged.text()


async def test_an_unknown_path_is_logged_without_it(served):
    client, logged = served
    response = await client.get("/v1/firms/RSSMRA80A01F257X/secret")
    assert response.status_code == 404
    assert logged.access()[-1]["http_route"] == "unmatched"
    assert "RSSMRA80A01F257X" not in logged.text()

