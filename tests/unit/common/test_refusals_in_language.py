"""Every refusal of a service in the request's language, Italian unless it asks for English,
with a ``code`` that is the same in both: 401, 403, 404, 409, 413 and 422."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from pydantic import BaseModel, Field

import services
from schemas.types import IstatCode
from services.common.auth import (
    Principal,
    Role,
    TokenStore,
    authenticator,
    issue,
    require_role,
    require_subject,
)
from services.common.http import create_api
from services.common.i18n import N_, texts
from services.common.metrics import ServiceMetrics
from services.common.refusals import Conflict, Invalid, NotFound, Word

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
EXPIRED = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)


class Line(BaseModel):
    municipality: IstatCode
    units: int = Field(ge=1, le=100)


def service(tmp_path, *, with_tokens: bool = True, max_body_bytes: int = 10_000):
    path = tmp_path / "tokens.json"
    tokens = {}
    if with_tokens:
        tokens = {"firm": issue(path, Role.FIRM, "acme"), "ops": issue(path, Role.OPERATOR, "o"),
                  "old": issue(path, Role.FIRM, "acme", EXPIRED)}
    store = TokenStore([], path)
    app = create_api(title="t", description="d", checks={}, max_body_bytes=max_body_bytes,
                     metrics=ServiceMetrics(CollectorRegistry(), "t"))
    caller = authenticator(store)

    @app.get("/v1/firms/{firm_id}")
    def firm(firm_id: str, principal: Principal = Depends(caller)) -> dict:
        require_role(principal, Role.FIRM, Role.OPERATOR)
        require_subject(principal, Role.FIRM, firm_id)
        if firm_id == "nobody":  # as a use case says it: the msgid and the id
            raise NotFound(N_("firm '{firm_id}' is not enrolled"), firm_id=firm_id)
        return {"firm_id": firm_id}

    @app.post("/v1/rounds/{round_id}/commit")
    def commit(round_id: str, principal: Principal = Depends(caller)) -> dict:
        require_role(principal, Role.OPERATOR)
        raise Conflict(N_("dry run {round_id} is {status}, not completed: only a completed "
                          "dry run, as it was reviewed, can be committed"),
                       round_id=round_id, status=Word("running"))

    @app.put("/v1/lines/{line_id}")
    def line(line_id: str, body: Line) -> dict:
        if line_id != "l1":
            raise Invalid("body.line_id", N_("must equal the id in the URL"))
        return {"units": body.units}

    client = TestClient(app)
    return client, {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}


def both(client, method, path, headers=None, **kwargs):
    italian = client.request(method, path, headers=headers or {}, **kwargs)
    english = client.request(method, path, headers={**(headers or {}), **ENGLISH}, **kwargs)
    assert italian.status_code == english.status_code
    assert italian.json()["code"] == english.json()["code"]
    return italian, english


def test_a_missing_or_unknown_token_is_refused_in_italian_and_in_english(tmp_path):
    client, _ = service(tmp_path)
    italian, english = both(client, "GET", "/v1/firms/acme")
    assert italian.status_code == 401 and italian.headers["www-authenticate"] == "Bearer"
    assert italian.json() == {"error": "serve un token di accesso (bearer) valido",
                              "detail": "serve un token di accesso (bearer) valido",
                              "code": "token_missing"}
    assert english.json()["detail"] == "a valid bearer token is required"
    unknown, _ = both(client, "GET", "/v1/firms/acme", {"Authorization": "Bearer nope"})
    assert unknown.status_code == 401 and unknown.json()["code"] == "token_invalid"


def test_an_expired_token_is_refused_saying_when_in_both_languages(tmp_path):
    client, tokens = service(tmp_path)
    italian, english = both(client, "GET", "/v1/firms/acme", tokens["old"])
    assert italian.status_code == 401 and italian.json()["code"] == "token_expired"
    when = EXPIRED.isoformat()
    assert italian.json()["error"] == (
        f"questo token di accesso è scaduto il {when}; chiederne uno nuovo "
        "all'operatore (welfare tokens issue)")
    assert english.json()["error"].startswith(
        f"this bearer token expired at {when}; ask the operator")


def test_a_service_without_tokens_says_so_in_both_languages(tmp_path):
    client, _ = service(tmp_path, with_tokens=False)
    italian, english = both(client, "GET", "/v1/firms/acme", {"Authorization": "Bearer x"})
    assert italian.json()["code"] == "no_tokens_configured"
    assert "questo servizio non ne ha nessuno configurato" in italian.json()["error"]
    assert "this service has none configured" in english.json()["error"]


def test_a_role_that_may_not_is_refused_with_role_forbidden(tmp_path):
    client, tokens = service(tmp_path)
    italian, english = both(client, "POST", "/v1/rounds/r1/commit", tokens["firm"])
    assert italian.status_code == 403 and italian.json()["code"] == "role_forbidden"
    assert italian.json()["detail"] == "solo gli operatori possono farlo"
    assert english.json()["detail"] == "only operators may do this"


def test_acting_for_another_firm_is_refused_with_identity_forbidden(tmp_path):
    client, tokens = service(tmp_path)
    italian, english = both(client, "GET", "/v1/firms/other", tokens["firm"])
    assert italian.status_code == 403 and italian.json()["code"] == "identity_forbidden"
    assert italian.json()["detail"] == "questo token non può agire per l'impresa 'other'"
    assert english.json()["detail"] == "this token may not act for firm 'other'"


def test_a_use_cases_not_found_is_translated_keeping_the_id(tmp_path):
    client, tokens = service(tmp_path)
    italian, english = both(client, "GET", "/v1/firms/nobody", tokens["ops"])
    assert italian.status_code == 404
    assert italian.json() == {"error": "l'impresa 'nobody' non è iscritta",
                              "detail": "l'impresa 'nobody' non è iscritta", "code": "not_found"}
    assert english.json()["error"] == "firm 'nobody' is not enrolled"


def test_a_conflict_says_its_values_and_a_status_in_the_readers_words(tmp_path):
    client, tokens = service(tmp_path)
    italian, english = both(client, "POST", "/v1/rounds/r1/commit", tokens["ops"])
    assert italian.status_code == 409 and italian.json()["code"] == "conflict"
    assert italian.json()["error"].startswith(
        "la simulazione r1 non è completata (stato: in corso)")
    assert english.json()["error"].startswith("dry run r1 is running, not completed")


def test_a_rule_broken_names_the_field_in_both_languages(tmp_path):
    client, _ = service(tmp_path)
    body = {"municipality": "036023", "units": 3}
    italian, english = both(client, "PUT", "/v1/lines/l2", json=body)
    assert italian.status_code == 422
    assert italian.json() == {
        "error": "body.line_id: deve essere uguale all'id nell'indirizzo (URL)", "code": "invalid",
        "errors": [{"field": "body.line_id",
                    "message": "deve essere uguale all'id nell'indirizzo (URL)"}]}
    assert english.json()["errors"][0]["message"] == "must equal the id in the URL"


def test_bad_fields_are_named_in_the_readers_language(tmp_path):
    client, _ = service(tmp_path)
    italian, english = both(client, "PUT", "/v1/lines/l1",
                            json={"municipality": "36023", "units": 500})
    assert italian.status_code == 422 and italian.json()["code"] == "invalid"
    assert italian.json()["errors"] == [
        {"field": "body.municipality",
         "message": "non è un codice ISTAT di comune (6 cifre, ad es. 036023 per Modena)"},
        {"field": "body.units", "message": "deve essere al massimo 100"}]
    assert [e["message"] for e in english.json()["errors"]] == [
        "is not an ISTAT municipality code (6 digits, e.g. 036023 for Modena)",
        "must be at most 100"]
    missing, in_english = both(client, "PUT", "/v1/lines/l1", json={"units": 1})
    assert missing.json()["error"] == "body.municipality: è obbligatorio"
    assert in_english.json()["error"] == "body.municipality: is required"


def test_an_unreadable_body_and_an_unknown_address_are_said_in_both_languages(tmp_path):
    client, _ = service(tmp_path)
    italian, english = both(client, "PUT", "/v1/lines/l1", content=b"\xff\xfe",
                            headers={"content-type": "application/json"})
    assert italian.status_code == 422 and italian.json()["code"] == "invalid"
    assert italian.json()["errors"][0]["message"] == "non è JSON valido"
    assert english.json()["errors"][0]["message"] == "is not valid JSON"
    nowhere, elsewhere = both(client, "GET", "/v1/nowhere")
    assert nowhere.status_code == 404 and nowhere.json()["code"] == "not_found"
    assert nowhere.json()["error"] == "a questo indirizzo non c'è nulla"
    assert elsewhere.json()["error"] == "there is nothing at this address"


def test_a_body_too_large_is_refused_in_both_languages(tmp_path):
    client, _ = service(tmp_path, max_body_bytes=100)
    italian, english = both(client, "PUT", "/v1/lines/l1",
                            json={"municipality": "036023" * 50, "units": 1})
    assert italian.status_code == 413 and italian.json()["code"] == "body_too_large"
    assert italian.json()["error"] == (
        "il corpo della richiesta è più grande di quanto questo servizio accetta (100 byte); "
        "inviare meno dati per volta")
    assert english.json()["detail"] == (
        "the request body is larger than this service accepts (100 bytes); send less at once")


def test_a_count_is_written_as_the_readers_locale_writes_numbers():
    refused = Invalid("offers", N_("the provider would have {count} offers; one provider may "
                                   "have at most {limit} (withdraw some first)"),
                      count=1201, limit=1200)
    assert refused.render(texts("it")) == (
        "il fornitore avrebbe 1.201 offerte; un fornitore può averne al massimo 1.200 "
        "(ritirarne prima alcune)")
    assert refused.render(texts("en")) == (
        "the provider would have 1,201 offers; one provider may have at most 1,200 "
        "(withdraw some first)")
    assert str(refused) == "offers: " + refused.render(texts("en"))


def test_a_text_the_catalogue_does_not_know_is_shown_as_written():
    assert NotFound("something nobody wrote a msgid for").render(texts("it")) == (
        "something nobody wrote a msgid for")


# The refusals the services raise, and where the message is (Invalid names its field first).
REFUSALS = {"NotFound": 0, "Conflict": 0, "Forbidden": 0, "Refused": 0,
            "MatcherUnavailable": 0, "NotInRound": 0, "Invalid": 1}


def test_every_refusal_the_services_raise_passes_a_msgid_and_its_values():
    """An f-string (or any text not marked N_) is not a message of the catalogue: it would
    be shown in English to an Italian reader, whatever the request asks for."""
    written = []
    for path in sorted(Path(services.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in REFUSALS):
                continue
            at = REFUSALS[node.func.id]
            message = node.args[at] if len(node.args) > at else None
            if not (isinstance(message, ast.Call) and isinstance(message.func, ast.Name)
                    and message.func.id == "N_"):
                written.append(f"{path.relative_to(Path(services.__file__).parent)}:"
                               f"{node.lineno}: {ast.unparse(node)[:80]}")
    assert written == []
