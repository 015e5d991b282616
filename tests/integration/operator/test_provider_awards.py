"""``GET /v1/providers/{provider_id}/awards`` and ``GET /v1/rounds/{round_id}/changes``:
a provider reads its awards and where each stands through the operator, which asks the
matcher's read API with the provider's token; rounds solved for real on a small book.
"""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import CollectorRegistry

from services.common.auth import Role, issue
from services.common.consumer import Inbox
from services.common.database import database_url, make_engine
from services.common.kafka import KafkaConnection
from services.common.metrics import ServiceMetrics
from services.matcher.adapters import tables
from services.matcher.bootstrap import NAME
from services.matcher.service_layer.handlers import Handlers
from services.operator.bootstrap import build
from tests.integration.operator.test_firm_outcome import run_round
from tests.support.services import running
from tests.unit.matcher_service import builders as b

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


async def answer(settings, event) -> None:
    """A provider's answer applied as the matcher's consumer applies it."""
    engine = make_engine(database_url(settings, NAME))
    try:
        await Handlers(engine, Inbox(tables.processed_events),
                       ServiceMetrics(CollectorRegistry(), NAME)).response(event)
    finally:
        engine.dispose()


async def test_a_provider_reads_its_awards_and_their_status_round_after_round(settings):
    gulliver = issue(settings.tokens_file, Role.PROVIDER, "gulliver")
    aurora = issue(settings.tokens_file, Role.PROVIDER, "aurora")
    operator = issue(settings.tokens_file, Role.OPERATOR, "ops-modena")
    async with running(build(settings, KafkaConnection.from_settings(settings))) as url, \
            httpx.AsyncClient(base_url=url) as client:
        async def get(token: str, path: str) -> httpx.Response:
            return await client.get(path, headers={"Authorization": f"Bearer {token}"})

        await run_round(settings, "modena.r1", dry_run=False, book=b.small_book())
        first = (await get(gulliver, "/v1/providers/gulliver/awards")).json()
        by_operator = await get(operator, "/v1/providers/gulliver/awards")
        not_mine = await get(aurora, "/v1/providers/gulliver/awards")
        await answer(settings, b.accepted("modena.r1", "gulliver"))
        await answer(settings, b.declined("modena.r1", "aurora"))
        answered = {p: (await get(tok, f"/v1/providers/{p}/awards")).json()
                    for p, tok in (("gulliver", gulliver), ("aurora", aurora))}
        await run_round(settings, "modena.r2", dry_run=False)  # the repair round
        repaired = {p: (await get(tok, f"/v1/providers/{p}/awards")).json()
                    for p, tok in (("gulliver", gulliver), ("aurora", aurora))}
        changes = await get(operator, "/v1/rounds/modena.r2/changes")
        changes_for_provider = await get(gulliver, "/v1/rounds/modena.r2/changes")
        # More demand gulliver's camp can take: the next round amends its contract.
        await run_round(settings, "modena.r3", dry_run=False,
                        book=[b.line("ceramiche.camp2", "ceramiche", units=3)])
        amended = (await get(gulliver, "/v1/providers/gulliver/awards")).json()

    assert not_mine.status_code == 403 and by_operator.json() == first
    award, = first
    assert (award["contract_id"], award["status"], award["answerable"]) == (
        "modena.r1:gulliver", "awaiting", True)
    assert (award["answer_contract_id"], award["answer_round_id"], award["next_version"]) == (
        "modena.r1:gulliver", "modena.r1", 2)
    lines = {(x["firm_id"], x["firm_name"], x["line_id"], x["category"], x["units"])
             for o in award["offers"] for x in o["lines"]}
    assert lines == {("ceramiche", "Ceramiche", "ceramiche.camp", "childcare", 6),
                     ("tessile", "Tessile", "tessile.camp", "childcare", 4)}
    assert all(x["municipality"] and x["municipality_name"] and x["weeks"]
               for o in award["offers"] for x in o["lines"])

    assert [a["status"] for a in answered["gulliver"]] == ["accepted"]
    declined, = answered["aurora"]
    assert (declined["status"], declined["reason"], declined["next_version"]) == (
        "declined", "no staff", 3)

    # The repair round keeps gulliver's accepted contract: listed once, as r2's, still
    # accepted and answered under the id gulliver was told; aurora's is withdrawn.
    kept, = repaired["gulliver"]
    assert (kept["contract_id"], kept["status"], kept["answer_contract_id"]) == (
        "modena.r2:gulliver", "accepted", "modena.r1:gulliver")
    dropped, = repaired["aurora"]
    assert (dropped["contract_id"], dropped["status"], dropped["answerable"]) == (
        "modena.r1:aurora", "withdrawn", False)
    assert (dropped["response"], dropped["reason"]) == ("declined", "no staff")
    assert changes_for_provider.status_code == 403
    body = changes.json()
    assert body["compared_with_round_id"] == "modena.r1"
    assert [(c["provider_id"], c["held_response"]) for c in body["kept"]] == [
        ("gulliver", "accepted")]
    assert [(c["provider_id"], c["held_response"]) for c in body["withdrawn"]] == [
        ("aurora", "declined")]
    assert body["amended"] == [] and body["new"] == []

    # r3 changed it: an amendment to answer, under its own id; the award it replaced
    # (r1's, which r2 kept) is listed once, superseded, with nothing to answer.
    assert [(a["contract_id"], a["status"], a["answerable"], a["answer_contract_id"])
            for a in amended] == [
        ("modena.r3:gulliver", "amended", True, "modena.r3:gulliver"),
        ("modena.r1:gulliver", "superseded", False, "modena.r1:gulliver")]
    assert amended[0]["next_version"] == 2
    assert amended[1]["replaced_by_round_id"] == "modena.r3"
