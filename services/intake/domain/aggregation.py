"""From one firm's survey answers to k-anonymous demand lines.

Cells. Answers are grouped by category, municipality and the exact set of
weeks: a line's units are needed in every one of its weeks and served in one
place, so merging answers over other weeks or municipalities would misstate
the need. Nothing is coarsened; a cell is published whole or not at all.

Primary suppression. A cell becomes a line only if at least k distinct
employees (``Settings.k_anonymity``, 10 by default) stand behind it; each
employee answers once per firm (the pseudonym is the key), so answers are
employees.

Secondary suppression (``suppression.py``). Lines are never totalled across
cells, in any event; the one published total is the firm's headcount, which
under full response gives away the number of withheld answers. More cells are
withheld until every withheld cell's count stays ambiguous given that total.
Ties between equally small cells are broken by an order keyed with the firm's
secret (``secret``), stored by intake and never published.

What a line says about its respondents:

- ``respondents``: the number of answers; ``units``: their sum.
- ``max_unit_price_eur``: the price that at least 80% of the respondents
  accept (the lower 20th percentile, nearest rank), rounded down to whole
  euros. Not the minimum: one respondent's extreme answer (a stray 0) would
  set the price for the whole line and would be that one person's datum.
- ``priority``: from the share of respondents with a vulnerability flag (a
  single parent, or a dependent relative), in five bands of 20%:
  ``1 + min(4, 5 * flagged // respondents)``. Each band spans at least two
  possible counts of flagged respondents once there are 10 or more of them,
  so a priority never says that all, or none, of a line's respondents are
  vulnerable, let alone which.
- ``required_tags``: the tags at least half of the respondents require
  (majority, not union). A union would publish a need that one employee has
  (``accessible`` for one person's disability) and would make the whole line
  unservable by providers without that tag. The minority's tag needs are the
  price of that choice.
- ``payer``: the firm; survey lines are paid from its welfare budget.

Across releases (``releases.py``): a cell's line moves only when its answers
changed by at least k since each earlier release, so that no two releases can
be differenced down to fewer than k answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from schemas.demand import DemandLine
from schemas.types import Payer
from services.intake.domain.answers import SurveyAnswer
from services.intake.domain.cells import Cell, line_id, secret_order
from services.intake.domain.suppression import withhold


@dataclass(frozen=True)
class Aggregation:
    lines: tuple[DemandLine, ...]
    withheld_answers: int
    primary_cells: int  # withheld for having fewer than k answers
    secondary_cells: int  # withheld to protect the primary ones
    # line id -> the answers it aggregates; stays in intake (releases.py needs them)
    answers_by_line: Mapping[str, tuple[SurveyAnswer, ...]] = field(default_factory=dict,
                                                                  compare=False)


def aggregate(
    firm_id: str, answers: Iterable[SurveyAnswer], k: int, secret: bytes
) -> Aggregation:
    cells: dict[Cell, list[SurveyAnswer]] = {}
    for answer in answers:
        cells.setdefault(Cell.of(answer), []).append(answer)
    counts = {cell: len(group) for cell, group in cells.items()}
    withheld = withhold(counts, k, tie_break=secret_order(secret))
    published = [cell for cell in sorted(cells) if cell not in withheld.cells]
    lines = tuple(summarise(firm_id, cell, cells[cell], secret) for cell in published)
    return Aggregation(
        lines=lines,
        withheld_answers=sum(len(cells[cell]) for cell in withheld.cells),
        primary_cells=len(withheld.primary),
        secondary_cells=len(withheld.secondary),
        answers_by_line={line.line_id: tuple(cells[cell])
                         for line, cell in zip(lines, published, strict=True)},
    )


def summarise(firm_id: str, cell: Cell, answers: Sequence[SurveyAnswer],
              secret: bytes) -> DemandLine:
    return DemandLine(
        line_id=line_id(firm_id, cell, secret),
        category=cell.category,
        municipality=cell.municipality,
        weeks=list(cell.weeks),
        units=sum(a.units for a in answers),
        max_unit_price_eur=accepted_price([a.max_unit_price_eur for a in answers]),
        priority=priority_band(sum(a.vulnerable for a in answers), len(answers)),
        required_tags=majority_tags(answers),
        payer=Payer.FIRM,
        respondents=len(answers),
    )


def accepted_price(prices: Sequence[Decimal]) -> Decimal:
    """The price at least 80% of the answers accept, in whole euros."""
    ordered = sorted(prices)
    return ordered[len(ordered) // 5].quantize(Decimal(1), rounding=ROUND_FLOOR)


def priority_band(flagged: int, respondents: int) -> int:
    return 1 + min(4, 5 * flagged // respondents)


def majority_tags(answers: Sequence[SurveyAnswer]) -> list[str]:
    votes: dict[str, int] = {}
    for answer in answers:
        for tag in answer.required_tags:
            votes[tag] = votes.get(tag, 0) + 1
    return sorted(tag for tag, n in votes.items() if 2 * n >= len(answers))
