"""The operator client's waiting and the round report, without a server."""

from __future__ import annotations

import httpx

from services.operator.client import OperatorClient
from services.operator.report import format_round


def client_answering(states: list[str]) -> OperatorClient:
    replies = iter(states)

    def handler(request: httpx.Request) -> httpx.Response:
        state = next(replies, states[-1])
        return httpx.Response(200, json={"round_id": "r1", "status": state, "dry_run": True})

    client = OperatorClient("http://operator", "token")
    client.http = httpx.Client(base_url="http://operator", transport=httpx.MockTransport(handler))
    return client


def test_wait_reports_each_change_and_ticks_while_nothing_changes():
    client = client_answering(["requested", "running", "running", "running", "completed"])
    changes, ticks = [], []
    final = client.wait("r1", poll_s=0, tick_s=0, on_change=lambda d: changes.append(d["status"]),
                        on_tick=lambda d, s: ticks.append(d["status"]))
    assert final["status"] == "completed"
    assert changes == ["requested", "running", "completed"]
    assert ticks == ["running", "running"]


def test_the_report_puts_the_outcome_first_and_explains_unmet_demand():
    detail = {
        "round_id": "r1", "dry_run": False, "kind": "repair", "status": "completed",
        "outcome": "optimal", "gap": 0.0, "coverage": 0.5, "weighted_coverage": 0.6,
        "total_cost_eur": "1234.50", "pinned": 2, "timings": {"total_s": 3.2, "solve_s": 2.0},
        "firms": [{"firm_id": "f1", "demanded_unit_weeks": 20, "served_unit_weeks": 10,
                   "coverage": 0.5, "cost_eur": "1234.50", "budget_eur": "2000.00"}],
        "contracts": [{"provider_id": "p1", "awarded": True, "response": "accepted",
                       "offers": [{"offer_id": "o1", "lines": [{}]}]}],
        "unmet": [{"reason": "group_below_minimum", "units": 5, "lines": [
            {"units": 5, "firm_id": "f1",
             "change": {"description": "2 more children in week 2027-W27 open offer o2",
                        "offer_id": "o2", "week": "2027-W27", "extra_units": 2}}]}],
    }
    text = format_round(detail, "en").splitlines()
    assert text[0] == "round r1 (committed, repair) completed: the best possible plan"
    assert text[1] == "  coverage: 10 of the 20 unit-weeks asked for (50.0%); priority-weighted 60.0%"
    assert text[2] == "  total cost €1,234.50"
    assert "1 accepted" in text[3] and "2 accepted lines kept" in text[3]
    assert any("too few units to form the provider's minimum group: 5 units" in line
               for line in text)
    assert text[-1].strip() == ("for example: 2 more units in week 27, 5–11 July 2027 "
                                "would open o2")
    assert format_round(detail, "it").splitlines()[0] == (
        "round r1 (definitivo, riassegnazione) completato: il miglior piano possibile")
