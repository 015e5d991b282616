"""Demand lines: what a firm's employees need, aggregated to at least k of them.

Employees live near their firm: most in its municipality, the others in the
municipalities around it, more where more people live. Childcare falls in the
school-closure weeks; care and concierge needs run through the round.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from schemas.snapshot import SnapshotLine
from schemas.types import Category, Payer
from services.scenario.catalogue import DEMAND, K_ANONYMITY
from services.scenario.draw import pick
from services.scenario.model import FirmSite, Season, money
from services.scenario.municipalities import Municipality, Plane

# Share of a firm's employees whose needs reach a published line, and how many
# respondents a line aggregates on average: together they set lines per firm.
NEED_RATE = (0.4, 0.7)
RESPONDENTS_PER_LINE = 14
COMMUTE_KM = 25.0
HOME_SHARE = 0.5  # lines in the firm's own municipality

_CATEGORIES = tuple(DEMAND)
_CUM_SHARES = tuple(itertools.accumulate(DEMAND[c].share for c in _CATEGORIES))
# Municipalities pay for some public-service users (BiellaWelfare-style).
_MUNICIPALITY_PAYS = {
    Category.HOME_CARE: 0.12,
    Category.FAMILY_ASSISTANT: 0.12,
    Category.CHILDCARE: 0.04,
}


@dataclass(frozen=True)
class Residences:
    """Where a firm's employees may live, with how likely each place is."""

    places: tuple[Municipality, ...]
    cum_weights: tuple[float, ...]  # cumulative, as random.choices takes them

    @classmethod
    def around(
        cls, seat: Municipality, by_code: dict[str, Municipality], points: list, plane: Plane
    ) -> Residences:
        """``points``: the province's municipalities as ``Plane.points`` gives them."""
        places, weights = [], []
        for d, code in plane.distances(seat, points):
            if d > COMMUTE_KM:
                break
            if code != seat.code:
                places.append(by_code[code])
                weights.append(by_code[code].population / (1 + d / 5) ** 2)
        return cls(tuple(places), tuple(itertools.accumulate(weights)))

    def draw(self, rng: random.Random, seat: Municipality) -> Municipality:
        if not self.places or rng.random() < HOME_SHARE:
            return seat
        return pick(rng, self.places, self.cum_weights)


def line_count(rng: random.Random, employees: int) -> tuple[int, int]:
    """How many lines a firm publishes, and how many employees they aggregate."""
    respondents = max(K_ANONYMITY, min(employees, round(employees * rng.uniform(*NEED_RATE))))
    lines = max(1, min(respondents // K_ANONYMITY, round(respondents / RESPONDENTS_PER_LINE)))
    return lines, respondents


def firm_lines(
    rng: random.Random,
    site: FirmSite,
    seat: Municipality,
    residences: Residences,
    season: Season,
    count: int,
    respondents: int,
) -> list[SnapshotLine]:
    """``count`` lines sharing ``respondents`` employees, each at least k of them."""
    shares = _split(rng, respondents, count)
    lines = []
    for j, people in enumerate(shares, start=1):
        category = pick(rng, _CATEGORIES, _CUM_SHARES)
        lines.append(
            make_line(
                rng,
                firm_id=site.firm.firm_id,
                line_id=f"{site.firm.firm_id}-L{j:02d}",
                category=category,
                municipality=residences.draw(rng, seat).code,
                season=season,
                respondents=people,
            )
        )
    return lines


def make_line(
    rng: random.Random,
    firm_id: str,
    line_id: str,
    category: Category,
    municipality: str,
    season: Season,
    respondents: int,
) -> SnapshotLine:
    """One line, built as the snapshot's type: a ``DemandLine`` with its firm."""
    profile = DEMAND[category]
    vulnerable = rng.random() < profile.vulnerable
    payer = Payer.MUNICIPALITY if rng.random() < _MUNICIPALITY_PAYS.get(category, 0) else Payer.FIRM
    if payer is Payer.MUNICIPALITY:
        vulnerable = True  # municipalities pay for the users their social services follow
    priority = rng.choice((4, 5)) if vulnerable else rng.choices((1, 2, 3), (5, 3, 2))[0]
    units = max(1, round(respondents * rng.uniform(*profile.units_per_respondent)))
    return SnapshotLine(
        firm_id=firm_id,
        line_id=line_id,
        category=category,
        municipality=municipality,
        weeks=pick_weeks(rng, category, season),
        units=units,
        max_unit_price_eur=money(_round_price(rng.randint(*profile.max_price_cents))),
        priority=priority,
        required_tags=[tag for tag, p in profile.tags if rng.random() < p],
        payer=payer,
        respondents=respondents,
    )


def pick_weeks(rng: random.Random, category: Category, season: Season) -> list[str]:
    """A run of consecutive weeks: camp weeks for childcare, any for the rest."""
    low, high = DEMAND[category].weeks
    camps = category is Category.CHILDCARE and season.camp_weeks
    pool = season.camp_weeks if camps else season.weeks
    length = min(len(pool), rng.randint(low, high))
    if category is Category.CHILDCARE and rng.random() < 0.6:
        # Most parents need the first weeks after school ends.
        start = rng.randint(0, min(2, len(pool) - length))
    else:
        start = rng.randint(0, len(pool) - length)
    return list(pool[start : start + length])


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` into ``parts`` shares of at least k each (total >= k * parts)."""
    shares = [K_ANONYMITY] * parts
    for _ in range(total - K_ANONYMITY * parts):
        shares[rng.randrange(parts)] += 1
    return shares


def _round_price(cents: int) -> int:
    # Firms state whole euros above 50 EUR, half euros below.
    step = 100 if cents >= 5000 else 50
    return cents - cents % step
