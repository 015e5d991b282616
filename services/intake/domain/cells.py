"""Cells: the groups of answers that become demand lines, and their stable line ids."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from schemas.types import weeks_between
from services.intake.domain.answers import SurveyAnswer

_MAX_ID = 100  # the Identifier type's length limit


@dataclass(frozen=True, order=True)
class Cell:
    """Answers that need the same thing: one category, one municipality, one set of weeks.

    The weeks stay exact: a line's units are needed in every one of its weeks
    (continuity), so answers over different weeks cannot share a line.
    """

    category: str
    municipality: str
    weeks: tuple[str, ...]

    @classmethod
    def of(cls, answer: SurveyAnswer) -> Cell:
        return cls(answer.category.value, answer.municipality, tuple(answer.weeks))


def line_id(firm_id: str, cell: Cell) -> str:
    """``<firm>.<category>.<municipality>.<first week>-<last week>``, stable for the cell.

    Derived from the cell alone, so that re-aggregating after a change replaces
    the line instead of adding one. Weeks with gaps get a short digest of the
    week list, so that two cells with the same first and last week differ.
    """
    first, last = cell.weeks[0], cell.weeks[-1]
    text = f"{firm_id}.{cell.category}.{cell.municipality}.{first}-{last}"
    if list(cell.weeks) != weeks_between(first, last):
        text += "." + _digest(";".join(cell.weeks))[:8]
    if len(text) > _MAX_ID:
        text = f"{firm_id[:75]}.{_digest(text)[:24]}"
    return text


def secret_order(secret: bytes) -> Callable[[Cell], str]:
    """An order of cells that only the holder of ``secret`` can reproduce."""

    def rank(cell: Cell) -> str:
        text = f"{cell.category}|{cell.municipality}|{';'.join(cell.weeks)}"
        return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()

    return rank


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
