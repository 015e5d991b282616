"""Generator families for the round benchmarks: the same engine, different rounds.

``generate(family, lines, seed)`` returns a ``RoundSnapshot`` with exactly
``lines`` demand lines; one seed always gives the same snapshot.

- ``modena``: the scenario generator itself (``welfare scenario generate
  --network modena``, services/scenario), the network modelled on Modena's.
- ``summer``: childcare-heavy school-closure summer: camps and babysitting only,
  few large camps (one offer per 40-80 lines) drawing children from 20-35 km,
  tight minimum groups (25-45% of a camp's places, about twice the Modena
  network's share), two close discount tiers.
- ``homecare``: home care for dependent relatives over a whole year: long
  lines (26-52 weeks) of a few care hours a week, many small offers (one per
  3-8 lines, one carer of 4-40 hours a week), small minimum groups, wide
  all-units tiers (thresholds about 5x apart, discounts up to 25%).

The summer and home-care families reuse the scenario generator's parts (real
provinces and municipalities, firms and budgets, lines with their priorities
and payers, providers and their offers) and then reshape what makes the
family: the category mix, line weeks and units, and the offers' capacity,
minimum group, tiers and reach. Capacity follows demand (an offer gets its
share of its category's weekly demand in its province, times a supply ratio),
so the rounds stay tense at every size.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from decimal import Decimal

from schemas import limits
from schemas.capacity import PriceTier
from schemas.snapshot import (
    RoundSnapshot,
    SnapshotFirm,
    SnapshotLine,
    SnapshotOffer,
    SnapshotProvider,
)
from schemas.types import Category
from services.scenario import demand, firms, providers, scaling
from services.scenario import generate as generate_scenario
from services.scenario.catalogue import OFFERS
from services.scenario.draw import pick
from services.scenario.generator import make_season
from services.scenario.model import Season, money
from services.scenario.municipalities import Plane, Province, municipalities, provinces

BASE_PROVINCE = "036"  # Modena: every family grows from it, as the modena network does


@dataclass(frozen=True)
class Family:
    """What makes a family's rounds differ from the Modena network's."""

    name: str
    weeks: tuple[str, str]  # the round's first and last week
    lines_per_province: int  # lines of the base province; others scale by population
    categories: tuple[tuple[Category, float], ...]  # share of lines, and of offers
    lines_per_offer: tuple[float, float]  # drawn per province
    supply_ratio: tuple[float, float]  # an offer's capacity / its share of weekly demand
    capacity: tuple[int, int]  # bounds on capacity per week
    min_group_share: tuple[float, float]  # of the offer's capacity
    # All-units tiers: (share of capacity x weeks where it starts, discount %).
    tiers: tuple[tuple[tuple[float, float], int], ...]
    reach_km: tuple[float, float] | None = None  # None: the catalogue's radius
    line_weeks: tuple[int, int] | None = None  # None: the catalogue's runs
    line_units: tuple[int, int] | None = None  # None: respondents x the catalogue's rate
    fixed_cost_per_place: bool = False  # scale the fixed cost with the offer's size


SUMMER = Family(
    name="summer",
    weeks=("2027-W24", "2027-W36"),
    lines_per_province=600,
    categories=((Category.CHILDCARE, 0.82), (Category.BABYSITTING, 0.18)),
    lines_per_offer=(40.0, 80.0),
    # Camps cover a third to a half of the children; a group of 25-45% of the
    # places, with continuity over each line's weeks, is what keeps many out
    # (50-80% left next to nothing servable at all).
    supply_ratio=(0.3, 0.6),
    capacity=(20, 5000),
    min_group_share=(0.25, 0.45),
    tiers=(((0.3, 0.4), 4), ((0.65, 0.8), 8)),
    reach_km=(20.0, 35.0),
    fixed_cost_per_place=True,
)

HOMECARE = Family(
    name="homecare",
    weeks=("2027-W01", "2027-W52"),
    lines_per_province=600,
    categories=((Category.HOME_CARE, 0.8), (Category.FAMILY_ASSISTANT, 0.2)),
    lines_per_offer=(3.0, 8.0),
    supply_ratio=(0.6, 1.2),
    capacity=(4, 40),
    min_group_share=(0.0, 0.1),
    tiers=(((0.03, 0.06), 6), ((0.2, 0.35), 15), ((0.7, 0.9), 25)),
    line_weeks=(26, 52),
    line_units=(2, 12),
)

FAMILIES: dict[str, Family | None] = {"modena": None, "summer": SUMMER, "homecare": HOMECARE}


def generate(family: str, lines: int, seed: int = 1) -> RoundSnapshot:
    """A round of ``family`` with exactly ``lines`` demand lines."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r} (known: {', '.join(FAMILIES)})")
    spec = FAMILIES[family]
    if spec is None:
        return generate_scenario("modena", seed, lines).snapshot()
    season = make_season(*spec.weeks)
    parts = [_Part(spec, province, quota, seed, season) for province, quota in _plan(spec, lines)]
    return RoundSnapshot(
        network_id=family,
        round_id=f"{family}-{lines}-seed{seed}",
        first_week=spec.weeks[0],
        last_week=spec.weeks[1],
        firms=[f for p in parts for f in p.firms],
        providers=[s for p in parts for s in p.providers],
        demand_lines=[line for p in parts for line in p.lines],
        offers=[o for p in parts for o in p.offers],
    )


