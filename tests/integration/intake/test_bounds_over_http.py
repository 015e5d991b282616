"""Intake over HTTP on both databases: values no network has are refused naming the field,
nothing the database cannot store reaches it, and one firm cannot take another's line ids."""

from __future__ import annotations

import pytest

from schemas.topics import DEMAND, decode
from tests.integration.intake.running import auth, read_topic
from tests.integration.intake.test_survey_flow import answers, enrol

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

ACME = auth("firm", "acme")
BOLTS = auth("firm", "bolts")
LINE = {"line_id": "acme-L01", "category": "childcare", "municipality": "036023",
        "weeks": ["2027-W27", "2027-W28"], "units": 14, "max_unit_price_eur": "150.00",
        "respondents": 12}
PATH = "/v1/firms/acme/demand/acme-L01"
HEADER = ("pseudonym,firm_id,category,municipality,weeks,units,max_unit_price_eur,"
          "single_parent,dependent_relative,required_tags\n")


# In Italian, as the request asks for no other language.
@pytest.mark.parametrize(("change", "field", "words"), [
    ({"municipality": "999999"}, "body.line.municipality", "non è nell'elenco ISTAT"),
    ({"municipality": "\u0660\u0663\u0666\u0660\u0662\u0663"}, "body.line.municipality",
     "non è un codice ISTAT di comune"),
    ({"units": 10**30}, "body.line.units", "deve essere al massimo 100000"),
    ({"required_tags": [f"t{i}" for i in range(30_000)]}, "body.line.required_tags",
     "al massimo 20 valori"),
    ({"max_unit_price_eur": "30000000"}, "body.line.max_unit_price_eur",
     "al massimo 100.000,00 EUR"),
])
async def test_a_line_beyond_any_real_network_is_refused_naming_the_field(intake, change, field,
                                                                          words):
    await enrol(intake)
    response = await intake.put(PATH, json={"line": {**LINE, **change}}, headers=ACME)
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["field"] == field and words in error["message"], error
    assert response.json()["code"] == "invalid"
    assert "pattern" not in response.text


async def test_a_survey_price_the_database_cannot_store_is_refused_and_the_next_request_works(
        intake):
    await enrol(intake)
    survey = answers("cc", 10, ("childcare", "036023", ["2027-W24"]))
    survey[3]["max_unit_price_eur"] = "30000000.00"  # PostgreSQL's INTEGER of cents overflows
    refused = await intake.post("/v1/firms/acme/survey", json=survey, headers=ACME)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "body.3.max_unit_price_eur"
    after = await intake.get("/v1/firms/acme/demand", headers=ACME)
    assert after.status_code == 200 and after.json()["survey_answers"] == 0
    survey[3]["max_unit_price_eur"] = "120.00"
    assert (await intake.post("/v1/firms/acme/survey", json=survey,
                              headers=ACME)).status_code == 200


async def test_the_survey_csv_reads_yes_and_no_as_italian_spreadsheets_write_them(intake):
    await enrol(intake)
    flags = ["VERO", "sì", "yes", "1", "true", "FALSO", "no", "0", "false", "Si"]
    rows = [f"e{i:03d},acme,childcare,036023,2027-W24,1,120.00,{flag},FALSO,\n"
            for i, flag in enumerate(flags)]
    accepted = await intake.post("/v1/firms/acme/survey.csv", headers=ACME,
                                 files={"file": ("survey.csv", HEADER + "".join(rows))})
    assert accepted.status_code == 200, accepted.text
    refused = await intake.post(
        "/v1/firms/acme/survey.csv", headers=ACME,
        files={"file": ("survey.csv", HEADER + rows[0].replace("VERO", "forse"))})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{
        "row": 2, "column": "H", "header": "single_parent", "field": "single_parent",
        "message": "deve essere sì o no: VERO/FALSO, sì/no, true/false o 1/0",
        "where": "riga 2, colonna H (single_parent)"}]
    assert "forse" not in refused.text


async def test_a_firm_cannot_take_another_firms_survey_line_id_first(intake, settings):
    await enrol(intake, "acme")
    await enrol(intake, "bolts")
    # The id bolts' childcare cell would have had when ids were made of the cell alone.
    guessed = "bolts.childcare.036023.2027-W24-2027-W25"
    taken = await intake.put(f"/v1/firms/acme/demand/{guessed}",
                             json={"line": {**LINE, "line_id": guessed}}, headers=ACME)
    assert taken.status_code == 200, taken.text
    survey = answers("b", 10, ("childcare", "036023", ["2027-W24", "2027-W25"]))
    published = await intake.post("/v1/firms/bolts/survey", json=survey, headers=BOLTS)
    assert published.status_code == 200, published.text  # not 409
    line_id, = published.json()["lines_submitted"]
    assert line_id.startswith(guessed + ".") and line_id != guessed

    records = await read_topic(settings.kafka_bootstrap, DEMAND, expected=4)
    lines = [decode(DEMAND, r.value) for r in records]
    owners = {e.line.line_id: e.firm_id for e in lines if e.event_type == "DemandSubmitted"}
    assert owners == {guessed: "acme", line_id: "bolts"}


async def test_a_firm_has_at_most_so_many_lines(intake, monkeypatch):
    monkeypatch.setattr("services.intake.service_layer.lines.MAX_LINES_PER_FIRM", 2)
    await enrol(intake)
    for n in (1, 2):
        line = {**LINE, "line_id": f"acme-L0{n}"}
        response = await intake.put(f"/v1/firms/acme/demand/acme-L0{n}", json={"line": line},
                                    headers=ACME)
        assert response.status_code == 200, response.text
    third = await intake.put("/v1/firms/acme/demand/acme-L03",
                             json={"line": {**LINE, "line_id": "acme-L03"}}, headers=ACME)
    assert third.status_code == 422
    assert third.json()["code"] == "invalid"
    assert third.json()["errors"] == [{"field": "body.line", "message":
                                       "l'impresa avrebbe 3 righe di domanda; un'impresa può "
                                       "averne al massimo 2 (ritirarne prima alcune)"}]
    again = await intake.put("/v1/firms/acme/demand/acme-L02",
                             json={"line": {**LINE, "line_id": "acme-L02", "units": 3}},
                             headers=ACME)
    assert again.status_code == 200  # changing a standing line adds none
