"""The table test: genuine Italian sheets (made by LibreOffice) through the real uploads.

Each accepted dialect (the UTF-8 source, CSV ``;`` Windows-1252, CSV UTF-8 with
a BOM, XLSX) loads the same rows; each bad file is refused naming its row and
column, in Italian and in English, and stores nothing.
"""

from __future__ import annotations

import pytest

from services.intake.adapters.lines_csv import parse_lines
from services.intake.adapters.survey_csv import parse_survey
from services.supply.adapters.offers_csv import parse_offers
from tests.integration.intake.running import auth
from tests.integration.spreadsheets.sources import BAD_SURVEYS

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

DIALECTS = ("source", "semicolon-1252", "utf8-bom", "xlsx")
OPERATOR = auth("operator", "ops")
ACME = auth("firm", "acme")
GULLIVER = auth("provider", "coop-gulliver")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(path) -> dict:
    kind = XLSX if path.suffix == ".xlsx" else "text/csv"
    return {"file": (path.name, path.read_bytes(), kind)}


def test_every_dialect_reads_the_same_rows(sheets):
    # Parsed alone first: the exact rows, not only what the services show of them.
    for name, parse in (("survey", lambda c: parse_survey(c, "acme")),
                        ("lines", lambda c: parse_lines(c, 10)),
                        ("offers", lambda c: parse_offers(c, "coop-gulliver"))):
        read = {d: [r.model_dump(mode="json") for r in parse(sheets[d][name].read_bytes())]
                for d in DIALECTS}
        assert all(rows == read["source"] for rows in read.values()), name
    answers = {a.pseudonym: a for a in parse_survey(sheets["xlsx"]["survey"].read_bytes(), "x")}
    assert len(answers) == 14
    assert {a.municipality for a in answers.values()} == {"036023", "036005"}
    assert answers["dip-000"].weeks == ["2027-W27", "2027-W28", "2027-W29"]
    assert answers["dip-100"].weeks == ["2027-W28"]
    assert str(answers["dip-002"].max_unit_price_eur) in ("1120", "1120.00")


async def enrol(intake, supply) -> None:
    firm = {"network_id": "modena", "firm": {
        "firm_id": "acme", "name": "Acme S.r.l.", "ateco_sector": "C", "employees": 80,
        "welfare_budget_eur": "25000.00"}}
    assert (await intake.put("/v1/firms/acme", json=firm, headers=OPERATOR)).status_code == 200
    provider = {"network_id": "modena", "provider": {
        "provider_id": "coop-gulliver", "name": "Cooperativa Gulliver",
        "kind": "social_cooperative"}}
    assert (await supply.put("/v1/providers/coop-gulliver", json=provider,
                             headers=OPERATOR)).status_code == 200


async def test_each_dialect_uploads_the_same_answers_lines_and_offers(services, sheets):
    intake, supply = services
    await enrol(intake, supply)
    seen = {}
    for dialect in DIALECTS:
        survey = await intake.post("/v1/firms/acme/survey.csv", params={"replace": "true"},
                                   files=upload(sheets[dialect]["survey"]), headers=ACME)
        assert survey.status_code == 200, (dialect, survey.text)
        assert survey.json()["answers_stored"] == 14
        lines = await intake.post("/v1/firms/acme/lines.csv",
                                  files=upload(sheets[dialect]["lines"]), headers=ACME)
        assert lines.status_code == 200, (dialect, lines.text)
        offers = await supply.post("/v1/providers/coop-gulliver/offers.csv",
                                   files=upload(sheets[dialect]["offers"]), headers=GULLIVER)
        assert offers.status_code == 200, (dialect, offers.text)
        demand = (await intake.get("/v1/firms/acme/demand", headers=ACME)).json()
        standing = (await supply.get("/v1/providers/coop-gulliver/offers",
                                     headers=GULLIVER)).json()
        seen[dialect] = (sorted((p["source"], p["line"]["line_id"].rsplit(".", 1)[0]
                                 if p["source"] == "survey" else p["line"]["line_id"],
                                 p["line"]["units"], p["line"]["weeks"][0])
                                for p in demand["lines"]),
                         sorted((o["offer"]["offer_id"], o["entity_version"]) for o in standing),
                         demand["withheld_answers"])
        if dialect != "source":
            # The same rows again: nothing changes, nothing is published again.
            assert survey.json()["lines_submitted"] == survey.json()["lines_withdrawn"] == []
            assert [r["changed"] for r in lines.json()] == [False, False]
            assert [r["changed"] for r in offers.json()] == [False, False]
    assert all(view == seen["source"] for view in seen.values()), seen
    firm_lines, offers, _withheld = seen["source"]
    # (Whether the survey's cell is published yet is intake's release rule, not the sheet's.)
    assert [line[1] for line in firm_lines if line[0] == "firm"] == ["acme.camp", "acme.care"]
    assert offers == [("coop-gulliver.camp", 1), ("coop-gulliver.home", 1)]


async def test_each_bad_file_is_refused_at_its_row_and_column_in_both_languages_storing_nothing(
        services, sheets):
    intake, supply = services
    await enrol(intake, supply)
    for dialect in DIALECTS:
        for name, (_sheet, where, italian, english) in BAD_SURVEYS.items():
            for language, words in (("it", italian), ("en", english)):
                refused = await intake.post(
                    "/v1/firms/acme/survey.csv", files=upload(sheets[dialect][f"survey-{name}"]),
                    headers={**ACME, "Accept-Language": language})
                assert refused.status_code == 422, (dialect, name, refused.text)
                error, = refused.json()["errors"]
                assert (error["row"], error["column"], error["header"]) == where, (
                    dialect, name, error)
                assert words in error["message"], (dialect, name, language, error)
                prefix = ("riga" if language == "it" else "row") + f" {where[0]}, "
                assert refused.json()["error"].startswith(prefix), refused.json()["error"]
                assert "^" not in refused.text and "[0-9]" not in refused.text
        bad_offers = await supply.post(
            "/v1/providers/coop-gulliver/offers.csv", files=upload(
                sheets[dialect]["offers-bad-number"]), headers=GULLIVER)  # Italian by default
        error, = bad_offers.json()["errors"]
        assert (bad_offers.status_code, error["row"], error["column"], error["where"]) == (
            422, 3, "E", "riga 3, colonna E (posti per settimana)")
        assert error["message"] == "non è un numero (scrivere ad es. 1.234,50 o 1234,50)"
    demand = (await intake.get("/v1/firms/acme/demand", headers=ACME)).json()
    assert (demand["survey_answers"], demand["lines"]) == (0, [])
    assert (await supply.get("/v1/providers/coop-gulliver/offers", headers=GULLIVER)).json() == []


async def test_templates_are_served_by_intake_and_supply(services):
    intake, supply = services
    for client, kind in ((intake, "survey"), (intake, "lines"), (supply, "offers")):
        xlsx = await client.get(f"/v1/templates/{kind}.xlsx", headers=OPERATOR)
        assert (xlsx.status_code, xlsx.headers["content-type"]) == (200, XLSX)
        assert xlsx.content.startswith(b"PK\x03\x04")
        csv = await client.get(f"/v1/templates/{kind}.csv", headers=OPERATOR)
        assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
        guide = await client.get(f"/v1/templates/{kind}-istruzioni.csv",
                                 headers={**OPERATOR, "Accept-Language": "en"})
        assert guide.content.decode("utf-8-sig").startswith("Column;Required;What to write")
    assert (await supply.get("/v1/templates/survey.csv", headers=OPERATOR)).status_code == 404
    assert (await intake.get("/v1/templates/survey.csv")).status_code == 401
