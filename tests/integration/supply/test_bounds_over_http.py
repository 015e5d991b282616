"""Supply over HTTP on both databases: offers beyond any real network are refused naming
the field, and a provider has at most so many offers."""

from __future__ import annotations

import pytest

from schemas.types import istat_codes
from tests.integration.intake.running import auth
from tests.integration.supply.test_offers import HEADER, OFFER, PATH, csv_row, enrol

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

GULLIVER = auth("provider", "coop-gulliver")


# In Italian, as the request asks for no other language.
@pytest.mark.parametrize(("change", "field", "words"), [
    ({"municipalities": (sorted(istat_codes()) * 20)[:150_000]}, "body.offer.municipalities",
     "al massimo 8000 valori"),
    ({"municipalities": ["036005", "999999"]}, "body.offer.municipalities.1",
     "non è nell'elenco ISTAT"),
    ({"municipalities": ["\u0660\u0663\u0666\u0660\u0660\u0665"]},
     "body.offer.municipalities.0", "non è un codice ISTAT di comune"),
    ({"capacity_per_week": 10**30}, "body.offer.capacity_per_week", "deve essere al massimo"),
    ({"price_tiers": [{"min_volume": 0, "unit_price_eur": "30000000"}]},
     "body.offer.price_tiers.0.unit_price_eur", "al massimo 100.000,00 EUR"),
])
async def test_an_offer_beyond_any_real_network_is_refused_naming_the_field(supply, change,
                                                                            field, words):
    await enrol(supply)
    response = await supply.put(PATH, json={"offer": {**OFFER, **change}}, headers=GULLIVER)
    assert response.status_code == 422, response.text[:500]
    error = response.json()["errors"][0]
    assert error["field"] == field and words in error["message"], error
    after = await supply.get("/v1/providers/coop-gulliver/offers", headers=GULLIVER)
    assert after.status_code == 200 and after.json() == []


async def test_a_csv_offer_in_no_real_municipality_is_refused_naming_row_and_column(supply):
    await enrol(supply)
    bad = csv_row("coop-gulliver.camp-a").replace("036005;036040", "036005;999999")
    refused = await supply.post("/v1/providers/coop-gulliver/offers.csv", headers=GULLIVER,
                                files={"file": ("offers.csv", HEADER + bad)})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["row"] == 2
    assert refused.json()["errors"][0]["field"] == "municipalities"


async def test_a_provider_has_at_most_so_many_offers(supply, monkeypatch):
    monkeypatch.setattr("services.supply.service_layer.offers.MAX_OFFERS_PER_PROVIDER", 1)
    await enrol(supply)
    assert (await supply.put(PATH, json={"offer": OFFER}, headers=GULLIVER)).status_code == 200
    rows = csv_row("coop-gulliver.camp-b")
    refused = await supply.post("/v1/providers/coop-gulliver/offers.csv", headers=GULLIVER,
                                files={"file": ("offers.csv", HEADER + rows)})
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid"
    assert refused.json()["errors"] == [{"field": "offers", "message":
                                         "il fornitore avrebbe 2 offerte; un fornitore può "
                                         "averne al massimo 1 (ritirarne prima alcune)"}]
