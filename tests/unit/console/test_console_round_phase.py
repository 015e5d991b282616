"""The console's progress page and its JSON say where a running round is, in Italian.

A stand-in operator answers the round detail as the matcher publishes it
(phase, part, parts); the page and the JSON it polls say the phase in words,
and the time elapsed against the round's limit.
"""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from services.common.auth import TokenStore, digest
from services.common.http import create_api
from services.common.metrics import ServiceMetrics
from services.console.apis import ServiceUrls
from services.console.app import console_app

TOKEN = "operator-token"
DETAIL: dict = {}


def operator(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/v1/rounds/r1":
        return httpx.Response(200, json={"round_id": "r1", "network_id": "modena",
                                         "dry_run": True, "parameters": {"time_limit_s": 30},
                                         **DETAIL})
    return httpx.Response(404, json={"error": "not in this test"})


@pytest.fixture
def client() -> TestClient:
    app = create_api(title="t", description="t",
                     metrics=ServiceMetrics(CollectorRegistry(), "console"), checks={})
    console_app(app, tokens=TokenStore([{"sha256": digest(TOKEN), "role": "operator",
                                         "subject": "op"}]),
                urls=ServiceUrls("http://intake", "http://supply", "http://operator"),
                secret="test-secret",
                client=httpx.AsyncClient(transport=httpx.MockTransport(operator)))
    client = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
    answer = client.post("/login", data={"csrf": token, "token": TOKEN, "next": "/rounds/r1"},
                         follow_redirects=False)
    assert answer.status_code == 303
    return client


def running(**phase) -> dict:
    started = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=3)).isoformat()
    return {"status": "running", "started_at": started, "finished_at": None,
            "phase_since": started, **phase}


@pytest.mark.parametrize(("detail", "italian", "english"), [
    ({"status": "requested", "started_at": None},
     "in attesa che il motore di abbinamento prenda in carico il round",
     "waiting for the matcher to take the round"),
    (running(phase="waiting_for_book"),
     "in attesa che il motore di abbinamento registri tutto ciò che è stato inviato prima "
     "del round",
     "waiting for the matching engine to record everything sent before the round"),
    (running(phase="snapshot"), "fotografia dei dati in corso", "freezing the snapshot"),
    (running(phase="solving", part=2, parts=5), "calcolo della parte 2 di 5",
     "solving part 2 of 5"),
    (running(phase="solving"), "calcolo in corso", "solving"),
    (running(phase="storing"), "salvataggio del risultato", "storing the result"),
    (running(), "il motore fotografa domanda e offerta e calcola il piano",
     "the matcher is freezing the book and solving"),
])
def test_the_progress_json_and_page_say_the_phase(client, detail, italian, english):
    DETAIL.clear()
    DETAIL.update(detail)
    progress = client.get("/rounds/r1/progress.json").json()
    assert progress["status"] == detail["status"]
    assert progress["phase"] == italian
    assert progress["limit"] == "30 s"
    page = client.get("/rounds/r1")
    assert page.status_code == 200
    assert f'<dd id="phase">{italian}</dd>' in page.text.replace("&#39;", "'")
    assert client.get("/rounds/r1/progress.json?lang=en").json()["phase"] == english


def test_elapsed_counts_from_the_phase_before_the_snapshot_is_frozen(client):
    DETAIL.clear()
    DETAIL.update(running(phase="waiting_for_book", started_at=None))
    progress = client.get("/rounds/r1/progress.json").json()
    assert progress["elapsed"] not in ("", "—") and progress["elapsed"].endswith(" s")
    assert (progress["phase_code"], progress["part"]) == ("waiting_for_book", None)
