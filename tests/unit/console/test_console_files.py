"""The console's uploads and downloads, with a stand-in for intake, supply and operator.

What the stand-in answers is what the services do (a 422 with the rows and columns of
a refused sheet, receipts of an accepted one, a PDF with its name); here only the
console's part is checked: what it sends on, what it shows, what it passes back. The
real services answer in tests/browser/test_console.py.
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

FIRM, PROVIDER = "firm-a-token", "provider-p-token"
SENT: list[httpx.Request] = []
PDF = b"%PDF-1.4 statement of firm-a"


def services(request: httpx.Request) -> httpx.Response:
    SENT.append(request)
    path = request.url.path
    if path.startswith("/v1/templates/"):
        return httpx.Response(200, content=b"linea;categoria\r\n", headers={
            "content-type": "text/csv; charset=utf-8",
            "content-disposition": f'attachment; filename="{path.rsplit("/", 1)[1]}"'})
    if path.endswith("/lines.csv"):
        if b"bad-row" in request.content:
            return httpx.Response(422, json={
                "error": "riga 3, colonna F (unità): deve essere un numero intero",
                "errors": [{"row": 3, "column": "F", "header": "unità", "field": "units",
                            "message": "deve essere un numero intero",
                            "where": "riga 3, colonna F (unità)"}]})
        return httpx.Response(200, json=[
            {"entity_id": "a.camp", "entity_version": 2, "changed": True},
            {"entity_id": "a.care", "entity_version": 1, "changed": False}])
    if path.endswith("/survey.csv"):
        return httpx.Response(200, json={
            "answers_affected": 14, "answers_stored": 14, "withheld_answers": 2,
            "lines_submitted": ["survey.childcare.036023"], "lines_withdrawn": [],
            "pending_answers": 0, "pending_lines": 0, "notice": ""})
    if path.endswith("/statement.pdf"):
        return httpx.Response(200, content=PDF, headers={
            "content-type": "application/pdf",
            "content-disposition": 'attachment; filename="r1-firm-a-statement.pdf"'})
    if path.endswith("/demand"):
        return httpx.Response(200, json={"firm_id": "firm-a", "lines": [],
                                         "survey_answers": 0, "withheld_answers": 0})
    if path.endswith("/outcome"):
        return httpx.Response(404, json={"error": "no committed round has the firm yet"})
    if path.startswith("/v1/firms/"):
        return httpx.Response(200, json={"network_id": "modena", "entity_version": 1, "firm": {
            "firm_id": path.split("/")[3], "name": "Ceramiche", "welfare_budget_eur": "100.00"}})
    return httpx.Response(403, json={"error": "not yours"})


def console() -> TestClient:
    app = create_api(title="t", description="t", metrics=ServiceMetrics(CollectorRegistry(),
                                                                        "console"), checks={})
    console_app(app, tokens=TokenStore([
        {"sha256": digest(FIRM), "role": "firm", "subject": "firm-a"},
        {"sha256": digest(PROVIDER), "role": "provider", "subject": "prov-p"}]),
        urls=ServiceUrls("http://intake", "http://supply", "http://operator"),
        secret="test-secret",
        client=httpx.AsyncClient(transport=httpx.MockTransport(services)))
    return TestClient(app)


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]


def logged_in(token: str = FIRM) -> tuple[TestClient, str]:
    client = console()
    answer = client.post("/login", data={"csrf": csrf(client.get("/login").text),
                                         "token": token, "next": "/"},
                         follow_redirects=False)
    assert answer.status_code == 303
    return client, csrf(client.get("/firms/firm-a").text if token == FIRM
                        else client.get("/login").text)


def upload(client: TestClient, token: str, kind: str, content: bytes, **extra):
    return client.post("/firms/firm-a/upload", data={"csrf": token, "kind": kind, **extra},
                       files={"file": ("linee.csv", content, "text/csv")},
                       follow_redirects=False)


def test_a_refused_sheet_shows_each_error_with_its_row_and_column_in_italian():
    client, token = logged_in()
    SENT.clear()
    answer = upload(client, token, "lines", b"linea;unita\r\nbad-row;tre\r\n")
    assert answer.status_code == 422
    assert "Il file linee.csv non è stato salvato" in answer.text
    assert "<li>riga 3, colonna F (unità): deve essere un numero intero</li>" in answer.text
    [sent] = [r for r in SENT if r.method == "POST"]
    assert sent.url.path == "/v1/firms/firm-a/lines.csv"
    assert sent.headers["authorization"] == f"Bearer {FIRM}"
    assert sent.headers["accept-language"] == "it"  # intake names the errors in Italian


def test_an_accepted_sheet_says_once_what_was_taken():
    client, token = logged_in()
    answer = upload(client, token, "lines", b"linea;unita\r\na.camp;3\r\n")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/firms/firm-a")
    page = client.get("/firms/firm-a").text
    assert "Il file linee.csv è stato accettato." in page
    assert "1 riga di domanda salvata e inviata alla rete: a.camp." in page
    assert "1 riga di domanda era già come nel file." in page
    assert "è stato accettato" not in client.get("/firms/firm-a").text  # shown once

    survey = upload(client, token, "survey", b"pseudonimo;categoria\r\n")
    assert survey.status_code == 303
    page = client.get("/firms/firm-a").text
    assert "14 risposte registrate" in page
    assert "2 risposte trattenute per la k-anonimità" in page
    assert "survey.childcare.036023" in page


def test_an_upload_needs_a_file_a_kind_and_the_csrf_token():
    client, token = logged_in()
    SENT.clear()
    no_file = client.post("/firms/firm-a/upload", data={"csrf": token, "kind": "lines"},
                          files={"file": ("", b"", "application/octet-stream")})
    assert no_file.status_code == 422 and "Scegli un file da caricare." in no_file.text
    odd_kind = upload(client, token, "offers", b"x")
    assert odd_kind.status_code == 422 and "Scegli che cosa contiene il file." in odd_kind.text
    forged = upload(client, "forged", "lines", b"x")
    assert forged.status_code == 403
    other = client.post("/firms/firm-b/upload", data={"csrf": token, "kind": "lines"},
                        files={"file": ("l.csv", b"x", "text/csv")})
    assert other.status_code == 403
    assert not [r for r in SENT if r.method == "POST"]  # nothing reached a service


def test_templates_and_the_statement_are_passed_on_with_their_type_and_name():
    client, _ = logged_in()
    template = client.get("/templates/lines.csv")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("text/csv")
    assert template.headers["content-disposition"] == 'attachment; filename="lines.csv"'
    assert SENT[-1].url.host == "intake"
    assert client.get("/templates/offers.xlsx").status_code == 200
    assert SENT[-1].url.host == "supply"
    assert client.get("/templates/secrets.csv").status_code == 404

    statement = client.get("/firms/firm-a/rounds/r1/statement.pdf")
    assert statement.status_code == 200 and statement.content == PDF
    assert statement.headers["content-type"] == "application/pdf"
    assert "r1-firm-a-statement.pdf" in statement.headers["content-disposition"]
    assert SENT[-1].url.path == "/v1/rounds/r1/firms/firm-a/statement.pdf"
    assert SENT[-1].url.params["lang"] == "it"
    assert client.get("/firms/firm-b/rounds/r1/statement.pdf").status_code == 403
    assert client.get("/rounds/r1/contracts.csv").status_code == 403  # operators only


def test_a_refused_download_is_a_page_in_words_not_the_services_body():
    client, _ = logged_in(PROVIDER)
    answer = client.get("/providers/prov-p/rounds/r1/award.pdf")  # the stand-in says 403
    assert answer.status_code == 403
    assert "Non puoi vedere questa pagina" in answer.text and "not yours" not in answer.text
