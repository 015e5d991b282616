"""The forms of a firm's lines (edit, withdraw) and of a provider's offers (add, edit,
withdraw): what they read, what they refuse in Italian, what they send and to whom.

The services are stand-ins that keep what they are sent, so a test sees exactly
the calls the console made; the browser tests run the same forms against the
real services.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from schemas.capacity import CapacityOffer
from schemas.demand import DemandLine
from services.common.auth import TokenStore, digest
from services.common.http import create_api
from services.common.metrics import ServiceMetrics
from services.console import forms
from services.console.apis import ServiceUrls
from services.console.app import console_app
from services.console.texts import console_texts

IT = console_texts("it")
OFFER = {"offer_id": "camp-carpi", "category": "childcare",
         "municipalities": ["036005", "036023"], "weeks": ["2027-W27", "2027-W28", "2027-W30"],
         "capacity_per_week": 30, "min_group_per_week": 8,
         "price_tiers": [{"min_volume": 0, "unit_price_eur": "120.00"},
                         {"min_volume": 200, "unit_price_eur": "105.50"}],
         "fixed_cost_per_week_eur": "150.00", "tags": ["accessible", "eco_friendly"]}
LINE = {"line_id": "own-1", "category": "home_care", "municipality": "036023",
        "weeks": ["2027-W27", "2027-W28"], "units": 6, "max_unit_price_eur": "25.50",
        "priority": 3, "required_tags": ["dementia_care"], "payer": "municipality",
        "respondents": 14}
GOOD_OFFER_FORM = {"offer_id": "new-camp", "category": "childcare",
                   "municipalities": "Modena; 36005", "weeks": "2027-W27..2027-W29",
                   "capacity_per_week": "20", "min_group_per_week": "5",
                   "tier_volume_0": "", "tier_price_0": "12,50",
                   "tier_volume_1": "100", "tier_price_1": "1.010,00",
                   "fixed_cost_per_week_eur": "", "tags": ["meals"], "other_tags": ""}


# --- the forms alone ------------------------------------------------------------------
def test_an_offer_form_reads_names_codes_ranges_and_italian_amounts():
    result, offer = forms.offer(IT, dict(GOOD_OFFER_FORM))
    assert result.errors == {}
    assert offer == {"offer_id": "new-camp", "category": "childcare",
                     "municipalities": ["036005", "036023"],
                     "weeks": ["2027-W27", "2027-W28", "2027-W29"], "capacity_per_week": 20,
                     "min_group_per_week": 5,
                     "price_tiers": [{"min_volume": 0, "unit_price_eur": "12.50"},
                                     {"min_volume": 100, "unit_price_eur": "1010.00"}],
                     "fixed_cost_per_week_eur": "0.00", "tags": ["meals"]}
    CapacityOffer.model_validate(offer)  # what supply would take


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"tier_price_0": "abc"}, "tier_price_0", "deve essere un importo in euro, ad esempio 12,50"),
    ({"min_group_per_week": "25"}, "min_group_per_week",
     "non può superare i posti per settimana (20)"),
    ({"municipalities": "Modena; Mdena"}, "municipalities",
     "«Mdena»: non è né un codice ISTAT né il nome di un comune"),
    ({"municipalities": "Castro"}, "municipalities", "scrivere il codice ISTAT o la provincia"),
    ({"municipalities": "Modena\r\nMdena"}, "municipalities", "«Mdena»: non è né"),
    ({"weeks": "2027-W30..2027-W27"}, "weeks", "l'intervallo finisce prima di cominciare"),
    ({"tier_price_0": "", "tier_volume_1": "", "tier_price_1": ""}, "tier_price_0",
     "scrivi almeno un prezzo"),
    ({"tier_volume_0": "10"}, "tier_volume_0", "il primo prezzo deve valere da 0"),
    ({"tier_volume_1": "0"}, "tier_volume_1", "deve essere più della riga sopra (0)"),
    ({"tier_price_1": ""}, "tier_price_1", "scrivi il prezzo per unità-settimana"),
    ({"capacity_per_week": "0"}, "capacity_per_week", "deve essere un numero intero da 1"),
    ({"other_tags": "Eco Friendly!"}, "other_tags", "friendly!: un'etichetta ha"),
    ({"category": "pets"}, "category", "scegli uno dei servizi"),
])
def test_a_bad_offer_field_is_named_in_italian_and_nothing_is_made(change, field, words):
    typed = {**GOOD_OFFER_FORM, **change}
    result, offer = forms.offer(IT, typed)
    assert offer is None
    assert field in result.errors, result.errors
    assert words in result.errors[field]
    assert {k: v for k, v in result.values.items() if k in change} == \
        {k: v for k, v in change.items() if not (k == "tier_volume_0" and v == "")}


def test_an_offer_and_a_line_come_back_from_their_forms_unchanged():
    """Editing shows the stored values; saving them untouched sends the same offer or line
    (weeks with a gap, tags the catalogue does not know, the payer, all kept)."""
    for language in ("it", "en"):
        t = console_texts(language)
        result, offer = forms.offer(t, forms.offer_form(t, OFFER), offer_id="camp-carpi")
        assert result.errors == {}
        assert CapacityOffer.model_validate(offer) == CapacityOffer.model_validate(OFFER)
        result, line = forms.demand_line(t, forms.line_form(t, LINE), line_id="own-1")
        assert result.errors == {}
        assert DemandLine.model_validate(line) == DemandLine.model_validate(LINE)
    shown = forms.offer_form(IT, OFFER)
    assert shown["municipalities"] == "Carpi (036005); Modena (036023)"
    assert shown["weeks"] == "2027-W27..2027-W28; 2027-W30"
    assert shown["tier_price_1"] == "105,50" and shown["other_tags"] == "eco_friendly"


def test_editing_keeps_the_code_of_the_page_not_the_form():
    _, line = forms.demand_line(IT, {**forms.line_form(IT, LINE), "line_id": "other"},
                                line_id="own-1")
    assert line["line_id"] == "own-1"
    _, offer = forms.offer(IT, {**forms.offer_form(IT, OFFER), "offer_id": "x"},
                           offer_id="camp-carpi")
    assert offer["offer_id"] == "camp-carpi"


# --- the routes, against stand-in services --------------------------------------------
class Services:
    """Intake and supply as far as these forms need them; every write is recorded."""

    def __init__(self) -> None:
        self.lines = {"own-1": ("firm", dict(LINE)),
                      "from-survey": ("survey", {**LINE, "line_id": "from-survey"})}
        self.offers = {"camp-carpi": dict(OFFER)}
        self.writes: list[tuple[str, str, dict | None]] = []
        self.refuse: str | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        body = json.loads(request.content) if request.content else None
        if method in ("PUT", "DELETE"):
            self.writes.append((method, path, body))
            if self.refuse:
                return httpx.Response(422, json={"errors": [
                    {"field": "body.offer", "message": self.refuse}]})
        parts = path.split("/")
        if request.url.host == "operator":  # no committed round yet: no outcome, no award
            return (httpx.Response(200, json=[]) if path.endswith("/awards") else
                    httpx.Response(404, json={"error": "no committed round"}))
        if path.startswith("/v1/firms/"):
            if path.endswith("/demand"):
                return httpx.Response(200, json={"firm_id": parts[3], "withheld_answers": 0,
                                                 "survey_answers": 20, "lines": [
                    {"line": line, "entity_version": 1, "source": source}
                    for source, line in self.lines.values()]})
            if "/demand/" in path:
                if method == "DELETE":
                    self.lines.pop(parts[5], None)
                else:
                    self.lines[parts[5]] = ("firm", body["line"])
                return httpx.Response(200, json={"entity_id": parts[5], "entity_version": 2,
                                                 "changed": True})
            return httpx.Response(200, json={"network_id": "modena", "entity_version": 1,
                                             "firm": {"firm_id": parts[3], "name": "Ceramiche",
                                                      "welfare_budget_eur": "1000.00"}})
        if path.startswith("/v1/providers/"):
            if path.endswith("/offers"):
                return httpx.Response(200, json=[{"offer": o, "entity_version": 1}
                                                 for o in self.offers.values()])
            if "/offers/" in path:
                if method == "DELETE":
                    self.offers.pop(parts[5], None)
                else:
                    self.offers[parts[5]] = body["offer"]
                return httpx.Response(200, json={"entity_id": parts[5], "entity_version": 2,
                                                 "changed": True})
            return httpx.Response(200, json={"network_id": "modena", "entity_version": 1,
                                             "provider": {"provider_id": parts[3],
                                                          "name": "Coop Sole"}})
        return httpx.Response(404, json={"error": "not here"})


TOKENS = {"firm-token": ("firm", "firm-a"), "coop-token": ("provider", "coop-a")}


def console(services: Services) -> TestClient:
    app = create_api(title="t", description="t", metrics=ServiceMetrics(
        CollectorRegistry(), "console"), checks={})
    console_app(app, tokens=TokenStore([{"sha256": digest(token), "role": role,
                                         "subject": subject}
                                        for token, (role, subject) in TOKENS.items()]),
                urls=ServiceUrls("http://intake", "http://supply", "http://operator"),
                secret="test-secret",
                client=httpx.AsyncClient(transport=httpx.MockTransport(services)))
    return TestClient(app)


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]


def logged_in(services: Services, token: str, home: str) -> tuple[TestClient, str]:
    client = console(services)
    answer = client.post("/login", follow_redirects=False, data={
        "csrf": csrf(client.get("/login").text), "token": token, "next": "/"})
    assert answer.status_code == 303
    return client, csrf(client.get(home).text)


def field_value(page: str, name: str) -> str:
    found = re.search(rf'<input [^>]*name="{name}"[^>]* value="([^"]*)"', page) or \
        re.search(rf'<textarea [^>]*name="{name}"[^>]*>([^<]*)</textarea>', page)
    return found[1]


def test_a_firm_edits_its_line_from_a_filled_form_and_withdraws_it_after_asking():
    services = Services()
    client, token = logged_in(services, "firm-token", "/firms/firm-a")
    page = client.get("/firms/firm-a").text
    assert 'href="/firms/firm-a/lines/own-1"' in page
    assert 'href="/firms/firm-a/lines/from-survey"' not in page  # the survey's: intake's

    edit = client.get("/firms/firm-a/lines/own-1").text
    assert field_value(edit, "max_unit_price_eur") == "25,50"
    assert 'value="municipality" selected' in edit and 'value="dementia_care" checked' in edit
    form = {**forms.line_form(IT, LINE), "units": "9", "csrf": token}
    form.pop("line_id")
    assert client.post("/firms/firm-a/lines/own-1", data={**form, "csrf": ""}
                       ).status_code == 403
    assert services.writes == []
    answer = client.post("/firms/firm-a/lines/own-1", data=form, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("?saved=own-1")
    (method, path, body), = services.writes
    assert (method, path) == ("PUT", "/v1/firms/firm-a/demand/own-1")
    assert body["line"] == {**LINE, "units": 9, "max_unit_price_eur": "25.50"}

    bad = client.post("/firms/firm-a/lines/own-1", data={**form, "units": "nove"})
    assert bad.status_code == 422 and len(services.writes) == 1
    assert "Unità per settimana: deve essere un numero intero" in bad.text
    assert field_value(bad.text, "units") == "nove"

    confirm = client.get("/firms/firm-a/lines/own-1/withdraw").text
    assert "Ritirare la riga own-1?" in confirm and "Ritira la riga own-1" in confirm
    assert len(services.writes) == 1  # asking withdraws nothing
    assert client.post("/firms/firm-a/lines/own-1/withdraw", data={}).status_code == 403
    answer = client.post("/firms/firm-a/lines/own-1/withdraw", data={"csrf": token},
                         follow_redirects=False)
    assert answer.headers["location"].endswith("?withdrawn=own-1")
    assert services.writes[-1] == ("DELETE", "/v1/firms/firm-a/demand/own-1", None)
    assert "Riga own-1 ritirata" in client.get(answer.headers["location"]).text


def test_a_survey_line_and_another_firms_line_are_not_the_firms_to_change():
    services = Services()
    client, token = logged_in(services, "firm-token", "/firms/firm-a")
    assert client.get("/firms/firm-a/lines/from-survey").status_code == 404
    assert client.post("/firms/firm-a/lines/from-survey/withdraw",
                       data={"csrf": token}).status_code == 404
    assert client.post("/firms/firm-b/lines/own-1/withdraw",
                       data={"csrf": token}).status_code == 403
    assert client.post("/providers/coop-a/offers/camp-carpi/withdraw",
                       data={"csrf": token}).status_code == 403
    assert services.writes == []


def test_a_provider_adds_edits_and_withdraws_an_offer_through_its_forms():
    services = Services()
    client, token = logged_in(services, "coop-token", "/providers/coop-a")
    page = client.get("/providers/coop-a").text
    assert 'href="/providers/coop-a/offers/camp-carpi"' in page
    assert 'href="/providers/coop-a/offers/camp-carpi/withdraw"' in page

    bad = client.post("/providers/coop-a/offers", data={
        **GOOD_OFFER_FORM, "tier_price_0": "abc", "csrf": token})
    assert bad.status_code == 422 and services.writes == []
    assert "Riga di prezzo 1: prezzo per unità-settimana (€): deve essere un importo" in bad.text
    assert field_value(bad.text, "tier_price_0") == "abc"
    assert field_value(bad.text, "municipalities") == "Modena; 36005"  # kept as typed
    taken = client.post("/providers/coop-a/offers", data={
        **GOOD_OFFER_FORM, "offer_id": "camp-carpi", "csrf": token})
    assert "hai già un&#39;offerta con questo codice" in taken.text and services.writes == []

    added = client.post("/providers/coop-a/offers", data={**GOOD_OFFER_FORM, "csrf": token},
                        follow_redirects=False)
    assert added.headers["location"].endswith("?offer_saved=new-camp#offers-h")
    method, path, body = services.writes[-1]
    assert (method, path) == ("PUT", "/v1/providers/coop-a/offers/new-camp")
    assert body["offer"]["price_tiers"][1] == {"min_volume": 100, "unit_price_eur": "1010.00"}

    edit = client.get("/providers/coop-a/offers/camp-carpi").text
    assert field_value(edit, "weeks") == "2027-W27..2027-W28; 2027-W30"
    form = {**forms.offer_form(IT, OFFER), "capacity_per_week": "40", "csrf": token}
    client.post("/providers/coop-a/offers/camp-carpi", data=form)
    assert services.writes[-1][2]["offer"] == {**OFFER, "capacity_per_week": 40}

    services.refuse = "il servizio rifiuta questa offerta"
    refused = client.post("/providers/coop-a/offers/camp-carpi", data=form)
    assert refused.status_code == 422
    assert "il servizio delle offerte l&#39;ha rifiutata" in refused.text
    assert "il servizio rifiuta questa offerta" in refused.text
    services.refuse = None

    assert "Ritirare l&#39;offerta camp-carpi?" in client.get(
        "/providers/coop-a/offers/camp-carpi/withdraw").text
    gone = client.post("/providers/coop-a/offers/camp-carpi/withdraw", data={"csrf": token},
                       follow_redirects=False)
    assert services.writes[-1] == ("DELETE", "/v1/providers/coop-a/offers/camp-carpi", None)
    assert "Offerta camp-carpi ritirata" in client.get(gone.headers["location"]).text
    assert client.get("/providers/coop-a/offers/camp-carpi").status_code == 404


def test_municipalities_one_a_line_read_as_well_as_separated_by_semicolons():
    result, offer = forms.offer(IT, {**GOOD_OFFER_FORM,
                                     "municipalities": "Modena\r\nCarpi (036005)\r\n036013"})
    assert result.errors == {} and offer["municipalities"] == ["036005", "036013", "036023"]


def test_editing_a_line_with_gaps_in_its_weeks_says_the_form_fills_them():
    services = Services()
    services.lines["own-1"] = ("firm", {**LINE, "weeks": ["2027-W27", "2027-W29"]})
    client, _ = logged_in(services, "firm-token", "/firms/firm-a")
    page = client.get("/firms/firm-a/lines/own-1").text
    assert "Questa riga vale solo in alcune settimane (2027-W27; 2027-W29)" in page
    services.lines["own-1"] = ("firm", dict(LINE))
    assert "vale solo in alcune settimane" not in client.get("/firms/firm-a/lines/own-1").text
