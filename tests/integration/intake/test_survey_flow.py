"""Intake on the real broker and both databases: survey answers in, k-anonymous lines out."""

from __future__ import annotations

import pytest

from schemas.topics import DEMAND, decode
from tests.integration.intake.running import auth, read_topic

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

OPERATOR = auth("operator", "ops")
ACME = auth("firm", "acme")
CHILDCARE = ("childcare", "036023", ["2027-W24", "2027-W25"])
HOME_CARE = ("home_care", "036023", ["2027-W24", "2027-W25", "2027-W26"])
BABYSITTING = ("babysitting", "036040", ["2027-W30"])


def answers(prefix: str, n: int, cell: tuple, start: int = 0, units: int = 1) -> list[dict]:
    category, municipality, weeks = cell
    return [
        {"pseudonym": f"{prefix}{i:03d}", "category": category, "municipality": municipality,
         "weeks": weeks, "units": units, "max_unit_price_eur": "120.00",
         "single_parent": i % 4 == 0, "required_tags": ["meals"] if i % 2 else []}
        for i in range(start, start + n)
    ]


async def enrol(client, firm_id: str = "acme", employees: int = 80) -> None:
    body = {"network_id": "modena", "firm": {
        "firm_id": firm_id, "name": f"{firm_id} S.r.l.", "ateco_sector": "C",
        "employees": employees, "welfare_budget_eur": "25000.00"}}
    response = await client.put(f"/v1/firms/{firm_id}", json=body, headers=OPERATOR)
    assert response.status_code == 200, response.text


def line_id(cell: tuple) -> str:
    """The readable part of a survey line's id; a digest keyed with the firm's secret
    follows it (see ``cell_of``)."""
    category, municipality, weeks = cell
    return f"acme.{category}.{municipality}.{weeks[0]}-{weeks[-1]}"


def cell_of(entity_id: str) -> str:
    return entity_id.rsplit(".", 1)[0] if entity_id.count(".") >= 4 else entity_id


def cells(ids: list[str]) -> list[str]:
    return [cell_of(i) for i in ids]


async def test_survey_changes_publish_only_the_differences_of_k_anonymous_lines(
        intake, settings):
    await enrol(intake)
    # 12 childcare, 11 home care, 3 babysitting: the 3 are withheld (below k),
    # and home care too, or headcount minus childcare would give the 3 away.
    survey = (answers("cc", 12, CHILDCARE) + answers("hc", 11, HOME_CARE)
              + answers("bs", 3, BABYSITTING))
    first = await intake.post("/v1/firms/acme/survey", json=survey, headers=ACME)
    assert first.status_code == 200, first.text
    assert cells(first.json()["lines_submitted"]) == [line_id(CHILDCARE)]
    assert first.json()["withheld_answers"] == 14

    # Two more babysitting answers change nothing that is published.
    quiet = await intake.post("/v1/firms/acme/survey", json=answers("bs", 2, BABYSITTING, 3),
                              headers=ACME)
    assert quiet.json()["lines_submitted"] == quiet.json()["lines_withdrawn"] == []

    # One replaced answer (same pseudonym, more units) is held back: published, the
    # difference would be that one employee's answer (domain/releases.py) ...
    held = await intake.post("/v1/firms/acme/survey",
                             json=answers("cc", 1, CHILDCARE, units=3), headers=ACME)
    assert held.json()["lines_submitted"] == [] and held.json()["pending_answers"] == 1
    # ... until k answers of the cell have changed: then the childcare line moves.
    replaced = await intake.post("/v1/firms/acme/survey",
                                 json=answers("cc", 10, CHILDCARE, units=3), headers=ACME)
    assert cells(replaced.json()["lines_submitted"]) == [line_id(CHILDCARE)]

    # Childcare falls below k: it is withdrawn, and home care can now stand.
    withdrawn = await intake.post("/v1/firms/acme/survey/withdrawals",
                                  json={"pseudonyms": ["cc000", "cc001", "cc002"]}, headers=ACME)
    assert cells(withdrawn.json()["lines_withdrawn"]) == [line_id(CHILDCARE)]
    assert cells(withdrawn.json()["lines_submitted"]) == [line_id(HOME_CARE)]

    view = (await intake.get("/v1/firms/acme/demand", headers=ACME)).json()
    assert [(cell_of(entry["line"]["line_id"]), entry["entity_version"])
            for entry in view["lines"]] == [
        (line_id(HOME_CARE), 1)]
    assert (view["survey_answers"], view["withheld_answers"]) == (25, 14)

    # The survey re-sent whole with replace=true, without the babysitting answers:
    # they go in the same transaction. Childcare (9) is then the only small cell,
    # which the headcount would give away, so home care is withheld with it.
    current = answers("cc", 9, CHILDCARE, 3) + answers("hc", 11, HOME_CARE)
    resent = await intake.post("/v1/firms/acme/survey?replace=true", json=current, headers=ACME)
    assert (cells(resent.json()["lines_submitted"]), cells(resent.json()["lines_withdrawn"])) == (
        [], [line_id(HOME_CARE)])
    assert (resent.json()["answers_stored"], resent.json()["withheld_answers"]) == (20, 20)

    records = await read_topic(settings.kafka_bootstrap, DEMAND, expected=6)
    events = [decode(DEMAND, r.value) for r in records]
    assert all(r.key == b"acme" for r in records)
    assert [(e.event_type, cell_of(e.entity_id), e.entity_version) for e in events] == [
        ("FirmEnrolled", "acme", 1),
        ("DemandSubmitted", line_id(CHILDCARE), 1),
        ("DemandSubmitted", line_id(CHILDCARE), 2),
        ("DemandSubmitted", line_id(HOME_CARE), 1),
        ("DemandWithdrawn", line_id(CHILDCARE), 3),
        ("DemandWithdrawn", line_id(HOME_CARE), 2),
    ]
    first_line, updated_line = events[1].line, events[2].line
    assert (first_line.respondents, first_line.units) == (12, 12)
    assert (updated_line.respondents, updated_line.units) == (12, 32)  # replaced, not added
    assert all(e.line.respondents >= settings.k_anonymity
               for e in events if e.event_type == "DemandSubmitted")