def _plan(spec: Family, lines: int) -> list[tuple[Province, int]]:
    """Provinces and their lines: the base, then outwards as the Modena network grows."""
    base = provinces()[BASE_PROVINCE]
    first = min(lines, spec.lines_per_province)
    quotas = {base.code: first}
    order = {base.code: base}
    for province, quota in scaling.plan(base, first, lines):
        quotas[province.code] = quotas.get(province.code, 0) + quota
        order[province.code] = province
    return [(order[code], quota) for code, quota in quotas.items()]


class _Part:
    """One province's firms, lines, providers and offers for one family."""

    def __init__(self, spec: Family, province: Province, quota: int, seed: int,
                 season: Season) -> None:
        self.spec, self.season = spec, season
        self.rng = rng = random.Random(f"{seed}/{spec.name}/{province.code}")
        people = list(itertools.accumulate(m.population for m in province.municipalities))
        self.plane = Plane(province.centre[0])
        self.firms: list[SnapshotFirm] = []
        self.lines: list[SnapshotLine] = []
        self._make_demand(province, quota, people)
        count = max(1, round(quota / rng.uniform(*spec.lines_per_offer)))
        supply = providers.Supply(province.municipalities, tuple(people), (), self.plane)
        sites, offers = providers.build_supply(
            rng, province.abbr, 1, providers.provider_kinds(count), self._mix(count), supply,
            season,
        )
        self.providers = [SnapshotProvider(provider_id=s.provider.provider_id,
                                           name=s.provider.name) for s in sites]
        self.offers = self._reshape([o for _, o in offers], supply)

    # ------------------------------------------------------------ demand

    def _make_demand(self, province: Province, quota: int, people: list[int]) -> None:
        rng, spec = self.rng, self.spec
        categories = [c for c, _ in spec.categories]
        cum = list(itertools.accumulate(s for _, s in spec.categories))
        by_code = {m.code: m for m in province.municipalities}
        points = self.plane.points(province.municipalities)
        residences: dict[str, demand.Residences] = {}
        while len(self.lines) < quota:
            firm_id = f"{province.abbr}-F{len(self.firms) + 1:05d}"
            site = firms.added_firm(rng, firm_id, province.municipalities, people)
            self.firms.append(SnapshotFirm(firm_id=firm_id, name=site.firm.name,
                                           welfare_budget_eur=site.firm.welfare_budget_eur))
            count, respondents = demand.line_count(rng, site.firm.employees)
            count = min(count, quota - len(self.lines))  # the last firm publishes what is left
            seat = municipalities()[site.municipality]
            if seat.code not in residences:
                residences[seat.code] = demand.Residences.around(seat, by_code, points,
                                                                 self.plane)
            for j in range(count):
                # Each line aggregates at least k employees: respondents >= k x count.
                share = respondents // count + (j < respondents % count)
                line = demand.make_line(
                    rng, firm_id=firm_id, line_id=f"{firm_id}-L{j + 1:02d}",
                    category=pick(rng, categories, cum),
                    municipality=residences[seat.code].draw(rng, seat).code,
                    season=self.season, respondents=share,
                )
                self.lines.append(self._reshape_line(line))

    def _reshape_line(self, line: SnapshotLine) -> SnapshotLine:
        rng, spec, update = self.rng, self.spec, {}
        if spec.line_weeks:
            weeks = self.season.weeks
            length = rng.randint(spec.line_weeks[0], min(spec.line_weeks[1], len(weeks)))
            start = rng.randint(0, len(weeks) - length)
            update["weeks"] = list(weeks[start:start + length])
        if spec.line_units:
            update["units"] = rng.randint(*spec.line_units)
        # The values are valid by construction (sorted weeks of the round, units >= 1):
        # no second validation of 100,000 lines.
        return line.model_copy(update=update) if update else line

    # ------------------------------------------------------------ supply

    def _mix(self, count: int) -> dict[Category, int]:
        """Offers per category in the family's proportions, summing to ``count``."""
        exact = {c: count * share for c, share in self.spec.categories}
        mix = {c: int(v) for c, v in exact.items()}
        by_remainder = sorted(exact, key=lambda c: (mix[c] - exact[c], c.value))
        for c in by_remainder[: count - sum(mix.values())]:
            mix[c] += 1
        return mix

    def _reshape(self, offers: list[SnapshotOffer],
                 supply: providers.Supply) -> list[SnapshotOffer]:
        rng, spec = self.rng, self.spec
        # An offer's share of its category's demand, in unit-weeks.
        wanted: dict[Category, int] = {}
        for line in self.lines:
            wanted[line.category] = wanted.get(line.category, 0) + line.units * len(line.weeks)
        per_category = {c: sum(o.category is c for o in offers) for c in wanted}
        known = municipalities()
        reshaped = []
        for offer in offers:
            share = wanted.get(offer.category, 0) / max(1, per_category.get(offer.category, 1))
            weekly = share / len(offer.weeks) * rng.uniform(*spec.supply_ratio)
            capacity = min(spec.capacity[1], max(spec.capacity[0], round(weekly)))
            min_group = min(capacity, round(capacity * rng.uniform(*spec.min_group_share)))
            area = offer.municipalities
            if spec.reach_km:
                # A large camp runs in the main town of its area and draws from further.
                hub = max(area, key=lambda code: (known[code].population, code))
                area = supply.area(known[hub], rng.uniform(*spec.reach_km), False)
            fixed = offer.fixed_cost_per_week_eur
            if spec.fixed_cost_per_place:
                typical = sum(OFFERS[offer.category].capacity) / 2
                tens = (fixed * capacity / Decimal(typical) / 10).quantize(Decimal("1"))
                fixed = min(limits.MAX_FIXED_COST_PER_WEEK_EUR, tens * 10)
            # Valid by construction (sorted codes of a real area, 0 <= min group <=
            # capacity, ascending tiers), so not validated a second time.
            reshaped.append(offer.model_copy(update={
                "municipalities": sorted(area),
                "capacity_per_week": capacity,
                "min_group_per_week": min_group,
                "price_tiers": self._tiers(offer, capacity),
                "fixed_cost_per_week_eur": fixed,
            }))
        return reshaped

    def _tiers(self, offer: SnapshotOffer, capacity: int) -> list[PriceTier]:
        """All-units tiers at the family's shares of the offer's season volume."""
        cents = int(offer.price_tiers[0].unit_price_eur * 100)
        tiers = [PriceTier(min_volume=0, unit_price_eur=money(cents))]
        season_volume = capacity * len(offer.weeks)
        for (low, high), discount in self.spec.tiers:
            volume = max(1, round(season_volume * self.rng.uniform(low, high)))
            if volume > tiers[-1].min_volume:
                price = cents * (100 - discount) // 100
                tiers.append(PriceTier(min_volume=volume, unit_price_eur=money(price - price % 50)))
        return tiers


def describe(snapshot: RoundSnapshot) -> dict[str, float]:
    """The figures that tell the families apart (for tests and the benchmark's header)."""
    lines, offers = snapshot.demand_lines, snapshot.offers
    categories: dict[str, int] = {}
    for line in lines:
        categories[line.category.value] = categories.get(line.category.value, 0) + 1
    top = max(categories, key=categories.get)
    spreads = [o.price_tiers[-1].min_volume / o.price_tiers[1].min_volume
               for o in offers if len(o.price_tiers) >= 3]
    return {
        "lines": len(lines),
        "offers": len(offers),
        "firms": len(snapshot.firms),
        "lines_per_offer": len(lines) / max(1, len(offers)),
        "top_category": top,
        "top_category_share": categories[top] / max(1, len(lines)),
        "weeks_per_line": sum(len(line.weeks) for line in lines) / max(1, len(lines)),
        "capacity_median": sorted(o.capacity_per_week for o in offers)[len(offers) // 2],
        "min_group_share": sum(o.min_group_per_week / o.capacity_per_week for o in offers)
        / max(1, len(offers)),
        "tier_spread_median": sorted(spreads)[len(spreads) // 2] if spreads else 0.0,
    }
