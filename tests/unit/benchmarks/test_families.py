"""The benchmark's generator families: valid, reproducible, each with its character.

Every family at 200 lines must give a snapshot that survives its own JSON, the
same one for the same seed, and a round the optimiser solves and the
independent checker accepts. The character tests pin what makes a family
worth benchmarking apart from the others.
"""

from __future__ import annotations

from statistics import mean, median

import pytest

import matcher
from schemas.result import SolveStatus
from schemas.snapshot import RoundSnapshot
from schemas.types import Category, Payer
from tests.benchmarks import bench_rounds
from tests.benchmarks.families import FAMILIES, generate
from tests.support.checker import check

LINES = 200


@pytest.fixture(scope="module", params=list(FAMILIES))
def family(request):
    return request.param, generate(request.param, LINES, seed=7)


@pytest.fixture(scope="module")
def summer():
    return generate("summer", LINES, seed=7)


@pytest.fixture(scope="module")
def homecare():
    return generate("homecare", LINES, seed=7)


def test_the_benchmark_offers_every_family():
    assert bench_rounds.FAMILY_NAMES == tuple(FAMILIES)


def test_snapshot_survives_its_json_with_exactly_the_lines_asked(family):
    _, snapshot = family
    again = RoundSnapshot.model_validate_json(snapshot.model_dump_json())
    assert again == snapshot
    assert len(snapshot.demand_lines) == LINES
    assert snapshot.offers and snapshot.firms


def test_same_seed_same_snapshot_other_seed_another(family):
    name, snapshot = family
    assert generate(name, LINES, seed=7).model_dump_json() == snapshot.model_dump_json()
    assert generate(name, LINES, seed=8).model_dump_json() != snapshot.model_dump_json()


def test_rounds_carry_priorities_payers_budgets_and_fixed_costs(family):
    _, snapshot = family
    lines = snapshot.demand_lines
    assert {line.priority for line in lines} >= {1, 4}
    assert any(line.payer is Payer.MUNICIPALITY for line in lines)
    assert all(line.respondents >= 10 for line in lines)  # k-anonymous
    assert len({firm.welfare_budget_eur for firm in snapshot.firms}) > 1
    assert any(offer.fixed_cost_per_week_eur > 0 for offer in snapshot.offers)
    assert all(len(offer.price_tiers) >= 2 for offer in snapshot.offers)


def _min_group_share(snapshot):
    return mean(o.min_group_per_week / o.capacity_per_week for o in snapshot.offers)


def test_summer_is_childcare_in_school_closures_with_few_large_tight_camps(summer):
    lines, offers = summer.demand_lines, summer.offers
    childcare = [line for line in lines if line.category is Category.CHILDCARE]
    assert len(childcare) / len(lines) >= 0.7
    assert {line.category for line in lines} <= {Category.CHILDCARE, Category.BABYSITTING}
    assert all("2027-W24" <= week <= "2027-W36" for line in lines for week in line.weeks)
    camps = [offer for offer in offers if offer.category is Category.CHILDCARE]
    assert mean(o.min_group_per_week / o.capacity_per_week for o in camps) >= 0.25
    assert _min_group_share(summer) > 2 * _min_group_share(generate("modena", LINES, seed=7))
    assert len(lines) / len(offers) >= 30
    assert median(o.capacity_per_week for o in camps) >= 100


def test_homecare_is_long_lines_many_small_offers_wide_tiers(homecare):
    lines, offers = homecare.demand_lines, homecare.offers
    assert sum(line.category is Category.HOME_CARE for line in lines) / len(lines) >= 0.6
    assert mean(len(line.weeks) for line in lines) >= 26
    assert len(lines) / len(offers) <= 10
    assert median(o.capacity_per_week for o in offers) <= 40
    assert max(o.min_group_per_week for o in offers) <= 4
    # Wide tiers: the last threshold several times the first non-zero one.
    spreads = [o.price_tiers[-1].min_volume / o.price_tiers[1].min_volume for o in offers]
    assert all(len(o.price_tiers) == 4 for o in offers)
    assert median(spreads) >= 8


def test_families_differ_where_they_should(summer, homecare):
    assert len(summer.offers) * 5 < len(homecare.offers)
    assert (median(len(line.weeks) for line in homecare.demand_lines)
            > 3 * median(len(line.weeks) for line in summer.demand_lines))


def test_the_optimiser_solves_every_family_and_the_checker_accepts_it(family):
    _, snapshot = family
    params = snapshot.parameters.model_copy(update={"time_limit_s": 2, "workers": 1})
    result = matcher.solve_round(snapshot, params)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert result.contracts, "a round of 200 lines serves someone"
    assert check(snapshot, result) == []
