"""``POST /v1/rounds/{dry_run_id}/commit`` and ``welfare round commit``, and rounds read
through the matcher's API (a matcher read API runs, conftest.py; no round runs here)."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from schemas.rounds import CommitRound
from schemas.topics import ROUND_COMMANDS, decode
from services.cli.main import main
from services.common.auth import Role, issue
from services.common.kafka import KafkaConnection
from services.operator.bootstrap import build
from tests.integration.operator.book import seed_network, seed_round
from tests.integration.operator.test_operator_api import read_commands
from tests.support.services import running

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


@pytest.fixture
def token(settings) -> str:
    seed_network(settings, "modena")
    return issue(settings.tokens_file, Role.OPERATOR, "ops-modena")


async def test_committing_a_completed_dry_run_sends_commit_round(settings, token):
    seed_round(settings, "modena.dry")
    async with running(build(settings, KafkaConnection.from_settings(settings))) as url, \
            httpx.AsyncClient(base_url=url,
                              headers={"Authorization": f"Bearer {token}"}) as client:
        reply = await client.post("/v1/rounds/modena.dry/commit")
        assert reply.status_code == 202, reply.text
        new_id = reply.json()["round_id"]
        assert reply.json()["status"] == "requested"
        records = await read_commands(settings.kafka_bootstrap, 1)
        # Until the matcher records it, the operator shows it from its own outbox.
        shown = (await client.get(f"/v1/rounds/{new_id}")).json()
    command = decode(ROUND_COMMANDS, records[0].value)
    assert isinstance(command, CommitRound) and records[0].key == b"modena"
    assert (command.round_id, command.dry_run_id) == (new_id, "modena.dry")
    assert command.requested_by == "ops-modena"
    assert shown["status"] == "requested" and shown["commits_round_id"] == "modena.dry"


@pytest.mark.parametrize(("dry_run", "status", "said"), [
    (False, "completed", "il round modena.r non è una simulazione"),
    (True, "running", "la simulazione modena.r non è completata (stato: in corso)"),
    (True, "failed", "la simulazione modena.r non è completata (stato: non riuscito)"),
])
async def test_only_a_completed_dry_run_can_be_committed(settings, token, dry_run, status, said):
    seed_round(settings, "modena.r", dry_run=dry_run, status=status)
    async with running(build(settings, KafkaConnection.from_settings(settings))) as url, \
            httpx.AsyncClient(base_url=url,
                              headers={"Authorization": f"Bearer {token}"}) as client:
        reply = await client.post("/v1/rounds/modena.r/commit")
        missing = await client.post("/v1/rounds/nowhere/commit")
    assert reply.status_code == 409 and said in reply.json()["error"]
    assert reply.json()["code"] == "conflict"
    assert missing.status_code == 404 and missing.json()["error"] == "nessun round 'nowhere'"
    assert missing.json()["code"] == "not_found"


async def test_only_operators_commit(settings, token):
    seed_round(settings, "modena.dry")
    firm = issue(settings.tokens_file, Role.FIRM, "ceramiche-rossi")
    async with running(build(settings, KafkaConnection.from_settings(settings))) as url, \
            httpx.AsyncClient(base_url=url) as client:
        anonymous = await client.post("/v1/rounds/modena.dry/commit")
        by_a_firm = await client.post("/v1/rounds/modena.dry/commit",
                                      headers={"Authorization": f"Bearer {firm}"})
    assert anonymous.status_code == 401 and by_a_firm.status_code == 403


async def test_with_the_matcher_away_reads_answer_503_saying_so(settings, token):
    settings.matcher_url = "http://127.0.0.1:9"  # nothing listens there
    async with running(build(settings, KafkaConnection.from_settings(settings))) as url, \
            httpx.AsyncClient(base_url=url,
                              headers={"Authorization": f"Bearer {token}"}) as client:
        listing = await client.get("/v1/rounds")
        ready = await client.get("/ready")
    assert listing.status_code == 503
    assert listing.json()["code"] == "unavailable"
    assert "l'API del matcher a http://127.0.0.1:9 non risponde" in listing.json()["error"]
    assert ready.status_code == 200  # the operator itself is ready: its own parts are


async def test_round_commit_through_the_cli(settings, token, monkeypatch, capsys):
    for name in ("WELFARE_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WELFARE_OPERATOR_TOKEN", token)
    seed_round(settings, "modena.dry")
    seed_round(settings, "modena.done", dry_run=False)
    async with running(build(settings, KafkaConnection.from_settings(settings))) as url:
        monkeypatch.setenv("WELFARE_OPERATOR_URL", url)
        code = await asyncio.to_thread(main, ["round", "commit", "modena.dry"])
        said = capsys.readouterr().out
        assert code == 0
        assert re.search(r"round \S+ richiesto: conferma la simulazione modena\.dry", said)
        code = await asyncio.to_thread(main, ["round", "commit", "modena.done", "--lang", "en"])
    assert code == 2
    assert "409: round modena.done is not a dry run" in capsys.readouterr().err
