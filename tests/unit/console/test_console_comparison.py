"""The round report against the last committed round, and the overview's freshness of the book.

The comparison and the freshness are pure functions over what the operator
API answers (hand-made details here); the pages are read over HTTP with the
console's TestClient, a stand-in answering for intake, supply and the operator.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from services.common.auth import TokenStore, digest
from services.common.http import create_api
from services.common.i18n import Names
from services.common.metrics import ServiceMetrics
from services.console.apis import ServiceUrls
from services.console.app import console_app
from services.console.comparison import compare, previous_committed
from services.console.network import forget, freshness
from services.console.texts import console_texts

IT, EN = console_texts("it"), console_texts("en")
NAMES = Names({"ceramiche": "Ceramiche Rossi", "tessile": "Tessile Bianchi",
               "meccanica": "Meccanica Verdi", "vetro": "Vetreria Neri", "legno": "Legno Blu"})


def firm(firm_id: str, coverage: float) -> dict:
    # Named as the matcher names them, from the round's snapshot.
    return {"firm_id": firm_id, "firm_name": NAMES.names[firm_id], "coverage": coverage,
            "served_unit_weeks": 0,
            "demanded_unit_weeks": 10, "cost_eur": "0.00", "budget_eur": "100.00"}


def detail(round_id: str, firms: list[dict], coverage: float, *, dry_run: bool = False,
           finished: str = "2027-06-01T10:00:00Z", status: str = "completed") -> dict:
    return {"round_id": round_id, "network_id": "modena", "dry_run": dry_run, "kind": "plain",
            "status": status, "outcome": "optimal", "first_week": "2027-W24",
            "last_week": "2027-W36", "requested_at": finished, "finished_at": finished,
            "coverage": coverage, "total_cost_eur": "0.00", "contract_count": 0,
            "firms": firms, "contracts": [], "unmet": []}


BEFORE = detail("r1", [firm("ceramiche", 0.5), firm("tessile", 0.9), firm("meccanica", 0.4),
                       firm("vetro", 0.7)], 0.58, finished="2027-06-01T10:00:00Z")
AFTER = detail("r2", [firm("ceramiche", 0.75), firm("tessile", 0.8), firm("meccanica", 0.45),
                      firm("legno", 0.3)], 0.65, dry_run=True, finished="2027-06-02T10:00:00Z")


def test_gains_and_losses_sorted_by_size_then_new_and_absent_firms_said_so():
    found = compare(IT, AFTER, BEFORE, NAMES)
    assert found.previous_id == "r1"
    assert found.sentence == (
        "Rispetto al round confermato r1: 2 imprese guadagnano copertura, 1 ne perde, "
        "0 invariate, 1 nuova in questo round, 1 non più presente; copertura complessiva "
        "da 58,0% a 65,0%.")
    assert [(r["firm"], r["before"], r["after"], r["difference"], r["kind"])
            for r in found.rows] == [
        ("Ceramiche Rossi (ceramiche)", "50,0%", "75,0%", "+25,0 punti", "gain"),
        ("Meccanica Verdi (meccanica)", "40,0%", "45,0%", "+5,0 punti", "gain"),
        ("Tessile Bianchi (tessile)", "90,0%", "80,0%", "-10,0 punti", "loss"),
        ("Legno Blu (legno)", "–", "30,0%", "nuova in questo round", "new"),
        ("Vetreria Neri (vetro)", "70,0%", "–", "non in questo round", "absent"),
    ]
    english = compare(EN, AFTER, BEFORE, NAMES).sentence
    assert english.startswith("Compared with the committed round r1: 2 firms gain coverage, "
                              "1 loses some, 0 unchanged")


def test_a_difference_the_page_cannot_show_is_not_a_change():
    same = detail("r2", [firm("ceramiche", 0.50004), firm("tessile", 0.9)], 0.58)
    found = compare(IT, same, BEFORE, NAMES)
    assert found.rows[0]["kind"] == "absent"  # meccanica and vetro are not in "same"
    assert "0 imprese guadagnano copertura, 0 ne perdono, 2 invariate" in found.sentence


def test_no_committed_round_is_said_in_one_line():
    found = compare(IT, AFTER, None, NAMES)
    assert (found.previous_id, found.rows) == (None, [])
    assert found.sentence == ("Nessun round di questa rete è stato confermato prima di "
                              "questo: non c'è nulla con cui confrontarlo.")


def listed(round_id: str, finished: str | None, *, dry_run: bool = False,
           status: str = "completed", network: str = "modena",
           requested: str = "2027-05-01T00:00:00Z") -> dict:
    return {"round_id": round_id, "network_id": network, "dry_run": dry_run,
            "status": status, "finished_at": finished, "requested_at": requested}


def test_the_round_compared_with_is_the_last_committed_completed_one_before_it():
    rounds = [
        listed("later", "2027-06-03T00:00:00Z"),  # committed after the round shown
        listed("dry", "2027-06-01T12:00:00Z", dry_run=True),
        listed("failed", "2027-06-01T11:00:00Z", status="failed"),
        listed("other-network", "2027-06-01T11:30:00Z", network="bologna"),
        listed("r1", "2027-06-01T10:00:00.250000Z"),
        listed("r0", "2027-05-20T10:00:00Z"),
        listed("r2", "2027-06-02T10:00:00Z"),  # the round itself
    ]
    assert previous_committed(rounds, AFTER) == "r1"
    assert previous_committed(rounds, BEFORE | {"round_id": "r1",
                                                "finished_at": "2027-06-01T10:00:00.250000Z"}
                              ) == "r0"
    assert previous_committed([listed("r2", "2027-06-02T10:00:00Z")], AFTER) is None


NOW = dt.datetime(2026, 12, 3, 8, 30, tzinfo=dt.UTC)  # 09:30 in Italy


def book(**fields) -> dict:
    return {"network_id": "modena", "firms": 2, "providers": 1, "demand_lines": 3,
            "offers": 1, "changed_at": "2026-12-02T17:40:00Z", "unapplied_events": 0,
            "measured_at": "2026-12-03T08:05:00Z", **fields}


def test_the_book_is_fresh_or_not_in_words_on_italys_clock():
    applied = freshness(IT, book(), NOW)
    assert applied.state == "applied"
    assert applied.said == [
        "Il motore di abbinamento ha applicato tutto ciò che gli è stato inviato "
        "(rilevato alle 09:05).",
        "Il suo registro di questa rete contiene 2 imprese, 3 righe di domanda e 1 offerta; "
        "è cambiato l'ultima volta il 2 dicembre 2026 alle 18:40."]
    pending = freshness(IT, book(unapplied_events=1), NOW)
    assert pending.state == "pending"
    assert pending.said[0].startswith("Il motore di abbinamento deve ancora applicare "
                                      "1 evento, di tutte le reti (rilevato alle 09:05)")
    assert freshness(EN, book(unapplied_events=12), NOW).said[0].startswith(
        "The matcher still has 12 events to apply")
    unknown = freshness(IT, book(unapplied_events=None, measured_at=None, changed_at=None), NOW)
    assert (unknown.state, unknown.said) == ("unknown", [
        "Il motore di abbinamento non ha ancora misurato quanti eventi gli restano da "
        "applicare.",
        "Il registro del motore di abbinamento non contiene ancora nulla di questa rete."])
    assert freshness(IT, None, NOW).state == "unread"


# --- the pages -------------------------------------------------------------------------

TOKEN = "operator-comparison-token"
ANSWERS: dict[str, object] = {}


def services(request: httpx.Request) -> httpx.Response:
    host, path = request.url.host, request.url.path
    if host == "intake" and path == "/v1/demand":
        return httpx.Response(200, json=[{
            "profile": {"network_id": "modena", "entity_version": 1, "firm": {
                "firm_id": "ceramiche", "name": "Ceramiche Rossi",
                "welfare_budget_eur": "100.00"}},
            "demand": {"firm_id": "ceramiche", "lines": [], "withheld_answers": 0}}])
    if host == "supply" and path == "/v1/offers":
        return httpx.Response(200, json=[])
    if host == "operator" and path in ANSWERS:
        found = ANSWERS[path]
        return found if isinstance(found, httpx.Response) else httpx.Response(200, json=found)
    return httpx.Response(404, json={"error": "not in this test"})


@pytest.fixture
def client() -> TestClient:
    ANSWERS.clear()
    forget(TOKEN)
    app = create_api(title="t", description="t",
                     metrics=ServiceMetrics(CollectorRegistry(), "console"), checks={})
    console_app(app, tokens=TokenStore([{"sha256": digest(TOKEN), "role": "operator",
                                         "subject": "op"}]),
                urls=ServiceUrls("http://intake", "http://supply", "http://operator"),
                secret="test-secret",
                client=httpx.AsyncClient(transport=httpx.MockTransport(services)))
    client = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
    assert client.post("/login", data={"csrf": token, "token": TOKEN, "next": "/"},
                       follow_redirects=False).status_code == 303
    return client


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_round_report_compares_with_the_last_committed_round_in_italian(client):
    ANSWERS.update({
        "/v1/rounds/r2": AFTER, "/v1/rounds/r1": BEFORE,
        "/v1/rounds": [listed("r2", AFTER["finished_at"], dry_run=True),
                       listed("r1", BEFORE["finished_at"])]})
    page = client.get("/rounds/r2")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "Rispetto all'ultimo round confermato" in shown
    assert ("Rispetto al round confermato r1: 2 imprese guadagnano copertura, 1 ne perde, "
            "0 invariate, 1 nuova in questo round, 1 non più presente; copertura "
            "complessiva da 58,0% a 65,0%.") in shown
    table = text_of(page.text.split('class="comparison"')[1].split("</section>")[0])
    assert "Copertura in r1 Copertura in questo round Differenza" in table
    # Names next to ids, as the rounds name them; gains first, by size.
    assert table.index("Ceramiche Rossi (ceramiche) 50,0% 75,0% +25,0 punti") < table.index(
        "Meccanica Verdi (meccanica) 40,0% 45,0% +5,0 punti") < table.index(
        "Tessile Bianchi (tessile) 90,0% 80,0% -10,0 punti") < table.index(
        "Legno Blu (legno) – 30,0% nuova in questo round")
    assert "Vetreria Neri (vetro) 70,0% – non in questo round" in table


def test_the_round_report_says_when_nothing_was_committed_before(client):
    ANSWERS.update({"/v1/rounds/r2": AFTER,
                    "/v1/rounds": [listed("r2", AFTER["finished_at"], dry_run=True)]})
    shown = text_of(client.get("/rounds/r2").text)
    assert ("Nessun round di questa rete è stato confermato prima di questo: non c'è nulla "
            "con cui confrontarlo.") in shown
    assert "Copertura in questo round" not in shown


def test_the_overview_says_how_fresh_the_matchers_book_is(client):
    ANSWERS["/v1/networks/modena/book"] = book(unapplied_events=4)
    shown = text_of(client.get("/network").text)
    assert "Quanto è aggiornato il motore di abbinamento" in shown
    assert "Il motore di abbinamento deve ancora applicare 4 eventi, di tutte le reti" in shown
    assert "Il suo registro di questa rete contiene 2 imprese, 3 righe di domanda" in shown
    english = text_of(client.get("/network?lang=en").text)
    assert "The matcher still has 4 events to apply, of all networks" in english


def test_the_overview_still_shows_when_the_matcher_cannot_be_read(client):
    ANSWERS["/v1/networks/modena/book"] = httpx.Response(503, json={"error": "matcher away"})
    page = client.get("/network")
    assert page.status_code == 200
    assert "Non è stato possibile leggere ora il registro del motore di abbinamento" in (
        text_of(page.text))
