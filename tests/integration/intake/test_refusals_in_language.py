"""Intake's use cases refuse in the request's language: Italian unless it asks for English,
with the same ``code`` in both. Each refusal keeps its msgid and values to its call site
(services/intake/service_layer, requests.py, api.py), so none falls back to English.

SQLite only: the words do not depend on the database (the refusals themselves are tested
on both in the neighbouring files)."""

from __future__ import annotations

import pytest

from tests.integration.intake.running import auth
from tests.integration.intake.test_survey_flow import answers, enrol

pytestmark = [pytest.mark.broker,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

OPERATOR = auth("operator", "ops")
ACME = auth("firm", "acme")
BOLTS = auth("firm", "bolts")
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
LINE = {"line_id": "acme-L01", "category": "childcare", "municipality": "036023",
        "weeks": ["2027-W27", "2027-W28"], "units": 14, "max_unit_price_eur": "150.00",
        "respondents": 12}


async def both(client, method: str, path: str, headers: dict, **kwargs) -> tuple[dict, dict]:
    """The refusal's body in Italian (no Accept-Language) and in English: same status, code."""
    italian = await client.request(method, path, headers=headers, **kwargs)
    english = await client.request(method, path, headers={**headers, **ENGLISH}, **kwargs)
    assert italian.status_code == english.status_code >= 400, italian.text
    assert italian.json()["code"] == english.json()["code"]
    return {"status": italian.status_code, **italian.json()}, english.json()


def said(body: dict) -> str:
    """What a 404/409 says, or the one field's message of a 422."""
    return body["errors"][0]["message"] if body.get("errors") else body["error"]


async def test_intakes_refusals_are_said_in_italian_and_in_english(intake):
    await enrol(intake, "acme")
    await enrol(intake, "bolts")
    assert (await intake.put("/v1/firms/acme/demand/acme-L01", json={"line": LINE},
                             headers=ACME)).status_code == 200

    it, en = await both(intake, "GET", "/v1/firms/nobody", OPERATOR)
    assert (it["status"], it["code"]) == (404, "not_found")
    assert said(it) == "l'impresa 'nobody' non è iscritta"
    assert said(en) == "firm 'nobody' is not enrolled"

    it, en = await both(intake, "PUT", "/v1/firms/acme", OPERATOR, json={
        "network_id": "bologna", "firm": {"firm_id": "acme", "name": "acme S.r.l.",
                                          "ateco_sector": "C", "employees": 80,
                                          "welfare_budget_eur": "25000.00"}})
    assert (it["status"], it["code"]) == (409, "conflict")
    assert said(it) == "l'impresa appartiene alla rete 'modena'; spostarla non è previsto"
    assert said(en) == "the firm belongs to network 'modena'; moving it is not supported"

    it, en = await both(intake, "PUT", "/v1/firms/bolts/demand/acme-L01", BOLTS,
                        json={"line": LINE})
    assert (it["status"], it["code"]) == (409, "conflict")
    assert said(it) == "l'id di riga 'acme-L01' è già usato da un'altra impresa"
    assert said(en) == "line id 'acme-L01' is already used by another firm"

    it, en = await both(intake, "DELETE", "/v1/firms/acme/demand/acme-L99", ACME)
    assert (it["status"], it["code"]) == (404, "not_found")
    assert said(it) == "l'impresa non ha la riga 'acme-L99'"
    assert said(en) == "the firm has no line 'acme-L99'"

    it, en = await both(intake, "PUT", "/v1/firms/acme/demand/acme-L02", ACME,
                        json={"line": {**LINE, "line_id": "acme-L02", "respondents": 2}})
    assert (it["status"], it["code"]) == (422, "invalid")
    assert it["errors"][0]["field"] == "body.line.respondents"
    assert said(it) == "una linea deve aggregare almeno 10 dipendenti (k-anonimato)"
    assert said(en) == "a line must aggregate at least 10 employees (k-anonymity)"

    survey = answers("cc", 10, ("childcare", "036023", ["2027-W24"]))
    survey[4]["pseudonym"] = survey[1]["pseudonym"]
    it, en = await both(intake, "POST", "/v1/firms/acme/survey", ACME, json=survey)
    assert (it["status"], it["code"]) == (422, "invalid")
    assert it["errors"][0]["field"] == "body.4.pseudonym"
    assert said(it) == "ripete lo pseudonimo della risposta 1"
    assert said(en) == "repeats the pseudonym of answer 1"


async def test_a_new_firm_a_firm_token_may_not_enrol_is_refused_in_both_languages(intake):
    # bolts's own token, for bolts not yet enrolled: only an operator may enrol it.
    body = {"network_id": "modena", "firm": {"firm_id": "bolts", "name": "Bolts",
                                             "ateco_sector": "C", "employees": 10,
                                             "welfare_budget_eur": "1.00"}}
    it, en = await both(intake, "PUT", "/v1/firms/bolts", BOLTS, json=body)
    assert (it["status"], it["code"]) == (403, "forbidden")
    assert said(it) == "solo un operatore può iscrivere una nuova impresa"
    assert said(en) == "only an operator may enrol a new firm"