async def test_a_survey_csv_is_applied_whole_or_refused_naming_row_and_column(intake, settings):
    await enrol(intake)
    header = ("pseudonym,firm_id,category,municipality,weeks,units,max_unit_price_eur,"
              "single_parent,dependent_relative,required_tags\n")
    rows = [f"e{i:03d},acme,childcare,036023,2027-W24;2027-W25,1,120.00,false,false,meals\n"
            for i in range(10)]
    bad = rows[:1] + [rows[1].replace(",1,120.00", ",lots,120.00")] + rows[2:]
    refused = await intake.post("/v1/firms/acme/survey.csv", headers=ACME,
                                files={"file": ("survey.csv", header + "".join(bad))})
    assert refused.status_code == 422
    assert "riga 3, colonna F (units)" in refused.json()["error"]
    assert refused.json()["errors"][0] == {
        "row": 3, "column": "F", "header": "units", "field": "units",
        "message": "non è un numero (scrivere ad es. 1.234,50 o 1234,50)",
        "where": "riga 3, colonna F (units)"}
    assert "e001" not in refused.text  # never quotes an answer back

    view = (await intake.get("/v1/firms/acme/demand", headers=ACME)).json()
    assert view["survey_answers"] == 0  # nothing of the refused file was applied

    accepted = await intake.post("/v1/firms/acme/survey.csv", headers=ACME,
                                 files={"file": ("survey.csv", header + "".join(rows))})
    assert accepted.status_code == 200, accepted.text
    records = await read_topic(settings.kafka_bootstrap, DEMAND, expected=2)
    line = decode(DEMAND, records[-1].value).line
    assert (line.respondents, line.required_tags, line.max_unit_price_eur) == (10, ["meals"], 120)


async def test_firm_aggregated_lines_are_versioned_and_need_k_respondents(intake, settings):
    await enrol(intake)
    line = {"line_id": "acme-L01", "category": "childcare", "municipality": "036023",
            "weeks": ["2027-W27", "2027-W28"], "units": 14, "max_unit_price_eur": "150.00",
            "respondents": 12}
    path = "/v1/firms/acme/demand/acme-L01"
    assert (await intake.put(path, json={"line": line}, headers=ACME)).json()["entity_version"] == 1
    again = await intake.put(path, json={"line": line}, headers=ACME)
    assert again.json() == {"entity_id": "acme-L01", "entity_version": 1, "changed": False}
    changed = await intake.put(path, json={"line": {**line, "units": 16}}, headers=ACME)
    assert changed.json()["entity_version"] == 2

    too_few = await intake.put(path, json={"line": {**line, "respondents": 9}}, headers=ACME)
    assert too_few.status_code == 422
    assert too_few.json()["errors"][0]["field"] == "body.line.respondents"
    bad_place = await intake.put(path, json={"line": {**line, "municipality": "Carpi"}},
                                 headers=ACME)
    assert bad_place.status_code == 422
    assert "line.municipality" in bad_place.json()["error"]

    gone = await intake.delete(path, headers=ACME)
    assert gone.json() == {"entity_id": "acme-L01", "entity_version": 3, "changed": True}
    assert (await intake.delete(path, headers=ACME)).json()["changed"] is False

    records = await read_topic(settings.kafka_bootstrap, DEMAND, expected=4)
    events = [decode(DEMAND, r.value) for r in records]
    assert [(e.event_type, e.entity_version) for e in events[1:]] == [
        ("DemandSubmitted", 1), ("DemandSubmitted", 2), ("DemandWithdrawn", 3)]
    assert events[2].line.units == 16


async def test_an_updated_profile_is_the_next_version_and_ready_reports_both_dependencies(
        intake, settings):
    await enrol(intake, employees=80)
    await enrol(intake, employees=80)  # unchanged: no event
    await enrol(intake, employees=95)
    records = await read_topic(settings.kafka_bootstrap, DEMAND, expected=2)
    events = [decode(DEMAND, r.value) for r in records]
    assert [(e.entity_version, e.firm.employees) for e in events] == [(1, 80), (2, 95)]
    ready = await intake.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "database": True, "kafka": True}


async def test_ready_names_kafka_when_the_broker_is_away(intake, broker):
    broker.stop()
    down = await intake.get("/ready")
    assert down.status_code == 503
    assert down.json() == {"ready": False, "database": True, "kafka": False}
    broker.start()
