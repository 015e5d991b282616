"""The Modena base and its scaling, straight from ``generate`` (no files)."""

from __future__ import annotations

from collections import Counter

import pytest

from schemas.snapshot import RoundSnapshot
from schemas.types import Category, Payer, ProviderKind, weeks_between
from services.scenario import generate
from services.scenario import diagnostics as diag
from services.scenario.municipalities import municipalities, provinces
from services.scenario.scaling import plan
from services.scenario.school_calendar import closure_weeks


@pytest.fixture(scope="module")
def base():
    return generate("modena", 42)


@pytest.fixture(scope="module")
def thousand():
    return generate("modena", 42, 1000)


def test_modena_base_matches_the_network(base):
    assert len(base.firms) == 50
    assert len({s.firm.ateco_sector for s in base.firms}) == 13
    assert abs(sum(s.firm.employees for s in base.firms) - 2500) <= 125
    assert len(base.offers) == 65
    kinds = Counter(s.provider.kind for s in base.providers)
    assert kinds == {
        ProviderKind.COOPERATIVE: 14, ProviderKind.ASSOCIATION: 5, ProviderKind.PUBLIC_BODY: 2
    }
    assert {o.category for _, o in base.offers} == set(Category)
    assert {line.category for _, line in base.lines} == set(Category)
    assert base.provinces == ("036",)
    assert len({s.firm.name for s in base.firms}) == 50


def test_modena_base_uses_real_modena_municipalities_only(base):
    known = municipalities()
    places = [line.municipality for _, line in base.lines]
    places += [code for _, o in base.offers for code in o.municipalities]
    places += [s.municipality for s in base.firms] + [s.municipality for s in base.providers]
    places += [a.municipality for a in base.survey]
    assert all(code in known and known[code].province_code == "036" for code in places)


def test_lines_are_k_anonymous_and_realistic(base):
    lines = [line for _, line in base.lines]
    assert all(line.respondents >= 10 for line in lines)
    assert any(line.priority >= 4 for line in lines)
    assert any(line.payer is Payer.MUNICIPALITY for line in lines)
    assert any(line.required_tags for line in lines)
    summer = set(closure_weeks("2027-W24", "2027-W36"))
    for line in lines:
        if line.category is Category.CHILDCARE:
            assert set(line.weeks) <= summer
    camps = [o for _, o in base.offers if o.category is Category.CHILDCARE]
    assert all(8 <= o.min_group_per_week <= 15 for o in camps)
    assert all(100 <= o.price_tiers[0].unit_price_eur <= 180 for o in camps)
    home_care = [o for _, o in base.offers if o.category is Category.HOME_CARE]
    assert all(o.min_group_per_week == 0 for o in home_care)
    assert all(17 <= o.price_tiers[0].unit_price_eur <= 26 for o in home_care)


def test_snapshot_validates_and_round_trips(base):
    snapshot = base.snapshot()
    again = RoundSnapshot.model_validate_json(snapshot.model_dump_json())
    assert again == snapshot
    assert len(again.demand_lines) == len(base.lines)
    assert (again.first_week, again.last_week) == ("2027-W24", "2027-W36")


def test_same_seed_same_scenario_other_seed_differs(base):
    assert generate("modena", 42) == base
    assert generate("modena", 43).lines != base.lines


def test_demand_is_not_trivially_served(thousand):
    counts = diag.reasons(thousand)
    for reason in (
        diag.NO_PROVIDER_IN_AREA,
        diag.NO_CAPACITY_IN_WEEKS,
        diag.TAG_NOT_OFFERED,
        diag.PRICE_ABOVE_MAXIMUM,
        diag.GROUP_BELOW_MINIMUM,
        diag.BUDGET_SHORT,
        diag.CAPACITY_SHORT,
    ):
        assert counts[reason] > 0, reason
    blocked = len(diag.blocked_lines(thousand)) / len(thousand.lines)
    assert 0.05 < blocked < 0.45  # most lines have an offer to compete for


def test_scaling_to_a_thousand_adds_provinces(base, thousand):
    assert len(thousand.lines) == 1000
    assert thousand.provinces[0] == "036" and len(thousand.provinces) > 3
    # Emilia-Romagna first: its provinces come before any other region's.
    regions = [provinces()[code].region for code in thousand.provinces]
    assert regions[:9] == ["Emilia-Romagna"] * 9
    # The base is unchanged by the provinces added after it.
    assert thousand.lines[: len(base.lines)] == base.lines
    assert thousand.offers[: len(base.offers)] == base.offers


def test_added_provinces_stay_mostly_within_themselves(thousand):
    crossing = 0
    for provider_id, offer in thousand.offers:
        own = {code[:3] for code in offer.municipalities}
        if len(own) > 1:
            crossing += 1
    assert 0 < crossing < len(thousand.offers) * 0.15
    for firm_id, line in thousand.lines:
        assert firm_id.split("-")[0] == municipalities()[line.municipality].province_abbr


def test_scaling_to_ten_thousand_lands_exactly():
    big = generate("modena", 3, 10_000)
    assert len(big.lines) == 10_000
    assert len(big.provinces) > 20
    assert len({line.line_id for _, line in big.lines}) == 10_000


def test_plan_for_a_hundred_thousand_uses_all_of_italy():
    quotas = plan(provinces()["036"], 90, 100_000)
    assert sum(n for _, n in quotas) == 100_000 - 90
    assert len({p.code for p, _ in quotas}) == 107  # every province, Modena grown too


def test_too_few_lines_is_refused(base):
    with pytest.raises(ValueError, match="at least"):
        generate("modena", 42, len(base.lines) - 1)


def test_unknown_network_is_refused():
    with pytest.raises(ValueError, match="unknown network"):
        generate("milano", 1)


def test_a_christmas_round_puts_childcare_in_the_holidays():
    winter = generate("modena", 5, first_week="2026-W50", last_week="2027-W03")
    holidays = {"2026-W53", "2027-W01"}
    childcare = [line for _, line in winter.lines if line.category is Category.CHILDCARE]
    assert childcare and all(set(line.weeks) <= holidays for line in childcare)
    winter.snapshot()
    assert set(weeks_between("2026-W50", "2027-W03")) >= {
        w for _, o in winter.offers for w in o.weeks
    }
