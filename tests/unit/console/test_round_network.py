"""The round report's network comes from the round's own detail, not from today's book."""

from __future__ import annotations

from services.console.report import build_report
from services.console.round_network import round_network
from services.console.texts import console_texts

WEEKS = ["2027-W27", "2027-W28"]


def _line(line_id, firm, units, town="036023", **more):
    return {"line_id": line_id, "firm_id": firm, "units": units, "unit_weeks": units * 2,
            "weeks": WEEKS, "municipality": town, "category": "childcare", **more}


DETAIL = {
    "round_id": "r1", "network_id": "modena", "status": "completed", "coverage": 0.5,
    "firms": [{"firm_id": "f1", "firm_name": "Ceramiche", "coverage": 0.6,
               "served_unit_weeks": 12, "demanded_unit_weeks": 20, "cost_eur": "10.00",
               "budget_eur": "100.00"}],
    "contracts": [
        {"provider_id": "p1", "provider_name": "Gulliver", "offers": [
            {"offer_id": "o1", "tier_index": 0, "unit_price_eur": "1.00",
             "volume_unit_weeks": 8, "lines": [_line("f1.a", "f1", 4, firm_name="Ceramiche")]}]},
        {"provider_id": "p2", "provider_name": "Aurora", "offers": [
            {"offer_id": "o2", "tier_index": 0, "unit_price_eur": "1.00",
             "volume_unit_weeks": 4, "lines": [_line("f1.a", "f1", 2)]}]}],
    "unmet": [{"reason": "no_capacity", "units": 7, "unit_weeks": 14, "lines": [
        _line("f1.a", "f1", 4), _line("f2.b", "f2", 3, town="036005", firm_name="Tessile"),
        {"line_id": "old", "firm_id": "f2", "units": 1, "unit_weeks": 2}]}],
}


def test_a_line_split_across_contracts_and_unmet_adds_up_to_its_units():
    network = round_network(DETAIL)
    assert network.network_id == "modena"
    assert network.lines["f1.a"]["units"] == 4 + 2 + 4
    assert network.lines["f2.b"]["units"] == 3
    assert network.lines["f2.b"]["municipality"] == "036005"
    assert "old" not in network.lines  # a line of a round stored before lines said where


def test_names_come_from_the_round():
    assert round_network(DETAIL).names == {
        "f1": "Ceramiche", "f2": "Tessile", "p1": "Gulliver", "p2": "Aurora",
        "o1": "Gulliver", "o2": "Aurora"}  # offers by their provider's name


def test_the_map_places_the_round_s_lines_with_what_was_served():
    t = console_texts("it")
    report = build_report(t, DETAIL, round_network(DETAIL), "036023")
    modena = next(p for p in report.places if p.code == "036023")
    assert (modena.demanded, modena.served) == (20, 12)
    assert [x["line"] for x in report.selected_lines] == ["f1.a"]
    assert report.selected_lines[0]["served"] == "60%"


def test_an_offer_is_named_by_its_provider_also_one_no_contract_uses():
    detail = {**DETAIL, "offer_providers": {"o1": "p1", "o2": "p2", "o9": "p9"},
              "provider_names": {"p9": "Cooperativa Nove"}}
    detail["unmet"] = [{"reason": "price_above_maximum", "units": 3, "unit_weeks": 6,
                        "lines": [_line("f2.b", "f2", 3, change={
                            "description": "x", "offer_id": "o9",
                            "max_unit_price_eur": "25.00"})]}]
    network = round_network(detail)
    assert network.names["o9"] == "Cooperativa Nove"
    assert network.names["o1"] == "Gulliver"
    report = build_report(console_texts("it"), detail, network, None)
    change = report.unmet[0]["lines"][0]["change"]
    assert "Cooperativa Nove (o9)" in change and "25,00" in change
