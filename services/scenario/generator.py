"""``generate(network, seed, demand_lines)``: a whole scenario, with no file I/O.

Each province draws from its own random stream, seeded by the seed and the
province, so the Modena base is the same whether or not provinces are added,
and one seed always gives the same scenario.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

from schemas.snapshot import SnapshotLine, SnapshotOffer
from schemas.types import weeks_between
from services.scenario import demand, firms, providers, scaling, survey
from services.scenario.model import FirmSite, ProviderSite, Scenario, Season, SurveyAnswer
from services.scenario.municipalities import (
    Municipality,
    Plane,
    Province,
    haversine_km,
    municipalities,
    provinces,
)
from services.scenario.school_calendar import bridge_weeks, closure_weeks

NETWORKS = {"modena": "036"}  # network id -> ISTAT code of its base province
DEFAULT_WEEKS = ("2027-W24", "2027-W36")  # summer 2027, the demo's round
MAX_WEEKS = 106  # the contracts' limit on a line's or offer's weeks
NEIGHBOUR_KM = 90.0  # provinces whose centres are this close may share a provider


def generate(
    network: str,
    seed: int,
    demand_lines: int | None = None,
    first_week: str = DEFAULT_WEEKS[0],
    last_week: str = DEFAULT_WEEKS[1],
) -> Scenario:
    """The network's base, plus provinces until there are ``demand_lines`` lines."""
    if network not in NETWORKS:
        raise ValueError(f"unknown network {network!r} (known: {', '.join(sorted(NETWORKS))})")
    season = make_season(first_week, last_week)
    base = provinces()[NETWORKS[network]]
    parts = [_base(seed, base, season)]
    if demand_lines is not None:
        added = scaling.plan(base, len(parts[0].lines), demand_lines)
        in_plan = list({p.code: p for p in [base] + [p for p, _ in added]}.values())
        for province, quota in added:
            start = parts[0] if province is base else None
            parts.append(_added(seed, province, quota, len(parts[0].lines), season, in_plan, start))
    return Scenario(
        network_id=network,
        seed=seed,
        first_week=first_week,
        last_week=last_week,
        provinces=tuple(dict.fromkeys(p.province for p in parts)),
        firms=tuple(f for p in parts for f in p.firms),
        providers=tuple(s for p in parts for s in p.providers),
        lines=tuple(pair for p in parts for pair in p.lines),
        offers=tuple(pair for p in parts for pair in p.offers),
        survey=tuple(a for p in parts for a in p.survey),
    )


def make_season(first_week: str, last_week: str) -> Season:
    if last_week < first_week:
        raise ValueError(f"the round ends ({last_week}) before it starts ({first_week})")
    weeks = weeks_between(first_week, last_week)
    if len(weeks) > MAX_WEEKS:
        raise ValueError(f"a round spans at most {MAX_WEEKS} weeks, not {len(weeks)}")
    # Camps run when schools are closed; a round without closure weeks falls
    # back to the weeks with a holiday, then to every week.
    camp = closure_weeks(first_week, last_week) or bridge_weeks(first_week, last_week) or weeks
    ferragosto = []
    for year in sorted({int(w[:4]) for w in weeks}):
        iso = dt.date(year, 8, 15).isocalendar()
        after = (dt.date(year, 8, 15) + dt.timedelta(weeks=1)).isocalendar()
        ferragosto += [f"{iso.year}-W{iso.week:02d}", f"{after.year}-W{after.week:02d}"]
    return Season(tuple(weeks), tuple(camp), tuple(w for w in ferragosto if w in weeks))


class _Part:
    """What one province contributes."""

    def __init__(self, province: str) -> None:
        self.province = province
        self.firms: list[FirmSite] = []
        self.providers: list[ProviderSite] = []
        self.lines: list[tuple[str, SnapshotLine]] = []
        self.offers: list[tuple[str, SnapshotOffer]] = []
        self.survey: list[SurveyAnswer] = []


