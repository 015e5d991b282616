"""What each service category looks like: units, prices, groups, areas, tags.

The figures are the generator's assumptions around the brief's anchors
(summer camp about 100-180 EUR a child-week, home care about 20-25 EUR an
hour, camps needing 8-15 children a week); they are ranges so that offers
differ. Money is in euro cents here (integers stay exact); the generator turns
it into ``Money`` at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.types import Category


@dataclass(frozen=True)
class OfferProfile:
    """How providers of one category offer it."""

    unit: str  # what one unit is, for the summary
    radius_km: tuple[float, float]  # how far the offer reaches from its base
    capacity: tuple[int, int]  # units per week
    min_group: tuple[int, int]  # below this a week does not run (0: always runs)
    price_cents: tuple[int, int]  # first-tier price per unit-week
    # Volume discounts, all-units: (share of a season at capacity, discount %).
    tiers: tuple[tuple[float, int], ...]
    fixed_cents: tuple[int, int]  # cost of running one week, paid by the network
    tags: tuple[tuple[str, float], ...]  # tag and how often an offer has it
    weeks: str  # "summer" (camps), "all" (every week of the round)


@dataclass(frozen=True)
class DemandProfile:
    """How employees' needs of one category aggregate into a line."""

    share: float  # of a firm's lines
    units_per_respondent: tuple[float, float]  # children, hours or sessions a week
    max_price_cents: tuple[int, int]  # highest unit price the firm accepts
    weeks: tuple[int, int]  # how many weeks a line spans (a run inside the round)
    tags: tuple[tuple[str, float], ...]  # tag a line requires and how often
    vulnerable: float  # share of lines at priority 4-5


OFFERS: dict[Category, OfferProfile] = {
    # Summer camps (centri estivi): 100-180 EUR a child-week with lunch; a camp
    # needs 8-15 children to open a week; most close around Ferragosto.
    Category.CHILDCARE: OfferProfile(
        unit="child-weeks",
        radius_km=(8.0, 16.0),
        capacity=(25, 80),
        min_group=(8, 15),
        price_cents=(11500, 17500),
        tiers=((0.25, 5), (0.6, 10)),
        fixed_cents=(25000, 70000),
        tags=(("meals", 0.8), ("inclusive", 0.35), ("accessible", 0.5), ("outdoor", 0.4),
              ("transport", 0.2), ("bilingual", 0.1)),
        weeks="summer",
    ),
    # Home care for dependent relatives (assistenza domiciliare): 20-25 EUR an
    # hour; no minimum, a carer is sent for any number of hours.
    Category.HOME_CARE: OfferProfile(
        unit="care-hours",
        radius_km=(15.0, 28.0),
        capacity=(80, 320),
        min_group=(0, 0),
        price_cents=(2100, 2550),
        tiers=((0.3, 4), (0.7, 8)),
        fixed_cents=(0, 8000),
        tags=(("accessible", 0.7), ("dementia_care", 0.35), ("night", 0.15),
              ("bilingual", 0.1)),
        weeks="all",
    ),
    # A family assistant shared by several families (Bologna's "assistente
    # familiare condivisa"): cheaper hours, but only worth hiring for enough.
    Category.FAMILY_ASSISTANT: OfferProfile(
        unit="assistant-hours",
        radius_km=(10.0, 18.0),
        capacity=(40, 140),
        min_group=(15, 30),
        price_cents=(1500, 1850),
        tiers=((0.5, 5),),
        fixed_cents=(5000, 15000),
        tags=(("accessible", 0.5), ("dementia_care", 0.3), ("bilingual", 0.15)),
        weeks="all",
    ),
    # Vetted babysitters on demand (METROTATA-like), a session of about three
    # hours: 30-45 EUR.
    Category.BABYSITTING: OfferProfile(
        unit="sessions",
        radius_km=(12.0, 20.0),
        capacity=(20, 70),
        min_group=(0, 5),
        price_cents=(3200, 4200),
        tiers=((0.4, 6),),
        fixed_cents=(0, 6000),
        tags=(("bilingual", 0.3), ("inclusive", 0.3), ("evening", 0.5)),
        weeks="all",
    ),
    # Neighbourhood concierge (errands, laundry, parcels): 8-14 EUR a session,
    # run by associations close to home.
    Category.CONCIERGE: OfferProfile(
        unit="sessions",
        radius_km=(5.0, 12.0),
        capacity=(30, 120),
        min_group=(0, 10),
        price_cents=(800, 1400),
        tiers=((0.5, 8),),
        fixed_cents=(4000, 15000),
        tags=(("accessible", 0.4), ("transport", 0.3)),
        weeks="all",
    ),
}

DEMAND: dict[Category, DemandProfile] = {
    # 1-1.5 children per parent; a run of 3-8 camp weeks.
    Category.CHILDCARE: DemandProfile(
        share=0.42,
        units_per_respondent=(1.0, 1.5),
        max_price_cents=(11500, 19500),
        weeks=(3, 9),
        tags=(("meals", 0.45), ("inclusive", 0.06), ("accessible", 0.04), ("transport", 0.04),
              ("bilingual", 0.03)),
        vulnerable=0.15,
    ),
    # 4-10 care hours a week per dependent relative, for most of the round.
    Category.HOME_CARE: DemandProfile(
        share=0.18,
        units_per_respondent=(4.0, 10.0),
        max_price_cents=(2000, 2800),
        weeks=(6, 13),
        tags=(("accessible", 0.25), ("dementia_care", 0.12), ("night", 0.04)),
        vulnerable=0.6,
    ),
    Category.FAMILY_ASSISTANT: DemandProfile(
        share=0.08,
        units_per_respondent=(2.0, 5.0),
        max_price_cents=(1450, 2050),
        weeks=(6, 13),
        tags=(("accessible", 0.2), ("dementia_care", 0.1)),
        vulnerable=0.5,
    ),
    # One or two sessions a week per family.
    Category.BABYSITTING: DemandProfile(
        share=0.16,
        units_per_respondent=(1.0, 2.0),
        max_price_cents=(3000, 4600),
        weeks=(3, 10),
        tags=(("bilingual", 0.08), ("evening", 0.2), ("inclusive", 0.05)),
        vulnerable=0.2,
    ),
    Category.CONCIERGE: DemandProfile(
        share=0.16,
        units_per_respondent=(1.0, 2.5),
        max_price_cents=(800, 1600),
        weeks=(4, 13),
        tags=(("transport", 0.1),),
        vulnerable=0.05,
    ),
}

# The k-anonymity threshold: a published line aggregates at least this many
# employees (DESIGN.md, default 10).
K_ANONYMITY = 10
