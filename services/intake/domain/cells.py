"""Cells: the groups of answers that become demand lines, and their stable line ids."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

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


def line_id(firm_id: str, cell: Cell, secret: bytes) -> str:
    """``<firm>.<category>.<municipality>.<first week>-<last week>.<keyed digest>``.

    Derived from the cell, so that re-aggregating after a change replaces the
    line instead of adding one. The digest is keyed with the firm's secret and
    covers every week of the cell (so that cells with gaps differ): no other
    firm can compute the id, so none can take it first and then learn from the
    refusal which cells this firm publishes.
    """
    first, last = cell.weeks[0], cell.weeks[-1]
    text = f"{cell.category}|{cell.municipality}|{';'.join(cell.weeks)}"
    digest = hmac.new(secret, b"line-id|" + text.encode(), hashlib.sha256).hexdigest()
    readable = f"{firm_id}.{cell.category}.{cell.municipality}.{first}-{last}.{digest[:16]}"
    if len(readable) <= _MAX_ID:
        return readable
    return f"{firm_id[:75]}.{digest[:24]}"


def secret_order(secret: bytes) -> Callable[[Cell], str]:
    """An order of cells that only the holder of ``secret`` can reproduce."""

    def rank(cell: Cell) -> str:
        text = f"{cell.category}|{cell.municipality}|{';'.join(cell.weeks)}"
        return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()

    return rank
