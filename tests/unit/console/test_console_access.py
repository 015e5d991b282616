"""The console's own access rules, with the services answering everything.

The services refuse another identity's data too (the browser tests see that);
here a stand-in answers every call, so only the console's own check keeps a
firm out of another firm's page, and only its CSRF check refuses a forged form.
"""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from services.common.auth import TokenStore, digest
from services.common.http import create_api
from services.common.metrics import ServiceMetrics
from services.console.apis import ServiceUrls
from services.console.app import console_app

TOKEN = "firm-a-token"
PUT: list[str] = []


def everything_allowed(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if request.method == "PUT":
        PUT.append(path)
        return httpx.Response(200, json={})
    if path.endswith("/demand"):
        return httpx.Response(200, json={"firm_id": "x", "lines": [], "survey_answers": 0,
                                         "withheld_answers": 0})
    if path.endswith("/outcome"):  # the operator's: no committed round yet
        return httpx.Response(404, json={"error": "no committed round has the firm yet"})
    if path.startswith("/v1/firms/"):
        firm = path.split("/")[3]
        return httpx.Response(200, json={"network_id": "modena", "entity_version": 1, "firm": {
            "firm_id": firm, "name": f"Secret name of {firm}", "welfare_budget_eur": "100.00"}})
    return httpx.Response(403, json={"detail": "operators only"})


def console() -> TestClient:
    app = create_api(title="t", description="t", metrics=ServiceMetrics(CollectorRegistry(),
                                                                        "console"), checks={})
    console_app(app, tokens=TokenStore([{"sha256": digest(TOKEN), "role": "firm",
                                         "subject": "firm-a"}]),
                urls=ServiceUrls("http://intake", "http://supply", "http://operator"),
                secret="test-secret",
                client=httpx.AsyncClient(transport=httpx.MockTransport(everything_allowed)))
    return TestClient(app)


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]


def logged_in() -> tuple[TestClient, str]:
    client = console()
    token = csrf(client.get("/login").text)
    answer = client.post("/login", data={"csrf": token, "token": TOKEN, "next": "/"},
                         follow_redirects=False)
    assert answer.status_code == 303
    return client, csrf(client.get("/firms/firm-a").text)


def test_a_firm_gets_403_on_another_firms_page_even_when_a_service_would_answer():
    client, _ = logged_in()
    assert "Secret name of firm-a" in client.get("/firms/firm-a").text
    other = client.get("/firms/firm-b")
    assert other.status_code == 403
    assert "Non puoi vedere questa pagina" in other.text
    assert "Secret name of firm-b" not in other.text
    assert client.get("/network").status_code == 403


def test_the_session_cookie_is_httponly_and_samesite():
    client = console()
    cookie = client.get("/login").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_a_form_without_its_csrf_token_is_refused_and_sends_nothing():
    client, token = logged_in()
    PUT.clear()
    form = {"line_id": "l1", "category": "childcare", "municipality": "036023",
            "first_week": "2027-W26", "last_week": "2027-W27", "units": "2",
            "max_unit_price_eur": "40", "priority": "1", "respondents": "12"}
    assert client.post("/firms/firm-a/lines", data=form).status_code == 403
    assert PUT == []
    assert client.post("/firms/firm-a/lines", data={**form, "csrf": token},
                       follow_redirects=False).status_code == 303
    assert PUT == ["/v1/firms/firm-a/demand/l1"]


def test_the_header_names_the_logged_in_firm_next_to_its_id():
    client, _ = logged_in()
    header = client.get("/firms/firm-a").text.split('class="who"')[1].split("</span>")[0]
    assert "Impresa: Secret name of firm-a (firm-a)" in header


def test_the_header_shows_the_id_when_the_firms_service_cannot_name_it():
    app = create_api(title="t", description="t", metrics=ServiceMetrics(CollectorRegistry(),
                                                                        "console"), checks={})

    def intake_away(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/firms/firm-a":
            return httpx.Response(404, json={"error": "no firm 'firm-a'"})
        return everything_allowed(request)

    console_app(app, tokens=TokenStore([{"sha256": digest(TOKEN), "role": "firm",
                                         "subject": "firm-a"}]),
                urls=ServiceUrls("http://intake", "http://supply", "http://operator"),
                secret="test-secret",
                client=httpx.AsyncClient(transport=httpx.MockTransport(intake_away)))
    client = TestClient(app)
    token = csrf(client.get("/login").text)
    answer = client.post("/login", data={"csrf": token, "token": TOKEN, "next": "/login"},
                         follow_redirects=False)
    assert answer.status_code == 303  # logged in all the same
    page = client.get("/firms/firm-a")  # the page says intake refused; the header stays
    header = page.text.split('class="who"')[1].split("</span>")[0]
    assert "Impresa: firm-a" in header and "(firm-a)" not in header
