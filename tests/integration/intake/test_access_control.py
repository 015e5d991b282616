"""Who may do what on intake: 401 without a valid token, 403 outside one's own data."""

from __future__ import annotations

import pytest

from schemas.topics import DEMAND, decode
from tests.integration.intake.running import auth, read_topic

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

PROFILE = {"network_id": "modena", "firm": {
    "firm_id": "acme", "name": "Acme S.r.l.", "ateco_sector": "C", "employees": 40,
    "welfare_budget_eur": "9000.00"}}
ANSWER = {"pseudonym": "a1", "category": "childcare", "municipality": "036023",
          "weeks": ["2027-W24"], "units": 1, "max_unit_price_eur": "100.00"}
LINE = {"line": {"line_id": "acme-L01", "category": "childcare", "municipality": "036023",
                 "weeks": ["2027-W24"], "units": 12, "max_unit_price_eur": "100.00",
                 "respondents": 12}}
CSV = "pseudonym,category,municipality,weeks,units,max_unit_price_eur\n"

# Every route on acme's data: (method, path, request keyword arguments).
ACME_ROUTES = [
    ("PUT", "/v1/firms/acme", {"json": PROFILE}),
    ("GET", "/v1/firms/acme", {}),
    ("POST", "/v1/firms/acme/survey", {"json": [ANSWER]}),
    ("POST", "/v1/firms/acme/survey.csv", {"files": {"file": ("survey.csv", CSV)}}),
    ("POST", "/v1/firms/acme/survey/withdrawals", {"json": {"pseudonyms": ["a1"]}}),
    ("DELETE", "/v1/firms/acme/survey", {}),
    ("PUT", "/v1/firms/acme/demand/acme-L01", {"json": LINE}),
    ("DELETE", "/v1/firms/acme/demand/acme-L01", {}),
    ("GET", "/v1/firms/acme/demand", {}),
]
SURVEY_ROUTES = [route for route in ACME_ROUTES if "/survey" in route[1]]


async def test_every_route_needs_a_valid_bearer_token(intake):
    for method, path, kwargs in [*ACME_ROUTES, ("GET", "/v1/firms", {})]:
        missing = await intake.request(method, path, **kwargs)
        wrong = await intake.request(method, path, headers={"Authorization": "Bearer nope"},
                                     **kwargs)
        assert (missing.status_code, wrong.status_code) == (401, 401), (method, path)
        assert wrong.headers["WWW-Authenticate"] == "Bearer"


async def test_callers_are_refused_what_their_role_and_identity_do_not_allow(intake, settings):
    enrolled = await intake.put("/v1/firms/acme", json=PROFILE, headers=auth("operator", "ops"))
    assert enrolled.status_code == 200

    for caller in (auth("firm", "bolts"), auth("provider", "coop-gulliver")):
        for method, path, kwargs in ACME_ROUTES:
            response = await intake.request(method, path, headers=caller, **kwargs)
            assert response.status_code == 403, (caller, method, path, response.text)

    # Operator actions: enrolling a firm, listing the firms.
    new_firm = {**PROFILE, "firm": {**PROFILE["firm"], "firm_id": "acme-2"}}
    acme = auth("firm", "acme")
    assert (await intake.put("/v1/firms/acme-2", json=new_firm, headers=acme)).status_code == 403
    assert (await intake.get("/v1/firms", headers=acme)).status_code == 403
    assert (await intake.get("/v1/firms", headers=auth("operator", "ops"))).json() == ["acme"]

    # Employee-level answers are the firm's alone, not even an operator's.
    for method, path, kwargs in SURVEY_ROUTES:
        response = await intake.request(method, path, headers=auth("operator", "ops"), **kwargs)
        assert response.status_code == 403, (method, path)

    # None of the refused requests wrote anything: the topic holds the enrolment only.
    records = await read_topic(settings.kafka_bootstrap, DEMAND, expected=1)
    assert [decode(DEMAND, r.value).event_type for r in records] == ["FirmEnrolled"]


async def test_a_firm_may_update_its_own_profile_but_not_move_network(intake):
    await intake.put("/v1/firms/acme", json=PROFILE, headers=auth("operator", "ops"))
    acme = auth("firm", "acme")
    bigger = {**PROFILE, "firm": {**PROFILE["firm"], "employees": 41}}
    assert (await intake.put("/v1/firms/acme", json=bigger, headers=acme)).json()[
        "entity_version"] == 2
    moved = await intake.put("/v1/firms/acme", json={**bigger, "network_id": "bologna"},
                             headers=acme)
    assert moved.status_code == 409
    mismatched = await intake.put("/v1/firms/acme", json={
        **PROFILE, "firm": {**PROFILE["firm"], "firm_id": "bolts"}}, headers=acme)
    assert mismatched.status_code == 422
    assert mismatched.json()["errors"][0]["field"] == "body.firm.firm_id"


async def test_an_operator_reads_every_firm_and_its_lines_at_once_and_a_firm_may_not(intake):
    ops = auth("operator", "ops")
    assert (await intake.put("/v1/firms/acme", json=PROFILE, headers=ops)).status_code == 200
    put = await intake.put("/v1/firms/acme/demand/acme-L01", json=LINE, headers=ops)
    assert put.status_code == 200, put.text
    everything = await intake.get("/v1/demand", headers=ops)
    assert everything.status_code == 200
    [acme] = everything.json()
    assert acme["profile"] == (await intake.get("/v1/firms/acme", headers=ops)).json()
    assert acme["demand"] == (await intake.get("/v1/firms/acme/demand", headers=ops)).json()
    assert [x["line"]["line_id"] for x in acme["demand"]["lines"]] == ["acme-L01"]
    assert (await intake.get("/v1/demand", headers=auth("firm", "acme"))).status_code == 403
