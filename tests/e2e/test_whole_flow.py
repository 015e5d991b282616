"""The whole flow, end to end, on the real broker and on SQLite and PostgreSQL.

Firms submit (survey answers and aggregated lines) and providers offer through
the HTTP APIs; the operator runs a dry run and a committed round; the reference
provider consumer reads the awards from Kafka and answers; the repair round
keeps what was accepted and drops what was declined. It is the story
``welfare demo`` tells, run with a short solver limit.
"""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from schemas.topics import ASSIGNMENTS, PROVIDER_RESPONSES, decode
from services.demo.story import run_demo

pytestmark = [pytest.mark.system, pytest.mark.broker, pytest.mark.postgres]


@pytest.fixture(params=["sqlite", "postgres"])
def environment(request, broker, monkeypatch):
    values = {
        "WELFARE_KAFKA_BOOTSTRAP": broker.bootstrap,
        "WELFARE_KAFKA_IDEMPOTENT_PRODUCER": "false",  # Tansu, given as an external Kafka
        "WELFARE_KAFKA_SESSION_TIMEOUT_MS": "3000",
        "WELFARE_KAFKA_HEARTBEAT_INTERVAL_MS": "300",
        "WELFARE_KAFKA_REQUEST_TIMEOUT_MS": "5000",
        "WELFARE_MATCHER_ROUND_POLL_S": "0.2",
        "WELFARE_MATCHER_LAG_INTERVAL_S": "0.5",
        "WELFARE_MATCHER_GAUGES_INTERVAL_S": "0.5",
        "WELFARE_LOCALE": "it",  # the round reports' language, whatever the machine's
    }
    if request.param == "postgres":
        values["WELFARE_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    else:
        monkeypatch.delenv("WELFARE_DATABASE_URL", raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return broker


def assignments(detail: dict) -> dict[tuple[str, str], int]:
    return {(line["line_id"], offer["offer_id"]): line["units"]
            for contract in detail["contracts"] for offer in contract["offers"]
            for line in offer["lines"]}


async def read_topic(bootstrap: str, topic: str) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        end = await consumer.end_offsets(list(consumer.assignment()))
        records: list = []
        async with asyncio.timeout(60):
            while [tp for tp, offset in end.items() if await consumer.position(tp) < offset]:
                for batch in (await consumer.getmany(timeout_ms=300)).values():
                    records += batch
        return [decode(topic, record.value) for record in records]
    finally:
        await consumer.stop()


async def test_submit_offer_round_awards_answers_and_repair(environment, tmp_path):
    told: list[str] = []
    looked: list[str] = []

    async def look_around() -> None:
        # What a person does once the season has played: open the printed console URL.
        invitation = next(text for text in told if "== Console ==" in text)
        url = re.search(r"Open (http://\S+)/ and log in", invitation).group(1)
        assert re.search(r"operator \(demo-operator\): \S{20,}", invitation)
        assert re.search(r"firm \S+: \S{20,}", invitation)
        assert re.search(r"provider \S+: \S{20,}", invitation)
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            page = await client.get("/login")
        looked.append(page.text if page.status_code == 200 else f"status {page.status_code}")

    outcome = await run_demo(told.append, workdir=tmp_path / "demo", seed=7, time_limit_s=5,
                             linger=look_around)
    assert looked and "Accedi" in looked[0], "the console was not serving while the demo lingered"
    dry, committed, repair = outcome.dry_run, outcome.committed, outcome.repair

    # The dry run stores and reports, but awards nothing.
    assert dry["status"] == "completed" and dry["dry_run"] is True
    assert dry["contracts"] and not any(c["awarded"] for c in dry["contracts"])

    # The committed round is the reviewed dry run: the same contracts, now awarded,
    # with no new solve; each provider answered.
    assert committed["status"] == "completed" and committed["kind"] == "plain"
    assert _content(committed) == _content(dry) and committed["solver"] == dry["solver"]
    awarded = [c for c in committed["contracts"] if c["awarded"]]
    assert len(awarded) == len(committed["contracts"]) >= 2
    responses = {c["provider_id"]: c["response"] for c in awarded}
    assert responses.pop(outcome.declined_provider) == "declined"
    assert set(responses.values()) == {"accepted"}

    # The repair round keeps every accepted assignment and drops the declined pairs.
    assert repair["status"] == "completed" and repair["kind"] == "repair"
    before, after = assignments(committed), assignments(repair)
    accepted = {pair for c in awarded if c["response"] == "accepted"
                for pair in assignments({"contracts": [c]})}
    declined = set(assignments({"contracts": [c for c in awarded
                                              if c["response"] == "declined"]}))
    assert accepted and declined
    # A pin is a floor: the accepted units stay; the repair may add to them.
    assert all(after.get(pair, 0) >= before[pair] for pair in accepted)
    assert not declined & set(after)
    pinned_lines = {(line["line_id"], offer["offer_id"]) for c in repair["contracts"]
                    for offer in c["offers"] for line in offer["lines"] if line["pinned"]}
    assert pinned_lines == accepted

    # On Kafka: awards of the committed rounds only, answers for each award.
    on_topic = await read_topic(environment.bootstrap, ASSIGNMENTS)
    awards = [a for a in on_topic
              if type(a).__name__ in ("ContractAwarded", "ContractAmended")]
    rounds_awarded = {a.round_id for a in awards}
    assert dry["round_id"] not in rounds_awarded
    assert committed["round_id"] in rounds_awarded
    by_contract = {}
    for award in awards:  # a republished award keeps its event id
        assert by_contract.setdefault(award.contract_id, award.event_id) == award.event_id
    # The repair round told only what changed: nothing to a provider whose contract it kept.
    kept = {c["provider_id"] for c in repair["contracts"]
            if c["award_event_id"] in {a["award_event_id"] for a in awarded}}
    assert not kept & {e.provider_id for e in on_topic
                       if repair["round_id"] in (e.round_id,
                                                 getattr(e, "withdrawn_by_round_id", None))}
    answers = await read_topic(environment.bootstrap, PROVIDER_RESPONSES)
    assert {a.contract_id for a in answers} == {c["contract_id"] for c in awarded}

    # And the story an operator reads names each step.
    text = "\n".join(told)
    for step in ("== Dry run ==", "== Committed round ==", "== Providers answer ==",
                 "== Repair round ==", "ContractDeclined", "righe accettate mantenute",
                 "Providers told:"):
        assert step in text


def _content(detail: dict) -> set:
    """What each provider gets, whatever the round and contract ids."""
    return {(c["provider_id"], o["offer_id"], o["unit_price_eur"], line["line_id"],
             line["units"]) for c in detail["contracts"] for o in c["offers"]
            for line in o["lines"]}
