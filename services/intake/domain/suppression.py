"""Which cells of one firm to withhold: primary (fewer than k) and secondary.

Secondary suppression exists because of one derivable total: the firm's
headcount (``FirmEnrolled.employees``). If every employee answered, headcount
minus the published respondents is the number of withheld answers, W. Had
only one cell been withheld, W would be its count. So the withheld cells,
taken together, must leave each one's count open: an attacker who knows W,
which cells are withheld, and that each holds between 1 and U answers (U being
k - 1 while only primary cells are withheld, else the smallest count still
published, since secondary cells are taken smallest first) must find at least
two counts possible for every withheld cell. While that fails, the smallest
published cell is withheld too (ties broken by the cell's order, so the choice
is deterministic).

The decision depends on the cells' counts only, never on their content, so
nothing about a withheld answer (units, price, flags, tags) can move anything
that is published.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Withholding(Generic[Key]):
    primary: frozenset[Key]  # fewer than k answers
    secondary: frozenset[Key]  # enough answers, withheld to protect the primary ones

    @property
    def cells(self) -> frozenset[Key]:
        return self.primary | self.secondary


def withhold(
    counts: Mapping[Key, int], k: int, tie_break: Callable[[Key], Any] = repr
) -> Withholding[Key]:
    """The cells to withhold, given each cell's number of answers.

    ``tie_break`` orders cells of equal count (smaller first); intake passes a
    keyed digest so that the order is the firm's secret.
    """
    primary = frozenset(cell for cell, n in counts.items() if n < k)
    if not primary:
        return Withholding(primary, frozenset())
    published = sorted(
        ((n, tie_break(cell), cell) for cell, n in counts.items() if cell not in primary),
        key=lambda entry: entry[:2],
    )
    hidden = [counts[cell] for cell in primary]
    secondary: list[Key] = []
    while published and not _ambiguous(hidden, _upper(k, secondary, published, hidden)):
        n, _, cell = published.pop(0)
        secondary.append(cell)
        hidden.append(n)
    return Withholding(primary, frozenset(secondary))


def _upper(k: int, secondary: list, published: list[tuple], hidden: list[int]) -> int:
    """The most answers any one withheld cell can hold, as far as an attacker knows."""
    if not secondary:
        return k - 1
    return published[0][0] if published else sum(hidden)


def _ambiguous(hidden: list[int], upper: int) -> bool:
    """Whether every withheld cell's count has two or more values consistent with
    the withheld total, each cell holding between 1 and ``upper`` answers.

    With equal bounds the range is the same for every cell: at least the total
    less what the others can hold at most, at most the total less what the
    others hold at least.
    """
    cells, total = len(hidden), sum(hidden)
    if cells < 2:
        return False
    lowest = max(1, total - (cells - 1) * upper)
    highest = min(upper, total - (cells - 1))
    return lowest < highest
