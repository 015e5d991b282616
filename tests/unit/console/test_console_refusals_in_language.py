"""A service's refusal shown on a console page is in the page's language: the console asks
every service in the session's language (services/console/apis.py), not only for uploads.

The stand-in service is a real ``create_api`` app that refuses as intake does (a msgid and
its values, rendered from the request's Accept-Language), reached in-process."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from services.common.auth import TokenStore, digest
from services.common.http import create_api
from services.common.i18n import N_
from services.common.metrics import ServiceMetrics
from services.common.refusals import NotFound
from services.console.apis import ServiceUrls
from services.console.app import console_app
from tests.unit.console.test_console_access import csrf

TOKEN = "firm-a-token"


def intake_that_enrolled_nobody(asked: list[str | None]):
    service = create_api(title="intake", description="stand-in", checks={},
                         metrics=ServiceMetrics(CollectorRegistry(), "intake"))

    @service.middleware("http")
    async def note_language(request, call_next):
        asked.append(request.headers.get("accept-language"))
        return await call_next(request)

    @service.get("/v1/firms/{firm_id}")
    async def firm(firm_id: str) -> dict:
        raise NotFound(N_("firm '{firm_id}' is not enrolled"), firm_id=firm_id)

    return service


def console(asked: list[str | None]) -> TestClient:
    app = create_api(title="t", description="t", checks={},
                     metrics=ServiceMetrics(CollectorRegistry(), "console"))
    transport = httpx.ASGITransport(app=intake_that_enrolled_nobody(asked))
    console_app(app, tokens=TokenStore([{"sha256": digest(TOKEN), "role": "firm",
                                         "subject": "firm-a"}]),
                urls=ServiceUrls("http://intake", "http://supply", "http://operator"),
                secret="test-secret", client=httpx.AsyncClient(transport=transport))
    client = TestClient(app)
    answer = client.post("/login", data={"csrf": csrf(client.get("/login").text),
                                         "token": TOKEN, "next": "/"}, follow_redirects=False)
    assert answer.status_code == 303
    asked.clear()  # the login asked intake for the firm's name, for the header
    return client


def test_an_english_page_shows_the_services_refusal_in_english():
    asked: list[str | None] = []
    client = console(asked)
    english = client.get("/firms/firm-a?lang=en")  # switches the session, this very page too
    assert english.status_code == 404
    assert "A service refused the request" in english.text
    assert "firm &#39;firm-a&#39; is not enrolled" in english.text
    assert asked == ["en"]
    again = client.get("/firms/firm-a")  # the session remembers English
    assert "firm &#39;firm-a&#39; is not enrolled" in again.text
    assert asked == ["en", "en"]


def test_an_italian_page_shows_it_in_italian():
    asked: list[str | None] = []
    client = console(asked)
    italian = client.get("/firms/firm-a")
    assert italian.status_code == 404
    assert "l&#39;impresa &#39;firm-a&#39; non è iscritta" in italian.text
    assert asked == ["it"]
    assert "not enrolled" not in italian.text
