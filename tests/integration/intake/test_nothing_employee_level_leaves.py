"""No employee-level datum reaches Kafka, logs or metrics.

A survey is submitted (JSON and CSV), corrected and partly withdrawn while
every log record of every logger is captured, formatted as the service's JSON
logs are (bound ids included). Then every record on every public topic (key,
value, headers), the captured logs, the metrics page and the firm's demand
view are searched for the employees' pseudonyms.
"""

from __future__ import annotations

import logging
import secrets

import pytest

from schemas.topics import TOPICS, decode
from services.common.logs import JsonFormatter
from tests.integration.intake.running import auth, read_topic

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

ACME = auth("firm", "acme")
CELLS = [  # (category, municipality, weeks, answers): some below k, some above
    ("childcare", "036023", "2027-W24;2027-W25", 14),
    ("home_care", "036023", "2027-W24;2027-W25;2027-W26", 11),
    ("babysitting", "036040", "2027-W30", 4),
    ("concierge", "036013", "2027-W31", 2),
]


class Recorder(logging.Handler):
    """Formats each record when it is emitted, while its bound ids are in context."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter("intake"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def recorded_logs():
    recorder, root = Recorder(), logging.getLogger()
    level = root.level
    root.addHandler(recorder)
    root.setLevel(logging.DEBUG)
    yield recorder.lines
    root.removeHandler(recorder)
    root.setLevel(level)


def survey_csv(pseudonyms: list[str]) -> str:
    rows = ["pseudonym,firm_id,category,municipality,weeks,units,max_unit_price_eur,"
            "single_parent,dependent_relative,required_tags"]
    names = iter(pseudonyms)
    for category, municipality, weeks, n in CELLS:
        for i in range(n):
            rows.append(f"{next(names)},acme,{category},{municipality},{weeks},{1 + i % 3},"
                        f"{90 + i}.00,{str(i % 5 == 0).lower()},false,accessible")
    return "\n".join(rows) + "\n"


async def test_no_pseudonym_reaches_kafka_logs_or_metrics(intake, settings, recorded_logs):
    # Random pseudonyms, so that a match cannot be a coincidence of the test's own strings.
    pseudonyms = [f"emp{secrets.token_hex(6)}" for _ in range(sum(n for *_, n in CELLS))]
    events = 1
    await intake.put("/v1/firms/acme", headers=auth("operator", "ops"), json={
        "network_id": "modena", "firm": {"firm_id": "acme", "name": "Acme S.r.l.",
                                         "ateco_sector": "C", "employees": 45,
                                         "welfare_budget_eur": "9000.00"}})
    outcomes = [
        await intake.post("/v1/firms/acme/survey.csv", headers=ACME,
                          files={"file": ("survey.csv", survey_csv(pseudonyms))}),
        await intake.post("/v1/firms/acme/survey", headers=ACME, json=[
            {"pseudonym": pseudonyms[0], "category": "childcare", "municipality": "036023",
             "weeks": ["2027-W24", "2027-W25"], "units": 2, "max_unit_price_eur": "95.00",
             "dependent_relative": True}]),
        await intake.post("/v1/firms/acme/survey/withdrawals", headers=ACME,
                          json={"pseudonyms": pseudonyms[14:17]}),
        await intake.post("/v1/firms/acme/survey/withdrawals", headers=ACME,
                          json={"pseudonyms": ["not-a-known-one"]}),
    ]
    for outcome in outcomes:
        assert outcome.status_code == 200, outcome.text
        events += len(outcome.json()["lines_submitted"]) + len(outcome.json()["lines_withdrawn"])
    assert events >= 3  # the scan below has something to scan

    records = await read_topic(settings.kafka_bootstrap, TOPICS, expected=events)
    assert len(records) == events
    published = [
        b"".join([r.key or b"", r.value or b"", *(value for _, value in r.headers)])
        for r in records
    ]
    for record in records:
        event = decode(record.topic, record.value)
        if event.event_type == "DemandSubmitted":
            assert event.line.respondents >= settings.k_anonymity
    metrics = (await intake.get("/metrics")).text
    view = (await intake.get("/v1/firms/acme/demand", headers=ACME)).text
    assert any("survey re-aggregated" in line for line in recorded_logs)  # logs were captured

    for pseudonym in pseudonyms:
        assert not any(pseudonym.encode() in data for data in published)
        assert not any(pseudonym in line for line in recorded_logs)
        assert pseudonym not in metrics
        assert pseudonym not in view


async def test_one_employee_joining_a_cell_of_k_publishes_no_difference(intake, settings):
    """The issue's probe, through the broker: a cell of exactly k answers, then k + 1.

    Before the defence, version 2 of the line said 62 units where version 1 said
    55, and 62 - 55 was the newcomer's answer. Now the line stays as released
    until k answers of the cell have changed; the firm is told what is pending.
    """
    k = settings.k_anonymity
    await intake.put("/v1/firms/acme", headers=auth("operator", "ops"), json={
        "network_id": "modena", "firm": {"firm_id": "acme", "name": "Acme S.r.l.",
                                         "ateco_sector": "C", "employees": 45,
                                         "welfare_budget_eur": "9000.00"}})

    def answer(i: int, units: int) -> dict:
        return {"pseudonym": f"emp{i:03d}", "category": "childcare", "municipality": "036023",
                "weeks": ["2027-W24", "2027-W25"], "units": units,
                "max_unit_price_eur": f"{90 + i}.00", "required_tags": ["accessible"]}

    first = await intake.post("/v1/firms/acme/survey", headers=ACME,
                              json=[answer(i, 1 + i % 10) for i in range(k)])
    joined = await intake.post("/v1/firms/acme/survey", headers=ACME, json=[answer(k, 7)])
    assert first.status_code == joined.status_code == 200, joined.text
    assert len(first.json()["lines_submitted"]) == 1
    assert joined.json()["lines_submitted"] == [] and joined.json()["lines_withdrawn"] == []
    assert joined.json()["pending_answers"] == 1
    assert f"almeno {k}" in joined.json()["notice"]
    view = (await intake.get("/v1/firms/acme/demand", headers=ACME)).json()
    assert view["pending_answers"] == 1 and view["notice"] == joined.json()["notice"]

    # k - 1 more answers change: k in all since the release, so the line moves at last.
    changed = await intake.post("/v1/firms/acme/survey", headers=ACME,
                                json=[answer(i, 20) for i in range(k - 1)])
    assert len(changed.json()["lines_submitted"]) == 1, changed.text
    assert changed.json()["pending_answers"] == 0 and changed.json()["notice"] == ""

    records = await read_topic(settings.kafka_bootstrap, TOPICS, expected=3)
    lines = [decode(r.topic, r.value).line for r in records
             if decode(r.topic, r.value).event_type == "DemandSubmitted"]
    assert [line.respondents for line in lines] == [k, k + 1]  # never k, then k + 1 alone
