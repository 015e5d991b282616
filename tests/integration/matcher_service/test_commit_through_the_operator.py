"""Committing a reviewed dry run end to end: the operator's API, the broker, the matcher.

The operator reads every round through the matcher's own API (it is given no
matcher database), sends CommitRound, and the matcher publishes the dry run's
contracts as the committed round's awards, or refuses with the reason.
"""

from __future__ import annotations

import contextlib

import httpx
import pytest

from schemas.topics import ASSIGNMENTS
from services.common.auth import Role, issue
from services.common.kafka import KafkaConnection
from services.matcher.adapters import tables as t
from services.operator.bootstrap import build as build_operator
from tests.integration.matcher_service.service import (
    count,
    events_of,
    publish,
    read_topic,
    running_matcher,
    wait_for,
)
from tests.support.services import running
from tests.unit.matcher_service import builders as b

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

WEEKS = "2027-W24..2027-W36"


@contextlib.asynccontextmanager
async def operator_and_matcher(settings, tmp_path):
    settings.tokens_file = tmp_path / "tokens.json"
    token = issue(settings.tokens_file, Role.OPERATOR, "ops-modena")
    async with running_matcher(settings) as matcher:
        wired = settings.model_copy(update={"matcher_url": matcher.url})
        operator = build_operator(wired, KafkaConnection.from_settings(wired))
        async with running(operator) as url, httpx.AsyncClient(
                base_url=url, headers={"Authorization": f"Bearer {token}"},
                timeout=30) as client:
            yield matcher, client


async def finished(client: httpx.AsyncClient, round_id: str) -> dict:
    async def done():
        reply = await client.get(f"/v1/rounds/{round_id}")
        assert reply.status_code == 200, reply.text
        body = reply.json()
        return body if body["status"] in ("completed", "failed") else None

    return await wait_for(done, what=f"round {round_id} to finish")


async def dry_run(client: httpx.AsyncClient) -> dict:
    reply = await client.post("/v1/networks/modena/rounds",
                              json={"weeks": WEEKS, "dry_run": True})
    assert reply.status_code == 202, reply.text
    return await finished(client, reply.json()["round_id"])


async def commit(client: httpx.AsyncClient, dry_run_id: str) -> httpx.Response:
    return await client.post(f"/v1/rounds/{dry_run_id}/commit")


def content(contracts: list[dict]) -> set:
    """What a provider is awarded, whatever the round and contract ids."""
    return {(c["provider_id"], o["offer_id"], o["unit_price_eur"], line["line_id"],
             line["units"]) for c in contracts for o in c["offers"] for line in o["lines"]}


def awarded_content(awards) -> set:
    return {(a.provider_id, o.offer_id, str(o.unit_price_eur), line.line_id, line.units)
            for a in awards for o in a.offers for line in o.lines}


async def test_a_reviewed_dry_run_is_committed_as_it_was(settings, tmp_path):
    bootstrap = settings.kafka_bootstrap
    async with operator_and_matcher(settings, tmp_path) as (matcher, client):
        await publish(bootstrap, *b.small_book())
        await wait_for(lambda: count(matcher.engine, t.demand_lines) == 3, what="the book")
        reviewed = await dry_run(client)
        assert reviewed["status"] == "completed" and reviewed["contracts"]

        reply = await commit(client, reviewed["round_id"])
        assert reply.status_code == 202, reply.text
        assert reply.json()["status"] == "requested"
        committed = await finished(client, reply.json()["round_id"])

        assert committed["status"] == "completed", committed.get("failure_reason")
        assert committed["dry_run"] is False
        assert content(committed["contracts"]) == content(reviewed["contracts"])
        assert all(c["awarded"] for c in committed["contracts"])
        awards = [a for a in events_of(await read_topic(
            bootstrap, ASSIGNMENTS, lambda r: len(r) >= len(reviewed["contracts"])))
            if a.round_id == committed["round_id"]]
        assert awarded_content(awards) == {
            (p, o, str(price), line, units)
            for p, o, price, line, units in content(reviewed["contracts"])}

        # The same dry run again: refused by the matcher, naming the round that took it.
        again = await finished(client, (await commit(client, reviewed["round_id"]))
                               .json()["round_id"])
        assert again["status"] == "failed"
        assert (f"dry run {reviewed['round_id']} is already committed as round "
                f"{committed['round_id']}") in again["failure_reason"]

        # Only a completed dry run can be committed; an unknown round is not found.
        refused = await commit(client, committed["round_id"])
        assert refused.status_code == 409 and refused.json()["code"] == "conflict"
        assert "non è una simulazione" in refused.json()["error"]
        missing = await commit(client, "nowhere")
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"
        assert missing.json()["error"] == "nessun round 'nowhere'"


async def test_a_commit_after_the_book_changed_is_refused(settings, tmp_path):
    bootstrap = settings.kafka_bootstrap
    async with operator_and_matcher(settings, tmp_path) as (matcher, client):
        await publish(bootstrap, *b.small_book())
        await wait_for(lambda: count(matcher.engine, t.demand_lines) == 3, what="the book")
        reviewed = await dry_run(client)
        await publish(bootstrap, b.line("ceramiche.more", "ceramiche", units=1))
        await wait_for(lambda: count(matcher.engine, t.demand_lines) == 4, what="the new line")

        reply = await commit(client, reviewed["round_id"])
        assert reply.status_code == 202, reply.text
        refused = await finished(client, reply.json()["round_id"])

    assert refused["status"] == "failed"
    assert f"the book has changed since dry run {reviewed['round_id']}" in \
        refused["failure_reason"]
    assert refused["contracts"] == []
