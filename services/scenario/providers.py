"""Providers and their capacity offers.

A province's supply looks like Modena's welfare card: mostly social
cooperatives (TradateWelfare had 14), some associations, a couple of public
bodies. Each offer serves the municipalities within a radius of where it runs,
so small mountain villages can be out of every offer's reach; a few providers
reach across the province border, so that rounds do not split trivially by
province.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field

from schemas.capacity import PriceTier, ProviderProfile
from schemas.snapshot import SnapshotOffer
from schemas.types import Category, ProviderKind
from services.scenario.catalogue import OFFERS
from services.scenario.draw import pick
from services.scenario.model import ProviderSite, Season, money
from services.scenario.municipalities import Municipality, Plane

# The Modena base: about 65 services from 21 providers.
MODENA_OFFERS = {
    Category.CHILDCARE: 22,
    Category.HOME_CARE: 13,
    Category.FAMILY_ASSISTANT: 7,
    Category.BABYSITTING: 10,
    Category.CONCIERGE: 13,
}
MODENA_PROVIDERS = {
    ProviderKind.COOPERATIVE: 14,
    ProviderKind.ASSOCIATION: 5,
    ProviderKind.PUBLIC_BODY: 2,
}
OFFERS_PER_PROVIDER = 3.1
CROSS_BORDER_SHARE = 0.12  # providers of an added province reaching its neighbours

# Which kinds run which services, and how their prices compare (percent).
_RUNS = {
    ProviderKind.COOPERATIVE: {
        Category.CHILDCARE, Category.HOME_CARE, Category.FAMILY_ASSISTANT, Category.BABYSITTING,
    },
    ProviderKind.ASSOCIATION: {Category.CHILDCARE, Category.BABYSITTING, Category.CONCIERGE},
    ProviderKind.PUBLIC_BODY: {Category.CHILDCARE, Category.HOME_CARE, Category.CONCIERGE},
}
_PRICE_PERCENT = {
    ProviderKind.COOPERATIVE: 100,
    ProviderKind.ASSOCIATION: 92,
    ProviderKind.PUBLIC_BODY: 90,
}
_MAX_OFFERS = {ProviderKind.PUBLIC_BODY: 3}
_ASSOCIATIONS = ("Polisportiva", "APS Centro per le famiglie", "Associazione Mano Amica")
_COOP_NAMES = (
    "Il Girasole", "La Lanterna", "Arcobaleno", "Il Melograno", "La Quercia", "Il Faro",
    "L'Aquilone", "La Rondine", "Il Ponte", "Oltre", "Insieme", "La Bussola", "Il Gabbiano",
    "Sole e Luna", "Il Mosaico", "La Tenda", "Il Cerchio", "Germoglio", "La Meridiana",
    "Il Seme", "Nuovi Orizzonti", "La Sorgente",
)


@dataclass(frozen=True)
class Supply:
    """The geography one province's providers work in."""

    home: tuple[Municipality, ...]  # the province's municipalities
    cum_weights: tuple[int, ...]  # cumulative population: offers run where people live
    beyond: tuple[Municipality, ...]  # other provinces' municipalities a few may reach
    plane: Plane
    _home_points: list = field(default_factory=list, compare=False, repr=False)
    _nearest: dict = field(default_factory=dict, compare=False, repr=False)

    def area(self, base: Municipality, radius_km: float, cross_border: bool) -> list[str]:
        """ISTAT codes within the radius of ``base``, nearest first."""
        key = (base.code, cross_border)
        if key not in self._nearest:
            if not self._home_points:
                self._home_points.extend(self.plane.points(self.home))
            # A cheap box of about 30 km first: ``beyond`` can be large.
            beyond = [
                m
                for m in (self.beyond if cross_border else ())
                if abs(m.lat - base.lat) < 0.27 and abs(m.lon - base.lon) < 0.38
            ]
            near = self.plane.distances(base, self._home_points + self.plane.points(beyond))
            self._nearest[key] = ([d for d, _ in near], [code for _, code in near])
        distances, codes = self._nearest[key]
        return codes[: bisect.bisect_right(distances, radius_km)] or [base.code]


def provider_kinds(offers: int) -> list[ProviderKind]:
    """Kinds of the providers of a province with that many offers."""
    total = max(2, round(offers / OFFERS_PER_PROVIDER))
    public = max(1, round(total * 0.09))
    associations = max(1, round(total * 0.24))
    cooperatives = max(1, total - public - associations)
    return (
        [ProviderKind.COOPERATIVE] * cooperatives
        + [ProviderKind.ASSOCIATION] * associations
        + [ProviderKind.PUBLIC_BODY] * public
    )


def offer_mix(offers: int) -> dict[Category, int]:
    """Offers per category in Modena's proportions, summing to ``offers``."""
    base = sum(MODENA_OFFERS.values())
    exact = {c: offers * n / base for c, n in MODENA_OFFERS.items()}
    mix = {c: int(v) for c, v in exact.items()}
    by_remainder = sorted(exact, key=lambda c: (mix[c] - exact[c], c.value))
    for c in by_remainder[: offers - sum(mix.values())]:
        mix[c] += 1
    return mix


