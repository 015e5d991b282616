"""Employee-level survey answers for a few Modena firms, and their aggregates.

The Modena network began with a survey of its employees' needs. For a handful
of firms the generator writes what such a survey returns, one record per
responding employee, for intake to aggregate k-anonymously. Answers come in
cells (same firm, category, municipality of residence and period), some of at
least k = 10 employees and some smaller, so that suppression has work to do.

``survey.csv`` columns, one row per employee:

- ``pseudonym``: a random identifier, stable for a seed; no name, no birth date
- ``firm_id``: the employer, as in network.json
- ``category``: childcare, home_care, family_assistant, babysitting, concierge
- ``municipality``: ISTAT code of the municipality where the employee lives
- ``weeks``: ISO weeks needed, ``;``-separated (e.g. ``2027-W24;2027-W25``)
- ``units``: units needed in each of those weeks (children, care hours, sessions)
- ``max_unit_price_eur``: the most the employee would see paid per unit-week
- ``single_parent``, ``dependent_relative``: ``true`` or ``false``
- ``required_tags``: ``;``-separated tags (``accessible``, ``meals``...), may be empty

Those firms' lines in demand_lines.json are this survey aggregated the plain
way (cells of at least k, no secondary suppression), see ``aggregate``:
intake, which owns the real aggregation, may publish fewer.
"""

from __future__ import annotations

import random
import statistics

from schemas.snapshot import SnapshotLine
from schemas.types import Category
from services.scenario.catalogue import DEMAND, K_ANONYMITY
from services.scenario.demand import Residences, pick_weeks
from services.scenario.model import FirmSite, Season, SurveyAnswer, money
from services.scenario.municipalities import Municipality

SURVEY_FIRMS = 5
_CATEGORIES = tuple(DEMAND)
_SHARES = tuple(DEMAND[c].share for c in _CATEGORIES)


def survey_answers(
    rng: random.Random,
    site: FirmSite,
    seat: Municipality,
    residences: Residences,
    season: Season,
) -> list[SurveyAnswer]:
    """The answers of one firm's responding employees, cell by cell."""
    respondents = round(site.firm.employees * rng.uniform(0.45, 0.7))
    # One cell of k or more per 25 respondents; the rest in cells below k.
    sizes = [rng.randint(K_ANONYMITY, 18) for _ in range(max(1, respondents // 25))]
    remaining = respondents - sum(sizes)
    while remaining > 0:
        sizes.append(min(remaining, rng.randint(1, K_ANONYMITY - 1)))
        remaining -= sizes[-1]
    cells: list[tuple[Category, str, tuple[str, ...], int]] = []
    seen = set()
    for size in sizes:
        while True:
            category = rng.choices(_CATEGORIES, _SHARES)[0]
            municipality = residences.draw(rng, seat).code
            weeks = tuple(pick_weeks(rng, category, season))
            if (category, municipality, weeks) not in seen:
                break  # a repeated cell would merge with the first one
        seen.add((category, municipality, weeks))
        cells.append((category, municipality, weeks, size))
    answers = []
    for category, municipality, weeks, size in cells:
        profile = DEMAND[category]
        tags = [tag for tag, p in profile.tags if rng.random() < p * 1.5]
        typical = rng.randint(*profile.max_price_cents)
        for _ in range(size):
            dependent = rng.random() < (0.85 if category in _CARE else 0.05)
            answers.append(
                SurveyAnswer(
                    pseudonym=f"p{rng.getrandbits(48):012x}",
                    firm_id=site.firm.firm_id,
                    category=category,
                    municipality=municipality,
                    weeks=weeks,
                    units=_units(rng, category),
                    max_unit_price_eur=money(_whole(typical * rng.uniform(0.9, 1.1))),
                    single_parent=rng.random() < 0.12,
                    dependent_relative=dependent,
                    required_tags=tuple(t for t in tags if rng.random() < 0.7),
                )
            )
    return answers


_CARE = {Category.HOME_CARE, Category.FAMILY_ASSISTANT}


def aggregate(answers: list[SurveyAnswer], firm_id: str) -> list[SnapshotLine]:
    """Cells of at least k answers become lines; smaller cells are withheld.

    Units add up; the price is the lower median of the answers (a firm offers
    what most of its employees accept); the priority is the lower median of
    the answers' (5 single parent, 4 dependent relative, else 1); a tag is
    required when at least half the answers require it.
    """
    cells: dict[tuple, list[SurveyAnswer]] = {}
    for a in answers:
        if a.firm_id == firm_id:
            cells.setdefault((a.category, a.municipality, a.weeks), []).append(a)
    lines = []
    for (category, municipality, weeks), group in cells.items():
        if len(group) < K_ANONYMITY:
            continue
        tags = sorted({t for a in group for t in a.required_tags})
        lines.append(
            SnapshotLine(
                firm_id=firm_id,
                line_id=f"{firm_id}-L{len(lines) + 1:02d}",
                category=category,
                municipality=municipality,
                weeks=list(weeks),
                units=sum(a.units for a in group),
                max_unit_price_eur=statistics.median_low(a.max_unit_price_eur for a in group),
                priority=statistics.median_low(_priority(a) for a in group),
                required_tags=[
                    t for t in tags if 2 * sum(t in a.required_tags for a in group) >= len(group)
                ],
                respondents=len(group),
            )
        )
    return lines


def _units(rng: random.Random, category: Category) -> int:
    if category is Category.CHILDCARE:
        return rng.choices((1, 2, 3), (65, 30, 5))[0]  # children of one employee
    low, high = DEMAND[category].units_per_respondent
    return max(1, round(rng.uniform(low, high)))


def _priority(answer: SurveyAnswer) -> int:
    return 5 if answer.single_parent else 4 if answer.dependent_relative else 1


def _whole(cents: float) -> int:
    return int(cents) - int(cents) % 100 if cents >= 5000 else int(cents) - int(cents) % 50
