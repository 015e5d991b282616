"""Who may do what on supply: 401 without a valid token, 403 outside one's own offers."""

from __future__ import annotations

import pytest

from schemas.topics import CAPACITY, decode
from tests.integration.intake.running import auth, read_topic
from tests.integration.supply.test_offers import HEADER, OFFER, PATH, csv_row, enrol

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

PROFILE = {"network_id": "modena", "provider": {
    "provider_id": "coop-gulliver", "name": "Cooperativa Gulliver", "kind": "social_cooperative"}}
GULLIVER_ROUTES = [
    ("PUT", "/v1/providers/coop-gulliver", {"json": PROFILE}),
    ("GET", "/v1/providers/coop-gulliver", {}),
    ("GET", "/v1/providers/coop-gulliver/offers", {}),
    ("PUT", PATH, {"json": {"offer": OFFER}}),
    ("DELETE", PATH, {}),
    ("POST", "/v1/providers/coop-gulliver/offers.csv",
     {"files": {"file": ("offers.csv", HEADER + csv_row("coop-gulliver.a"))}}),
]


async def test_every_route_needs_a_valid_bearer_token(supply):
    for method, path, kwargs in [*GULLIVER_ROUTES, ("GET", "/v1/providers", {})]:
        missing = await supply.request(method, path, **kwargs)
        wrong = await supply.request(method, path, headers={"Authorization": "Bearer x"},
                                     **kwargs)
        assert (missing.status_code, wrong.status_code) == (401, 401), (method, path)


async def test_callers_are_refused_what_their_role_and_identity_do_not_allow(supply, settings):
    await enrol(supply)
    for caller in (auth("provider", "coop-aurora"), auth("firm", "acme")):
        for method, path, kwargs in GULLIVER_ROUTES:
            response = await supply.request(method, path, headers=caller, **kwargs)
            assert response.status_code == 403, (caller, method, path, response.text)

    gulliver = auth("provider", "coop-gulliver")
    aurora = {**PROFILE, "provider": {**PROFILE["provider"], "provider_id": "coop-aurora"}}
    # Operator actions: enrolling a provider, listing providers.
    assert (await supply.put("/v1/providers/coop-aurora", json=aurora,
                             headers=auth("provider", "coop-aurora"))).status_code == 403
    assert (await supply.get("/v1/providers", headers=gulliver)).status_code == 403
    assert (await supply.get("/v1/providers", headers=auth("firm", "acme"))).status_code == 403

    # An offer id is one provider's: another may not take it over.
    assert (await supply.put(PATH, json={"offer": OFFER}, headers=gulliver)).status_code == 200
    assert (await supply.put("/v1/providers/coop-aurora", json=aurora,
                             headers=auth("operator", "ops"))).status_code == 200
    taken = await supply.put(f"/v1/providers/coop-aurora/offers/{OFFER['offer_id']}",
                             json={"offer": OFFER}, headers=auth("provider", "coop-aurora"))
    assert taken.status_code == 409

    records = await read_topic(settings.kafka_bootstrap, CAPACITY, expected=3)
    by_key = {}  # order holds within a key (one partition), not across keys
    for record in records:
        by_key.setdefault(record.key, []).append(decode(CAPACITY, record.value).event_type)
    assert by_key == {b"coop-gulliver": ["ProviderEnrolled", "CapacityOffered"],
                      b"coop-aurora": ["ProviderEnrolled"]}
