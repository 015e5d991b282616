"""Every reason code, on a round built to show it, with its smallest change."""

from __future__ import annotations

from decimal import Decimal

from tests.unit.matcher.rounds import OTHER_TOWN, W27, W28, W29, line, offer, snapshot, unmet


def reason_of(solved, lines, offers, **kwargs):
    result = solved(snapshot(lines, offers, **kwargs))
    return unmet(result)["a"][0], result.unmet[0].change


def test_no_provider_in_area(solved):
    reason, change = reason_of(solved, [line("a", "f1", 3, municipality=OTHER_TOWN)],
                               [offer("camp", 10)])
    assert reason == "no_provider_in_area" and change is None


def test_a_declined_offer_leaves_no_provider(solved):
    reason, _ = reason_of(solved, [line("a", "f1", 3)], [offer("camp", 10)],
                          excluded=[("a", "camp")])
    assert reason == "no_provider_in_area"


def test_no_capacity_in_weeks(solved):
    reason, change = reason_of(solved, [line("a", "f1", 3, weeks=(W27, W28, W29))],
                               [offer("camp", 10, weeks=(W27, W28))])
    assert reason == "no_capacity_in_weeks"
    assert (change.offer_id, change.week) == ("camp", W29)


def test_tag_not_offered(solved):
    reason, change = reason_of(solved, [line("a", "f1", 3, tags=("accessible",))],
                               [offer("camp", 10)])
    assert reason == "tag_not_offered" and change.offer_id == "camp"
    assert "accessible" in change.description


def test_price_above_maximum(solved):
    reason, change = reason_of(solved, [line("a", "f1", 3, price="90")],
                               [offer("camp", 10, tiers=((0, "120"), (100, "95")))])
    # 3 units can never reach 100 unit-weeks: the cheapest reachable price is 120.
    assert reason == "price_above_maximum"
    assert change.max_unit_price_eur == Decimal("120")


def test_budget_spent(solved):
    reason, change = reason_of(solved, [line("a", "f1", 3)], [offer("camp", 10)],
                               budgets={"f1": "150"})
    assert reason == "budget_spent"
    assert change.extra_budget_eur == Decimal("150.00")  # 2 more units at 100, 50 left


def test_group_below_minimum_before_the_solve(solved):
    reason, change = reason_of(solved, [line("a", "f1", 3)], [offer("camp", 10, min_group=8)])
    assert reason == "group_below_minimum"
    assert (change.extra_units, change.offer_id) == (5, "camp")


def test_group_below_minimum_after_the_solve(solved):
    # 12 units ask for two camps of 10 that need 8 to run: one runs full, and the
    # 2 units left over are 6 short of opening the other.
    result = solved(snapshot([line(n, f"f{n}", 4) for n in "abc"],
                             [offer("x", 10, min_group=8), offer("y", 10, min_group=8)]))
    assert sum(units for _, units in unmet(result).values()) == 2
    assert {reason for reason, _ in unmet(result).values()} == {"group_below_minimum"}
    (running,) = result.contracts
    change = result.unmet[0].change
    assert change.extra_units == 6 and change.offer_id != running.offer_id


def test_capacity_taken_by_higher_priority(solved):
    reason, change = reason_of(solved, [line("a", "f1", 4), line("b", "f2", 10, priority=3)],
                               [offer("camp", 10)])
    assert reason == "capacity_taken_by_higher_priority"
    assert (change.extra_units, change.week, change.offer_id) == (4, W27, "camp")