def build_supply(
    rng: random.Random,
    abbr: str,
    first_index: int,
    kinds: list[ProviderKind],
    mix: dict[Category, int],
    supply: Supply,
    season: Season,
    capacity_factor: float = 1.0,
) -> tuple[list[ProviderSite], list[tuple[str, SnapshotOffer]]]:
    """Providers numbered from ``first_index`` and their offers."""
    sites = []
    # Each cooperative of a province its own name, while the list lasts.
    coop_names = rng.sample(_COOP_NAMES, len(_COOP_NAMES))
    for i, kind in enumerate(kinds, start=first_index):
        seat = pick(rng, supply.home, supply.cum_weights)
        if kind is ProviderKind.COOPERATIVE:
            name = f"Cooperativa sociale {coop_names[i % len(coop_names)]} ({seat.name})"
        else:
            name = _name(rng, kind, seat)
        provider = ProviderProfile(provider_id=f"{abbr}-P{i:04d}", name=name, kind=kind)
        sites.append(ProviderSite(provider=provider, municipality=seat.code))
    cross_border = {
        s.provider.provider_id for s in sites if supply.beyond and rng.random() < CROSS_BORDER_SHARE
    }
    load = {s.provider.provider_id: 0 for s in sites}
    seats = {s.provider.provider_id: s.municipality for s in sites}
    kind_of = {s.provider.provider_id: s.provider.kind for s in sites}
    by_code = {m.code: m for m in supply.home}
    offers = []
    slots = [c for c in mix for _ in range(mix[c])]
    rng.shuffle(slots)
    for category in slots:
        able = [
            pid
            for pid, kind in kind_of.items()
            if category in _RUNS[kind] and load[pid] < _MAX_OFFERS.get(kind, 99)
        ] or list(kind_of)
        # Deal each service to the least busy provider that runs it.
        fewest = min(load[pid] for pid in able)
        pid = rng.choice([p for p in able if load[p] == fewest])
        load[pid] += 1
        # Half the offers run at the provider's seat, the rest where people live.
        if rng.random() < 0.5:
            base = by_code[seats[pid]]
        else:
            base = pick(rng, supply.home, supply.cum_weights)
        radius = rng.uniform(*OFFERS[category].radius_km)
        area = supply.area(base, radius, pid in cross_border)
        offer_id = f"{pid}-O{load[pid]:02d}"
        offer = _offer(rng, pid, offer_id, category, kind_of[pid], area, season, capacity_factor)
        offers.append((pid, offer))
    offers.sort(key=lambda pair: pair[1].offer_id)
    return sites, offers


def _offer(
    rng: random.Random,
    provider_id: str,
    offer_id: str,
    category: Category,
    kind: ProviderKind,
    area: list[str],
    season: Season,
    capacity_factor: float,
) -> SnapshotOffer:
    """One offer, built as the snapshot's type: a ``CapacityOffer`` with its provider."""
    profile = OFFERS[category]
    weeks = _weeks(rng, category, season)
    step = 5 if profile.capacity[0] >= 20 else 1
    capacity = max(step, round(rng.randint(*profile.capacity) * capacity_factor / step) * step)
    min_group = min(capacity, rng.randint(*profile.min_group))
    price = rng.randint(*profile.price_cents) * _PRICE_PERCENT[kind] // 100
    price -= price % (100 if price >= 5000 else 50)
    tiers = [PriceTier(min_volume=0, unit_price_eur=money(price))]
    season_volume = capacity * len(weeks)
    for share, discount in profile.tiers:
        volume = max(1, round(season_volume * share))
        if volume > tiers[-1].min_volume:
            discounted = price * (100 - discount) // 100
            discounted -= discounted % 50
            tiers.append(PriceTier(min_volume=volume, unit_price_eur=money(discounted)))
    tags = [tag for tag, p in profile.tags if rng.random() < p]
    if kind is ProviderKind.PUBLIC_BODY:
        tags = sorted(set(tags) | {"accessible", "inclusive"})  # public services admit everyone
    fixed = rng.randint(*profile.fixed_cents)
    return SnapshotOffer(
        provider_id=provider_id,
        offer_id=offer_id,
        category=category,
        municipalities=area,
        weeks=weeks,
        capacity_per_week=capacity,
        min_group_per_week=min_group,
        price_tiers=tiers,
        fixed_cost_per_week_eur=money(fixed - fixed % 1000),
        tags=tags,
    )


def _weeks(rng: random.Random, category: Category, season: Season) -> list[str]:
    weeks = list(season.weeks)
    if OFFERS[category].weeks == "summer" and season.camp_weeks:
        weeks = list(season.camp_weeks)
        if rng.random() < 0.25 and season.ferragosto:
            # June-July camps: they stop before the August closure.
            weeks = [w for w in weeks if w < season.ferragosto[0]] or weeks
        elif rng.random() < 0.5:
            weeks = [w for w in weeks if w not in season.ferragosto] or weeks
    elif rng.random() < 0.2:
        # Some services close for the Ferragosto weeks too.
        weeks = [w for w in weeks if w not in season.ferragosto] or weeks
    return weeks


def _name(rng: random.Random, kind: ProviderKind, seat: Municipality) -> str:
    if kind is ProviderKind.ASSOCIATION:
        label = rng.choice(_ASSOCIATIONS)
        return f"{label} {seat.name}"
    return rng.choice(("Servizi educativi del Comune di", "ASP Servizi alla persona di")) + (
        f" {seat.name}"
    )
