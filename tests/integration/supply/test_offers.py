"""Supply on the real broker and both databases: offers in, versioned capacity events out."""

from __future__ import annotations

import pytest

from schemas.topics import CAPACITY, decode
from tests.integration.intake.running import auth, read_topic

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

OPERATOR = auth("operator", "ops")
GULLIVER = auth("provider", "coop-gulliver")
OFFER = {
    "offer_id": "coop-gulliver.camp-carpi", "category": "childcare",
    "municipalities": ["036005", "036040"], "weeks": ["2027-W24", "2027-W25", "2027-W26"],
    "capacity_per_week": 40, "min_group_per_week": 8,
    "price_tiers": [{"min_volume": 0, "unit_price_eur": "150.00"},
                    {"min_volume": 250, "unit_price_eur": "142.50"}],
    "fixed_cost_per_week_eur": "300.00", "tags": ["meals"],
}
PATH = "/v1/providers/coop-gulliver/offers/coop-gulliver.camp-carpi"
HEADER = ("provider_id,offer_id,category,municipalities,weeks,capacity_per_week,"
          "min_group_per_week,price_tiers,fixed_cost_per_week_eur,tags\n")


async def enrol(client, provider_id: str = "coop-gulliver") -> None:
    body = {"network_id": "modena", "provider": {
        "provider_id": provider_id, "name": "Cooperativa Gulliver", "kind": "social_cooperative"}}
    response = await client.put(f"/v1/providers/{provider_id}", json=body, headers=OPERATOR)
    assert response.status_code == 200, response.text


def csv_row(offer_id: str, capacity: str = "40") -> str:
    return (f"coop-gulliver,{offer_id},childcare,036005;036040,2027-W24;2027-W25,{capacity},8,"
            f"0:150.00;250:142.50,300.00,meals\n")


async def test_an_offer_is_published_updated_withdrawn_and_published_again(supply, settings):
    await enrol(supply)
    versions = [
        (await supply.put(PATH, json={"offer": OFFER}, headers=GULLIVER)).json(),
        (await supply.put(PATH, json={"offer": OFFER}, headers=GULLIVER)).json(),  # unchanged
        (await supply.put(PATH, json={"offer": {**OFFER, "capacity_per_week": 45}},
                          headers=GULLIVER)).json(),
        (await supply.delete(PATH, headers=GULLIVER)).json(),
        (await supply.delete(PATH, headers=GULLIVER)).json(),  # already withdrawn
        (await supply.put(PATH, json={"offer": OFFER}, headers=GULLIVER)).json(),
    ]
    assert [(v["entity_version"], v["changed"]) for v in versions] == [
        (1, True), (1, False), (2, True), (3, True), (3, False), (4, True)]

    records = await read_topic(settings.kafka_bootstrap, CAPACITY, expected=5)
    events = [decode(CAPACITY, r.value) for r in records]
    assert all(r.key == b"coop-gulliver" for r in records)
    assert [(e.event_type, e.entity_version) for e in events] == [
        ("ProviderEnrolled", 1), ("CapacityOffered", 1), ("CapacityOffered", 2),
        ("CapacityWithdrawn", 3), ("CapacityOffered", 4)]
    assert events[2].offer.capacity_per_week == 45
    assert events[3].offer_id == OFFER["offer_id"]

    listed = (await supply.get("/v1/providers/coop-gulliver/offers", headers=GULLIVER)).json()
    assert [(o["offer"]["offer_id"], o["entity_version"]) for o in listed] == [
        (OFFER["offer_id"], 4)]


async def test_a_csv_file_is_applied_whole_or_refused_naming_row_and_column(supply, settings):
    await enrol(supply)
    path = "/v1/providers/coop-gulliver/offers.csv"
    bad = HEADER + csv_row("coop-gulliver.a") + csv_row("coop-gulliver.b", "many") + csv_row(
        "coop-gulliver.c")
    refused = await supply.post(path, headers=GULLIVER, files={"file": ("offers.csv", bad)})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["row"] == 3
    assert refused.json()["errors"][0]["field"] == "capacity_per_week"
    assert "riga 3, colonna F (capacity_per_week)" in refused.json()["error"]
    assert (await supply.get("/v1/providers/coop-gulliver/offers", headers=GULLIVER)).json() == []

    good = HEADER + "".join(csv_row(f"coop-gulliver.{x}") for x in "abc")
    first = await supply.post(path, headers=GULLIVER, files={"file": ("offers.csv", good)})
    assert [r["entity_version"] for r in first.json()] == [1, 1, 1]
    again = await supply.post(path, headers=GULLIVER, files={"file": ("offers.csv", good)})
    assert [r["changed"] for r in again.json()] == [False, False, False]
    changed = good.replace(csv_row("coop-gulliver.b"), csv_row("coop-gulliver.b", "12"))
    third = await supply.post(path, headers=GULLIVER, files={"file": ("offers.csv", changed)})
    assert [(r["entity_id"], r["entity_version"]) for r in third.json() if r["changed"]] == [
        ("coop-gulliver.b", 2)]

    records = await read_topic(settings.kafka_bootstrap, CAPACITY, expected=5)
    events = [decode(CAPACITY, r.value) for r in records]
    assert [(e.event_type, e.entity_id, e.entity_version) for e in events[1:]] == [
        ("CapacityOffered", "coop-gulliver.a", 1), ("CapacityOffered", "coop-gulliver.b", 1),
        ("CapacityOffered", "coop-gulliver.c", 1), ("CapacityOffered", "coop-gulliver.b", 2)]


async def test_a_bad_offer_gets_422_naming_the_field(supply):
    await enrol(supply)
    tiers = [{"min_volume": 10, "unit_price_eur": "150.00"}]
    response = await supply.put(PATH, json={"offer": {**OFFER, "price_tiers": tiers}},
                                headers=GULLIVER)
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "body.offer.price_tiers",
        "message": "la prima fascia deve cominciare dal volume minimo 0"}
    other_id = await supply.put(PATH, json={"offer": {**OFFER, "offer_id": "x"}},
                                headers=GULLIVER)
    assert other_id.json()["errors"][0]["field"] == "body.offer.offer_id"
    missing = await supply.put(PATH, json={"offer": {k: v for k, v in OFFER.items()
                                                     if k != "weeks"}}, headers=GULLIVER)
    assert "offer.weeks: è obbligatorio" in missing.json()["error"]
    english = await supply.put(PATH, json={"offer": {k: v for k, v in OFFER.items()
                                                     if k != "weeks"}},
                               headers={**GULLIVER, "Accept-Language": "en"})
    assert "offer.weeks: is required" in english.json()["error"]


async def test_an_operator_reads_every_provider_and_its_offers_at_once(supply):
    await enrol(supply)
    assert (await supply.put(PATH, json={"offer": OFFER}, headers=GULLIVER)).status_code == 200
    everything = await supply.get("/v1/offers", headers=OPERATOR)
    assert everything.status_code == 200
    [gulliver] = everything.json()
    assert gulliver["profile"] == (await supply.get("/v1/providers/coop-gulliver",
                                                    headers=OPERATOR)).json()
    assert gulliver["offers"] == (await supply.get("/v1/providers/coop-gulliver/offers",
                                                   headers=OPERATOR)).json()
    assert [o["offer"]["offer_id"] for o in gulliver["offers"]] == [OFFER["offer_id"]]
    assert (await supply.get("/v1/offers", headers=GULLIVER)).status_code == 403
