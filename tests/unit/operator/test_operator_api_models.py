"""The operator API's typed answers: its OpenAPI names a schema for every answer and every
refusal, and what the matcher relays reaches the client as the matcher wrote it."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from services.common.auth import Principal, Role
from services.common.http import create_api
from services.common.metrics import ServiceMetrics
from services.operator.api import operator_router
from services.operator.client import OperatorApiError, OperatorClient

DETAIL = {
    "round_id": "modena.r1", "network_id": "modena", "first_week": "2027-W24",
    "last_week": "2027-W36", "dry_run": True, "kind": "plain", "status": "completed",
    "outcome": "optimal", "requested_by": "ops", "requested_at": "2027-01-10T09:00:00Z",
    "started_at": "2027-01-10T09:00:01Z", "finished_at": "2027-01-10T09:00:05Z",
    "input_hash": "ab" * 32, "demand_lines": 2, "offers": 1, "coverage": 0.5,
    "weighted_coverage": 0.625, "total_cost_eur": "1234.50", "contract_count": 1,
    "failure_reason": None, "parameters": {"time_limit_s": 30}, "attempts": 1,
    "solver": "cp-sat", "objective": 1.5, "bound": 1.5, "gap": 0.0, "message": None,
    "pinned": 0, "excluded": 0, "summary": {"coverage": 0.5, "anything": [1, 2]},
    "timings": {"snapshot_s": 0.1, "solve_s": 2.0, "solver_build_s": None,
                "solver_solve_s": 1.5, "total_s": 3.2},
    "firms": [{"firm_id": "f1", "firm_name": None, "demanded_unit_weeks": 20,
               "served_unit_weeks": 10, "coverage": 0.5, "cost_eur": "1234.50",
               "budget_eur": "2000.00"}],
    "contracts": [{"contract_id": "modena.r1:p1", "provider_id": "p1", "provider_name": "P",
                   "awarded": False, "award_event_id": None, "unit_cost_eur": "1000.00",
                   "fixed_cost_eur": "234.50", "response": None, "declined_pairs": [],
                   "offers": [{"offer_id": "o1", "tier_index": 0, "lines": []}]}],
    "unmet": [{"reason": "no_provider_in_area", "units": 1, "unit_weeks": 10,
               "lines": [{"line_id": "l2", "firm_id": "f1", "change": None}]}],
    "phase": "solving", "part": 1, "parts": 3, "phase_since": "2027-01-10T09:00:02Z",
    "a_field_the_matcher_adds_later": {"kept": True},
}
REQUESTED = {"round_id": "modena.r2", "network_id": "modena", "status": "requested",
             "dry_run": False, "command_sent": False, "commits_round_id": "modena.r1"}
OUTCOME = {"round_id": "modena.r1", "network_id": "modena", "first_week": "2027-W24",
           "last_week": "2027-W36", "finished_at": "2027-01-10T09:00:05Z", "firm_id": "f1",
           "firm_name": "Firm", "spend_eur": "10.00", "budget_eur": "20.00", "coverage": 0.5,
           "lines": [{"line_id": "l1", "category": "childcare", "municipality": "036023",
                      "municipality_name": "Modena (MO)", "weeks": ["2027-W24"], "units": 1,
                      "served": [{"provider_id": "p1", "provider_name": None,
                                  "offer_id": "o1", "weeks": ["2027-W24"], "units": 1,
                                  "unit_weeks": 1, "unit_price_eur": "10.00",
                                  "cost_eur": "10.00", "pinned": False}],
                      "unserved": None}]}
CHANGES = {"round_id": "modena.r1", "compared_with_round_id": None, "kept": [],
           "amended": [], "withdrawn": [],
           "new": [{"provider_id": "p1", "provider_name": None, "contract_id": "modena.r1:p1",
                    "held_contract_id": None, "held_response": None, "lines": 2}]}
AWARDS = [{"contract_id": "modena.r1:p1", "round_id": "modena.r1", "network_id": "modena",
           "committed_at": "2027-01-10T09:00:05Z", "status": "awaiting", "answerable": True,
           "answer_contract_id": "modena.r1:p1", "answer_round_id": "modena.r1",
           "next_version": 2, "reason": None, "response": None, "answered_at": None,
           "replaced_by_round_id": None, "cost_eur": "10.00",
           "offers": [{"offer_id": "o1", "tier_index": 0, "unit_price_eur": "10.00",
                       "lines": []}]}]


class Rounds:
    """The matcher's answers, as its read API sends them (JSON)."""

    async def list_rounds(self, token, network, limit):
        return [{k: v for k, v in DETAIL.items()
                 if k in ("round_id", "network_id", "status", "dry_run", "coverage",
                          "total_cost_eur", "requested_at", "a_field_the_matcher_adds_later")}]

    async def get_round(self, token, round_id):
        return {"modena.r1": DETAIL, "modena.r2": REQUESTED}.get(round_id)

    async def round_as_sent(self, token, round_id):
        return await self.get_round(token, round_id)

    async def network_known(self, token, network):
        return False

    async def firm_outcome(self, token, firm_id):
        return OUTCOME if firm_id == "f1" else None

    async def provider_awards(self, token, provider_id):
        return AWARDS

    async def round_changes(self, token, round_id):
        return CHANGES


