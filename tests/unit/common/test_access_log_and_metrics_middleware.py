"""The access log and the HTTP metrics, as plain ASGI middleware around every service.

One line and one count per request, with the status the client got: a 413 of the
body limit (declared or streamed), a refusal, a handler that raised (500).
"""

from __future__ import annotations

import json
import logging

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from services.common.auth import Principal, Role, TokenStore, authenticator, issue
from services.common.http import create_api
from services.common.logs import JsonFormatter
from services.common.metrics import ServiceMetrics


@pytest.fixture
def served(tmp_path):
    path = tmp_path / "tokens.json"
    token = issue(path, Role.FIRM, "acme")
    metrics = ServiceMetrics(CollectorRegistry(), "t")
    app = create_api(title="t", description="d", checks={}, max_body_bytes=1000,
                     metrics=metrics)
    caller = authenticator(TokenStore([], path))

    @app.post("/v1/firms/{firm_id}/echo")
    async def echo(firm_id: str, body: dict, principal: Principal = Depends(caller)) -> dict:
        return {"keys": len(body)}

    @app.get("/v1/broken/{thing}")
    async def broken(thing: str) -> dict:
        raise RuntimeError("a bug")

    return TestClient(app, raise_server_exceptions=False), metrics, token


@pytest.fixture
def access(caplog):
    def lines() -> list[dict]:
        formatter = JsonFormatter("t")
        return [json.loads(formatter.format(r)) for r in caplog.records
                if r.name == "welfare.access"]
    caplog.set_level(logging.INFO, logger="welfare.access")
    return lines


def counted(metrics: ServiceMetrics, route: str, method: str, status: str) -> float:
    return metrics.registry.get_sample_value(
        "welfare_http_requests_total", {"route": route, "method": method, "status": status}) or 0


def timed(metrics: ServiceMetrics, route: str, method: str) -> float:
    return metrics.registry.get_sample_value(
        "welfare_http_request_duration_seconds_count", {"route": route, "method": method}) or 0


def test_a_request_is_one_line_and_one_count_by_route_template(served, access):
    client, metrics, token = served
    reply = client.post("/v1/firms/acme/echo", json={"a": 1},
                        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-7"})
    assert reply.status_code == 200
    assert reply.headers.get_list("X-Request-ID") == ["req-7"]  # sent back once
    [line] = access()
    assert {k: line[k] for k in ("http_method", "http_route", "http_status", "request_id",
                                 "role", "subject")} == {
        "http_method": "POST", "http_route": "/v1/firms/{firm_id}/echo", "http_status": 200,
        "request_id": "req-7", "role": "firm", "subject": "acme"}
    assert counted(metrics, "/v1/firms/{firm_id}/echo", "POST", "200") == 1
    assert timed(metrics, "/v1/firms/{firm_id}/echo", "POST") == 1


def test_a_413_for_a_declared_length_is_logged_and_counted(served, access):
    client, metrics, token = served
    reply = client.post("/v1/firms/acme/echo", json={"a": "x" * 2000},
                        headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 413
    assert len(reply.headers["X-Request-ID"]) == 32
    [line] = access()
    # Refused before routing: no template to name, and no caller yet.
    assert (line["http_route"], line["http_status"]) == ("unmatched", 413)
    assert line["request_id"] == reply.headers["X-Request-ID"]
    assert "subject" not in line
    assert counted(metrics, "unmatched", "POST", "413") == 1


def test_a_413_for_a_streamed_body_is_logged_and_counted_with_its_route(served, access):
    client, metrics, token = served

    def chunks():  # no Content-Length: the limit is found while the body is read
        yield b'{"a": "'
        for _ in range(50):
            yield b"x" * 100
        yield b'"}'

    reply = client.post("/v1/firms/acme/echo", content=chunks(), headers={
        "Authorization": f"Bearer {token}", "content-type": "application/json",
        "accept-language": "en"})
    assert reply.status_code == 413
    assert reply.json()["code"] == "body_too_large"
    assert "larger than this service accepts (1,000 bytes)" in reply.json()["error"]
    [line] = access()
    assert (line["http_route"], line["http_status"]) == ("/v1/firms/{firm_id}/echo", 413)
    assert counted(metrics, "/v1/firms/{firm_id}/echo", "POST", "413") == 1


def test_a_handler_that_raises_is_logged_and_counted_as_the_500_the_client_gets(served,
                                                                                 access):
    client, metrics, _ = served
    reply = client.get("/v1/broken/secret-id")
    assert reply.status_code == 500
    [line] = access()
    assert (line["http_route"], line["http_status"]) == ("/v1/broken/{thing}", 500)
    assert counted(metrics, "/v1/broken/{thing}", "GET", "500") == 1
    assert "secret-id" not in json.dumps(access())


def test_probes_are_counted_and_logged_below_info(served, access):
    client, metrics, _ = served
    assert client.get("/health").status_code == 200
    assert access() == []
    assert counted(metrics, "/health", "GET", "200") == 1
