"""Supply's use cases refuse in the request's language: Italian unless it asks for English,
with the same ``code`` in both (services/supply/service_layer: providers, offers, answers;
the templates' 404 of services/common/spreadsheets/downloads.py).

SQLite only: the words do not depend on the database."""

from __future__ import annotations

import pytest

from tests.integration.intake.running import auth
from tests.integration.intake.test_refusals_in_language import both, said
from tests.integration.supply.test_offers import OFFER, enrol

pytestmark = [pytest.mark.broker,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

OPERATOR = auth("operator", "ops")
GULLIVER = auth("provider", "coop-gulliver")
AURORA = auth("provider", "coop-aurora")
ROUND = "modena-2027-r1"


async def test_supplys_refusals_are_said_in_italian_and_in_english(supply):
    await enrol(supply)
    await enrol(supply, "coop-aurora")
    mine = "/v1/providers/coop-gulliver/offers/coop-gulliver.camp-carpi"
    assert (await supply.put(mine, json={"offer": OFFER}, headers=GULLIVER)).status_code == 200

    it, en = await both(supply, "GET", "/v1/providers/nobody", OPERATOR)
    assert (it["status"], it["code"]) == (404, "not_found")
    assert said(it) == "il fornitore 'nobody' non è iscritto"
    assert said(en) == "provider 'nobody' is not enrolled"

    it, en = await both(supply, "PUT", "/v1/providers/coop-gulliver", OPERATOR, json={
        "network_id": "bologna", "provider": {"provider_id": "coop-gulliver", "name": "G",
                                              "kind": "social_cooperative"}})
    assert (it["status"], it["code"]) == (409, "conflict")
    assert said(it) == "il fornitore appartiene alla rete 'modena'; spostarlo non è previsto"
    assert said(en) == "the provider belongs to network 'modena'; moving it is not supported"

    it, en = await both(supply, "PUT",
                        "/v1/providers/coop-aurora/offers/coop-gulliver.camp-carpi", AURORA,
                        json={"offer": OFFER})
    assert (it["status"], it["code"]) == (409, "conflict")
    assert said(it) == ("l'id di offerta 'coop-gulliver.camp-carpi' è già usato da un altro "
                        "fornitore")
    assert said(en) == ("offer id 'coop-gulliver.camp-carpi' is already used by another "
                        "provider")

    it, en = await both(supply, "DELETE", "/v1/providers/coop-gulliver/offers/none", GULLIVER)
    assert (it["status"], it["code"]) == (404, "not_found")
    assert said(it) == "il fornitore non ha l'offerta 'none'"
    assert said(en) == "the provider has no offer 'none'"

    answer = f"/v1/providers/coop-gulliver/contracts/{ROUND}:coop-gulliver/answer"
    it, en = await both(supply, "POST", answer, GULLIVER, json={
        "answer": "declined", "round_id": ROUND, "entity_version": 2})
    assert (it["status"], it["code"]) == (422, "invalid")
    assert it["errors"][0]["field"] == "reason"
    reasons = "no_staff, weeks, places, price, group_too_small, other"
    assert said(it) == f"un rifiuto richiede un motivo: uno di {reasons}"
    assert said(en) == f"a decline needs a reason: one of {reasons}"

    it, en = await both(supply, "POST", answer, GULLIVER, json={
        "answer": "accepted", "round_id": "other-round", "entity_version": 2})
    assert (it["status"], it["code"]) == (404, "not_found")
    assert said(it) == (f"il contratto '{ROUND}:coop-gulliver' non è il contratto del fornitore "
                        "'coop-gulliver' nel round 'other-round': controllare contratto e round "
                        "dell'aggiudicazione")
    assert said(en).startswith(f"contract '{ROUND}:coop-gulliver' is not the contract of "
                               "provider 'coop-gulliver' in round 'other-round'")

    it, en = await both(supply, "GET", "/v1/templates/nothing.csv", GULLIVER)
    assert (it["status"], it["code"]) == (404, "not_found")
    assert said(it).startswith("nessun modello 'nothing.csv'; i modelli sono offers.csv")
    assert said(en).startswith("no template 'nothing.csv'; the templates are offers.csv")


async def test_a_new_provider_its_own_token_may_not_enrol_is_refused_in_both_languages(supply):
    body = {"network_id": "modena", "provider": {"provider_id": "coop-aurora", "name": "A",
                                                 "kind": "social_cooperative"}}
    it, en = await both(supply, "PUT", "/v1/providers/coop-aurora", AURORA, json=body)
    assert (it["status"], it["code"]) == (403, "forbidden")
    assert said(it) == "solo un operatore può iscrivere un nuovo fornitore"
    assert said(en) == "only an operator may enrol a new provider"
