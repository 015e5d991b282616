"""One hand-checkable round per rule of DESIGN.md ("What a matching round means")."""

from __future__ import annotations

from decimal import Decimal

from tests.unit.matcher.rounds import W27, W28, line, offer, served, snapshot, unmet


def test_a_camp_opens_only_when_three_firms_pool(solved):
    camp = offer("camp", 20, min_group=15, weeks=(W27,))
    three = solved(snapshot([line("a", "f1", 5), line("b", "f2", 5), line("c", "f3", 5)], [camp]))
    assert served(three) == {("a", "camp"): 5, ("b", "camp"): 5, ("c", "camp"): 5}
    two = solved(snapshot([line("a", "f1", 5), line("b", "f2", 5)], [camp]))
    assert served(two) == {}
    assert unmet(two) == {"a": ("group_below_minimum", 5), "b": ("group_below_minimum", 5)}
    change = two.unmet[0].change
    assert (change.extra_units, change.week, change.offer_id) == (5, W27, "camp")
    assert change.description == "5 more units in week 2027-W27 open offer camp"


def test_a_tier_lowers_every_firms_price(solved):
    # 10 units x 2 weeks per firm: 20 unit-weeks alone (tier 0, 100 EUR), 40 pooled (tier 1).
    tiers = ((0, "100"), (30, "80"))
    pooled = solved(snapshot([line("a", "f1", 10, weeks=(W27, W28)),
                              line("b", "f2", 10, weeks=(W27, W28), price="90")],
                             [offer("camp", 30, tiers=tiers)]))
    (contract,) = pooled.contracts
    assert contract.tier_index == 1 and contract.volume_unit_weeks == 40
    assert {cl.line_id: cl.unit_price_eur for cl in contract.lines} == {
        "a": Decimal("80"), "b": Decimal("80")}
    # Firm b accepts at most 90: alone it cannot be served at all.
    alone = solved(snapshot([line("b", "f2", 10, weeks=(W27, W28), price="90")],
                            [offer("camp", 30, tiers=tiers)]))
    assert unmet(alone) == {"b": ("price_above_maximum", 10)}


def test_a_budget_stops_a_line(solved):
    result = solved(snapshot([line("a", "f1", 10)], [offer("camp", 20)], budgets={"f1": "500"}))
    assert served(result) == {("a", "camp"): 5}
    assert unmet(result) == {"a": ("budget_spent", 5)}
    assert result.unmet[0].change.extra_budget_eur == Decimal("500.00")
    assert result.firms[0].cost_eur == Decimal("500")


def test_a_municipality_paid_line_spends_no_firm_budget(solved):
    result = solved(snapshot([line("a", "f1", 10, payer="municipality")], [offer("camp", 20)],
                             budgets={"f1": "0"}))
    assert served(result) == {("a", "camp"): 10}
    assert result.firms[0].cost_eur == 0


def test_a_pinned_pair_is_kept_in_a_repair_round(solved):
    # The dear offer was accepted last round; a cheap one appears: the pin holds.
    lines = [line("a", "f1", 4)]
    offers = [offer("dear", 10, tiers=((0, "150"),)), offer("cheap", 10, tiers=((0, "50"),))]
    free = solved(snapshot(lines, offers))
    assert served(free) == {("a", "cheap"): 4}
    repair = solved(snapshot(lines, offers, pinned=[("a", "dear", 3)],
                             previous=[("a", "dear", 4)]))
    assert served(repair) == {("a", "dear"): 3, ("a", "cheap"): 1}
    assert [cl.pinned for c in repair.contracts for cl in c.lines if c.offer_id == "dear"] == [True]


def test_a_declined_pair_is_not_matched(solved):
    result = solved(snapshot([line("a", "f1", 4)], [offer("x", 10), offer("y", 10, fixed="5")],
                             excluded=[("a", "x")]))
    assert served(result) == {("a", "y"): 4}


def test_a_pin_that_cannot_be_kept_makes_the_round_infeasible(solved):
    result = solved(snapshot([line("a", "f1", 4)], [offer("x", 10, weeks=(W28,))],
                             pinned=[("a", "x", 2)]))
    assert result.status.value == "infeasible" and result.contracts == []
    assert "pinned line a" in result.message


def test_continuity_a_unit_stays_with_its_offer_every_week(solved):
    # x has room only in W27 (a priority-5 line fills W28); y runs only in W27.
    # Splitting a's weeks between offers would serve it; continuity forbids that.
    result = solved(snapshot(
        [line("a", "f1", 5, weeks=(W27, W28)), line("m", "f2", 5, weeks=(W28,), priority=5)],
        [offer("x", 5), offer("y", 5, weeks=(W27,))]))
    assert served(result) == {("m", "x"): 5}
    assert unmet(result) == {"a": ("capacity_taken_by_higher_priority", 5)}


def test_capacity_goes_to_the_higher_priority(solved):
    lines = [line("low", "f1", 10, priority=1), line("high", "f2", 10, priority=5)]
    result = solved(snapshot(lines, [offer("camp", 10)]))
    assert served(result) == {("high", "camp"): 10}
    assert unmet(result) == {"low": ("capacity_taken_by_higher_priority", 10)}


def test_fairness_shares_scarce_capacity_between_firms(solved):
    result = solved(snapshot([line("a", "f1", 10), line("b", "f2", 10)], [offer("camp", 10)]))
    assert served(result) == {("a", "camp"): 5, ("b", "camp"): 5}


def test_cost_picks_the_cheaper_contract_fixed_costs_included(solved):
    offers = [offer("cheap_units", 10, tiers=((0, "60"),), fixed="500"),
              offer("cheap_total", 10, tiers=((0, "80"),), fixed="100")]
    result = solved(snapshot([line("a", "f1", 10)], offers))  # 600+500 vs 800+100
    assert served(result) == {("a", "cheap_total"): 10}
    assert result.totals.total_cost_eur == Decimal("900")


def test_least_change_keeps_last_rounds_choice_between_equals(solved):
    offers = [offer("x", 10), offer("y", 10)]
    for before in ("x", "y"):
        result = solved(snapshot([line("a", "f1", 4)], offers, previous=[("a", before, 4)]))
        assert served(result) == {("a", before): 4}