def operator_app(role: Role = Role.OPERATOR):
    app = create_api(title="operator", description="d", checks={},
                     metrics=ServiceMetrics(CollectorRegistry(), "operator"))
    app.include_router(operator_router(
        authenticate=lambda: Principal(role, "f1" if role == Role.FIRM else "ops"),
        engine=None, outbox=None, rounds=Rounds(), on_queued=lambda: None))
    return app


@pytest.fixture
def client():
    return TestClient(operator_app(), headers={"Authorization": "Bearer t"})


@pytest.mark.parametrize(("path", "sent"), [
    ("/v1/rounds/modena.r1", DETAIL),
    ("/v1/rounds/modena.r2", REQUESTED),
    ("/v1/firms/f1/outcome", OUTCOME),
    ("/v1/rounds/modena.r1/changes", CHANGES),
    ("/v1/providers/p1/awards", AWARDS),
])
def test_what_the_matcher_sends_reaches_the_client_unchanged(client, path, sent):
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.json() == sent


def test_the_rounds_list_keeps_every_field_and_invents_none(client):
    assert client.get("/v1/rounds").json() == [{
        "round_id": "modena.r1", "network_id": "modena", "status": "completed",
        "dry_run": True, "coverage": 0.5, "total_cost_eur": "1234.50",
        "requested_at": "2027-01-10T09:00:00Z", "a_field_the_matcher_adds_later": {"kept": True}}]


def test_the_openapi_names_a_schema_for_every_answer_and_refusal():
    spec = TestClient(operator_app()).get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    routes = [(path, method, operation) for path, methods in spec["paths"].items()
              if path.startswith("/v1/") for method, operation in methods.items()]
    assert len(routes) >= 7
    for path, method, operation in routes:
        success = next(code for code in operation["responses"] if code.startswith("2"))
        schema = operation["responses"][success]["content"]["application/json"]["schema"]
        named = schema.get("$ref") or schema.get("items", {}).get("$ref")
        assert named, (path, method, schema)
        assert schemas[named.rsplit("/", 1)[1]]["properties"], (path, method)
        for refusal in ("401", "403", "404", "409", "422"):
            said = operation["responses"][refusal]["content"]["application/json"]["schema"]
            assert said["$ref"].endswith(("/Refusal", "/HTTPValidationError")), (path, refusal)
    assert "code" in schemas["Refusal"]["properties"]
    detail = schemas["RoundDetail"]["properties"]
    assert {"phase", "part", "parts", "phase_since", "contracts", "unmet"} <= set(detail)
    assert schemas["RoundDetail"].get("additionalProperties") is True


def test_the_operator_client_asks_in_the_persons_language(monkeypatch):
    for name in ("WELFARE_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    app = operator_app(Role.FIRM)  # a firm's token: the operator's routes refuse it
    said = {}
    for language in (None, "en"):
        client = OperatorClient("http://operator", "t", language=language)
        client.http = TestClient(app, base_url="http://operator",
                                 headers=dict(client.http.headers))
        with pytest.raises(OperatorApiError) as refused:
            client.list_rounds()
        said[language] = str(refused.value)
    assert said == {None: "403: solo gli operatori possono farlo",
                    "en": "403: only operators may do this"}
    monkeypatch.setenv("WELFARE_LOCALE", "en")
    assert OperatorClient("http://operator", "t").http.headers["accept-language"] == "en"
    assert isinstance(OperatorClient("http://o", "t").http, httpx.Client)
