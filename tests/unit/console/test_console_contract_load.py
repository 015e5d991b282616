"""The round report's contracts by provider: pooled firms, tier and price in the locale,
and each contract's weekly load drawn against its offer's capacity and minimum group,
with the same figures in a table.

The chart and the grouping are pure functions over what the operator API answers
(hand-made details here); the page is read over HTTP with the console's TestClient
and a stand-in answering for intake, supply and the operator.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from services.common.auth import TokenStore, digest
from services.common.http import create_api
from services.common.metrics import ServiceMetrics
from services.console.apis import ServiceUrls
from services.console.app import console_app
from services.console.charts import WeekLoad, load_chart
from services.console.network import Network, forget
from services.console.report import OPEN_PROVIDERS, build_report, contract_weeks
from services.console.texts import console_texts

IT, EN = console_texts("it"), console_texts("en")
SVG = "{http://www.w3.org/2000/svg}"
NBSP = "\u00a0"


def svg_of(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def columns(svg: ET.Element) -> list[ET.Element]:
    return svg.findall(f".//{SVG}rect[@class='ld']")


def baseline_y(svg: ET.Element) -> float:
    return float(svg.find(f".//{SVG}line[@class='baseline']").get("y1"))


def line_y(svg: ET.Element, kind: str) -> float | None:
    found = svg.find(f".//{SVG}line[@class='{kind}']")
    return None if found is None else float(found.get("y1"))


SUMMER = [WeekLoad("2027-W27", 20), WeekLoad("2027-W28", 10), WeekLoad("2027-W29", 0, False),
          WeekLoad("2027-W30", 5)]


def test_a_column_per_week_its_height_against_the_capacity_and_minimum_lines():
    svg = svg_of(load_chart(IT, "Carico", SUMMER, capacity=25, minimum=5))
    bottom = baseline_y(svg)
    capacity, minimum = line_y(svg, "cap"), line_y(svg, "min")
    full = bottom - capacity  # the capacity line is the top of the scale here
    assert 0 < capacity < minimum < bottom <= 128 and full > 50  # all inside the figure
    assert [c.get("data-week") for c in columns(svg)] == [w.week for w in SUMMER]
    for column, load in zip(columns(svg), SUMMER, strict=True):
        height = float(column.get("height"))
        assert height == pytest.approx(full * load.units / 25, abs=0.06)
        assert float(column.get("y")) + height == pytest.approx(bottom, abs=0.06)
        assert column.get("data-units") == str(load.units)
    # The minimum group's line at 5 of 25, the week of 5 units reaching it exactly.
    assert bottom - minimum == pytest.approx(full * 5 / 25, abs=0.06)
    assert float(columns(svg)[3].get("y")) == pytest.approx(minimum, abs=0.06)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "capacità 25" in texts and "minimo 5" in texts
    assert "sett. 27" in texts
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert titles[0] == "Carico"
    assert "settimana 27, 5–11 luglio 2027: 20 unità" in titles
    assert "settimana 29, 19–25 luglio 2027: non attiva" in titles
    assert svg.get("role") == "img" and svg.get("aria-label") == "Carico"


def test_the_chart_in_english_and_without_a_minimum_group():
    svg = svg_of(load_chart(EN, "Load", SUMMER, capacity=40, minimum=0))
    assert line_y(svg, "min") is None  # no minimum group: no line to keep above
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "capacity 40" in texts and "wk 27" in texts
    assert not any(text.startswith("minimum") for text in texts)
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert "week 28, 12–18 July 2027: 10 units" in titles
    assert "week 29, 19–25 July 2027: does not run" in titles
    # Half the capacity is half the height.
    first, second = columns(svg)[:2]
    assert float(second.get("height")) == pytest.approx(float(first.get("height")) / 2, abs=0.06)
    assert baseline_y(svg) - line_y(svg, "cap") == pytest.approx(
        float(first.get("height")) * 2, abs=0.06)


def test_without_a_known_capacity_the_tallest_week_is_the_scale():
    svg = svg_of(load_chart(IT, "Carico", SUMMER, capacity=None, minimum=None))
    assert line_y(svg, "cap") is None and line_y(svg, "min") is None
    heights = [float(c.get("height")) for c in columns(svg)]
    assert heights[0] == pytest.approx(2 * heights[1], abs=0.06) and heights[2] == 0


def test_many_weeks_label_some_weeks_and_keep_every_column():
    weeks = [WeekLoad(f"2027-W{n:02d}", n) for n in range(10, 40)]
    svg = svg_of(load_chart(IT, "Carico", weeks, capacity=40, minimum=10))
    assert len(columns(svg)) == 30
    labels = [t.text for t in svg.iter(f"{SVG}text") if (t.text or "").startswith("sett.")]
    assert 7 <= len(labels) < 30 and labels[:2] == ["sett. 10", "sett. 14"]
    assert len(str(load_chart(IT, "Carico", weeks, 40, 10))) < 12_000  # hundreds per page


def test_the_weeks_of_a_contract_run_from_its_first_to_its_last_across_the_new_year():
    weeks = contract_weeks(["2027-W52", "2028-W02"], {"2027-W52": 4, "2028-W02": 6})
    assert [(w.week, w.units, w.running) for w in weeks] == [
        ("2027-W52", 4, True), ("2028-W01", 0, False), ("2028-W02", 6, True)]
    assert contract_weeks([], {}) == []


# --- the report's grouping -------------------------------------------------------------

def offer(offer_id: str, firms: list[tuple[str, str | None]], *, tier: int = 0,
          price: str = "120.00", load: dict[str, int] | None = None,
          capacity: int | None = 25, minimum: int | None = 5) -> dict:
    load = load or {"2027-W27": 20, "2027-W28": 10}
    return {"offer_id": offer_id, "tier_index": tier, "unit_price_eur": price,
            "volume_unit_weeks": sum(load.values()), "running_weeks": sorted(load),
            "weekly_load": load, "fixed_cost_eur": "0.00", "unit_cost_eur": "0.00",
            "capacity_per_week": capacity, "min_group_per_week": minimum,
            "lines": [{"line_id": f"{firm}.{offer_id}", "firm_id": firm, "firm_name": name,
                       "units": 1, "unit_weeks": 2, "weeks": sorted(load),
                       "unit_price_eur": price, "cost_eur": "0.00", "pinned": False}
                      for firm, name in firms]}


def contract(provider_id: str, name: str | None, offers: list[dict],
             response: str | None = None) -> dict:
    return {"contract_id": f"r1:{provider_id}", "provider_id": provider_id,
            "provider_name": name, "awarded": False, "unit_cost_eur": "0.00",
            "fixed_cost_eur": "0.00", "response": response, "offers": offers}


def round_detail(contracts: list[dict]) -> dict:
    return {"round_id": "r1", "network_id": "modena", "dry_run": True, "kind": "plain",
            "status": "completed", "outcome": "optimal", "first_week": "2027-W24",
            "last_week": "2027-W36", "requested_at": "2027-06-01T10:00:00Z",
            "finished_at": "2027-06-01T10:00:00Z", "coverage": 0.5,
            "total_cost_eur": "12095.00", "contract_count": 4, "firms": [],
            "contracts": contracts, "unmet": []}


DETAIL = round_detail([
    contract("MO-P0007", "Cooperativa Il Faro", [
        offer("MO-P0007.care", [("MO-F0001", "Ceramiche Rossi")], tier=1, price="12095.00",
              load={"2027-W27": 300}, capacity=400, minimum=0)], response="accepted"),
    contract("MO-P0003", "Asilo Arcobaleno", [
        offer("MO-P0003.camp", [("MO-F0002", "Tipografia Bassi"), ("MO-F0001", None)]),
        offer("MO-P0003.late", [("MO-F0002", None)], load={"2027-W30": 8, "2027-W32": 9},
              capacity=12, minimum=8)]),
    contract("MO-P0009", None, [offer("MO-P0009.camp", [("MO-F0003", None)])]),
    contract("MO-P0001", "Zeta Servizi", [offer("MO-P0001.camp", [("MO-F0003", None)])]),
])


def test_contracts_are_grouped_by_provider_by_name_with_names_next_to_ids():
    report = build_report(IT, DETAIL, Network("modena"), None)
    assert [p.provider for p in report.providers] == [
        "Asilo Arcobaleno (MO-P0003)", "Cooperativa Il Faro (MO-P0007)", "MO-P0009",
        "Zeta Servizi (MO-P0001)"]
    assert [p.open for p in report.providers] == [True] * OPEN_PROVIDERS + [False]
    arcobaleno, faro = report.providers[:2]
    assert [o.offer_id for o in arcobaleno.offers] == ["MO-P0003.camp", "MO-P0003.late"]
    camp, late = arcobaleno.offers
    assert camp.firms == ["Ceramiche Rossi (MO-F0001)", "Tipografia Bassi (MO-F0002)"]
    assert (camp.tier, camp.price, camp.volume) == (1, f"120,00{NBSP}€", "30")
    assert arcobaleno.volume == "47"
    assert (faro.response, faro.offers[0].tier, faro.offers[0].price) == (
        "accettata", 2, f"12.095,00{NBSP}€")
    # A gap in the run is a week on the chart and a row of the table, said not to run.
    assert [(r["short"], r["units"], r["capacity"], r["minimum"]) for r in late.rows] == [
        ("sett. 30", "8", "12", "8"), ("sett. 31", "non attiva", "12", "8"),
        ("sett. 32", "9", "12", "8")]
    assert late.rows[0]["week"] == "settimana 30, 26 luglio – 1 agosto 2027"
    # The table says what the chart draws.
    drawn = [int(c.get("data-units")) for c in columns(svg_of(late.chart))]
    assert drawn == [w.units for w in late.weeks] == [8, 0, 9]
    assert "Carico settimanale di MO-P0003.late rispetto alla capacità (12) e al gruppo " \
           "minimo (8)" in str(late.chart)
    english = build_report(EN, DETAIL, Network("modena"), None).providers[1]
    assert (english.offers[0].price, english.response) == ("€12,095.00", "accepted")
    assert english.offers[0].rows[0]["week"] == "week 27, 5–11 July 2027"


def test_todays_names_of_the_network_still_win_over_the_round_s():
    network = Network("modena", providers=[{"id": "MO-P0003", "name": "Arcobaleno ETS"}])
    report = build_report(IT, DETAIL, network, None)
    assert report.providers[0].provider == "Arcobaleno ETS (MO-P0003)"


# --- the page --------------------------------------------------------------------------

TOKEN = "operator-contract-load-token"
ANSWERS: dict[str, object] = {}


def services(request: httpx.Request) -> httpx.Response:
    host, path = request.url.host, request.url.path
    if host == "intake" and path == "/v1/demand":
        return httpx.Response(200, json=[])
    if host == "supply" and path == "/v1/offers":
        return httpx.Response(200, json=[])
    if host == "operator" and path in ANSWERS:
        return httpx.Response(200, json=ANSWERS[path])
    return httpx.Response(404, json={"error": "not in this test"})


@pytest.fixture
def client() -> TestClient:
    ANSWERS.clear()
    forget(TOKEN)
    app = create_api(title="t", description="t",
                     metrics=ServiceMetrics(CollectorRegistry(), "console"), checks={})
    console_app(app, tokens=TokenStore([{"sha256": digest(TOKEN), "role": "operator",
                                         "subject": "op"}]),
                urls=ServiceUrls("http://intake", "http://supply", "http://operator"),
                secret="test-secret",
                client=httpx.AsyncClient(transport=httpx.MockTransport(services)))
    client = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
    assert client.post("/login", data={"csrf": token, "token": TOKEN, "next": "/"},
                       follow_redirects=False).status_code == 303
    return client


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def contracts_section(page: str) -> str:
    return page.split('<section aria-labelledby="contracts-h"')[1].split(
        '<section aria-labelledby="unmet-h"')[0]


def test_the_round_page_shows_each_provider_s_contracts_with_chart_and_table(client):
    ANSWERS.update({"/v1/rounds/r1": DETAIL, "/v1/rounds": []})
    page = client.get("/rounds/r1")
    assert page.status_code == 200
    section = contracts_section(page.text)
    shown = text_of(section)
    assert "4 fornitori hanno i contratti di gruppo del round." in shown
    assert "Asilo Arcobaleno (MO-P0003) · 2 contratti di gruppo · 47 unità-settimana" in shown
    assert "Imprese in gruppo Ceramiche Rossi (MO-F0001), Tipografia Bassi (MO-F0002)" in shown
    assert "Prezzo per unità-settimana 12.095,00 €" in shown  # text_of folds the NBSP
    # The first few providers open, the others folded.
    opened = re.findall(r'<details class="provider-contracts" id="provider-([^"]+)"( open)?',
                        section)
    assert opened == [("MO-P0003", " open"), ("MO-P0007", " open"), ("MO-P0009", " open"),
                      ("MO-P0001", "")]
    # One chart per group contract of an open provider; each table has a row per week of
    # its chart, the same figures in the same order.
    contracts = [block.split("</section>")[0]
                 for block in section.split('<section class="contract"')[1:]]
    assert len(contracts) == 4 == section.count('<svg class="load"')
    for block in contracts:
        svg = svg_of(re.search(r"<svg class=\"load\".*?</svg>", block, re.S)[0])
        rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]+)</td>'
                          r'<td class="num">([^<]+)</td><td class="num">([^<]+)</td></tr>',
                          block)
        drawn = [(c.get("data-week"), c.get("data-units")) for c in columns(svg)]
        assert len(rows) == len(drawn) >= 1
        for (week, units, capacity, minimum), (iso, drawn_units) in zip(rows, drawn):
            assert week.startswith(f"settimana {int(iso[6:])}, ")
            assert units == (drawn_units if drawn_units != "0" else "non attiva")
            cap = line_y(svg, "cap")
            assert (cap is not None) == (capacity != "–")
    assert "<th scope=\"col\">Gruppo minimo</th>" in section
    # A folded provider: its contracts' terms, not their charts, and a link to them.
    folded = text_of(section.split('id="provider-MO-P0001"')[1])
    assert "MO-P0001.camp MO-F0003 1 120,00 € 30" in folded
    assert "Mostra il carico settimanale dei contratti di Zeta Servizi (MO-P0001)" in folded
    assert 'href="?provider=MO-P0001#provider-MO-P0001"' in section
    chosen = contracts_section(client.get("/rounds/r1?provider=MO-P0001").text)
    assert '<details class="provider-contracts" id="provider-MO-P0001" open>' in chosen
    assert chosen.count('<svg class="load"') == 5
    assert 'data-week="2027-W28" data-units="10"' in chosen.split('id="provider-MO-P0001"')[1]
    english = text_of(contracts_section(client.get("/rounds/r1?lang=en").text))
    assert "4 providers hold the round's group contracts." in english
    assert "Pooled firms" in english and "Minimum group" in english and "wk 27" in english


def test_a_round_without_contracts_says_so(client):
    ANSWERS.update({"/v1/rounds/r1": round_detail([]), "/v1/rounds": []})
    shown = text_of(contracts_section(client.get("/rounds/r1").text))
    assert "Questo round non ha contratti di gruppo." in shown