def _base(seed: int, province: Province, season: Season) -> _Part:
    """The real network modelled: 50 firms, about 65 services, a survey."""
    part = _Part(province.code)
    rng = random.Random(f"{seed}/{province.code}/base")
    part.firms = firms.modena_firms(rng, province)
    large = [s.firm.firm_id for s in part.firms if s.firm.employees >= 40]
    surveyed = set(rng.sample(large, min(survey.SURVEY_FIRMS, len(large))))
    places = _Places(province)
    for site in part.firms:
        seat = places.seat(site)
        if site.firm.firm_id in surveyed:
            answers = survey.survey_answers(rng, site, seat, places.residences(seat), season)
            part.survey += answers
            lines = survey.aggregate(answers, site.firm.firm_id)
        else:
            count, respondents = demand.line_count(rng, site.firm.employees)
            lines = demand.firm_lines(
                rng, site, seat, places.residences(seat), season, count, respondents
            )
        part.lines += [(site.firm.firm_id, line) for line in lines]
    kinds = [k for k, n in providers.MODENA_PROVIDERS.items() for _ in range(n)]
    part.providers, part.offers = providers.build_supply(
        rng, province.abbr, 1, kinds, providers.MODENA_OFFERS, places.supply(()), season
    )
    return part


def _added(
    seed: int,
    province: Province,
    quota: int,
    base_lines: int,
    season: Season,
    in_plan: list[Province],
    extends: _Part | None,
) -> _Part:
    """Firms and providers of an added province, ``quota`` lines exactly.

    ``extends`` is the base when a very large scenario adds firms to the base
    province itself; numbering then continues after the base's.
    """
    part = _Part(province.code)
    rng = random.Random(f"{seed}/{province.code}/added")
    places = _Places(province)
    first_firm = len(extends.firms) + 1 if extends else 1
    made = 0
    while made < quota:
        firm_id = f"{province.abbr}-F{first_firm + len(part.firms):04d}"
        site = firms.added_firm(rng, firm_id, province.municipalities, places.cum_weights)
        count, respondents = demand.line_count(rng, site.firm.employees)
        count = min(count, quota - made)  # the last firm publishes what is left
        seat = places.seat(site)
        lines = demand.firm_lines(
            rng, site, seat, places.residences(seat), season, count, respondents
        )
        part.firms.append(site)
        part.lines += [(firm_id, line) for line in lines]
        made += len(lines)
    # Supply in the base's proportion up to the base's size; beyond it, more
    # lines bring both more offers and larger ones (a large cooperative runs
    # bigger camps, it does not open ten times as many).
    ratio = quota / base_lines
    growth = ratio**0.5 if ratio > 1 else 1.0
    offers = max(5, round(sum(providers.MODENA_OFFERS.values()) * ratio / growth))
    near = () if extends else _neighbours(province, in_plan)
    part.providers, part.offers = providers.build_supply(
        rng,
        province.abbr,
        len(extends.providers) + 1 if extends else 1,
        providers.provider_kinds(offers),
        providers.offer_mix(offers),
        places.supply(near),
        season,
        capacity_factor=growth,
    )
    return part


def _neighbours(province: Province, in_plan: list[Province]) -> tuple[Municipality, ...]:
    """Municipalities of nearby provinces of the plan close enough to reach."""
    lat, lon = province.centre
    south = min(m.lat for m in province.municipalities) - 0.3
    north = max(m.lat for m in province.municipalities) + 0.3
    west = min(m.lon for m in province.municipalities) - 0.4
    east = max(m.lon for m in province.municipalities) + 0.4
    return tuple(
        m
        for p in in_plan
        if p.code != province.code and haversine_km(lat, lon, *p.centre) <= NEIGHBOUR_KM
        for m in p.municipalities
        if south < m.lat < north and west < m.lon < east
    )


class _Places:
    """A province's municipalities, with the lookups the generators repeat."""

    def __init__(self, province: Province) -> None:
        self.province = province
        people = (m.population for m in province.municipalities)
        self.cum_weights = list(itertools.accumulate(people))
        self.plane = Plane(province.centre[0])
        self.points = self.plane.points(province.municipalities)
        self.by_code = {m.code: m for m in province.municipalities}
        self._residences: dict[str, demand.Residences] = {}

    def seat(self, site: FirmSite) -> Municipality:
        return municipalities()[site.municipality]

    def residences(self, seat: Municipality) -> demand.Residences:
        if seat.code not in self._residences:
            self._residences[seat.code] = demand.Residences.around(
                seat, self.by_code, self.points, self.plane
            )
        return self._residences[seat.code]

    def supply(self, beyond: tuple[Municipality, ...]) -> providers.Supply:
        return providers.Supply(
            self.province.municipalities, tuple(self.cum_weights), beyond, self.plane
        )
