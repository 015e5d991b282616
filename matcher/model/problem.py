"""The optimiser's input: an immutable, validated, index-based problem.

Nothing here knows about snapshots, ids or euro cents: lines, offers and weeks
are positions in tuples, money is a float. A round snapshot becomes one of
these in ``matcher/round/from_snapshot.py``; a benchmark builds one directly with
``ProblemData.from_arrays`` (capacitated facility location).

Pairs list the (line, offer) combinations that are structurally compatible
(category, area, weeks, tags, not declined); the price rule depends on the
tier the offer ends up in, so it is applied per tier when the model is built.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    """All-units price: from ``min_volume`` unit-weeks on, every unit-week costs ``price``."""

    min_volume: int
    price: float


@dataclass(frozen=True)
class Line:
    units: int  # units needed in each of the line's weeks
    weeks: tuple[int, ...]  # week indices, sorted
    weight: float = 1.0  # value of one served unit-week (the priority weight)
    max_price: float = math.inf  # highest unit-week price accepted (tier price + extra)
    firm: int = -1  # index into ProblemData.budgets, -1 for none
    pays_budget: bool = False  # whether its unit costs count against the firm's budget
    must_serve: bool = False  # every unit must be served (facility location)


@dataclass(frozen=True)
class Offer:
    capacity: int  # units per running week
    weeks: tuple[int, ...]  # weeks it can run, sorted
    min_group: int = 0  # a running week carries at least this many units
    tiers: tuple[Tier, ...] = (Tier(0, 0.0),)
    fixed_cost: float = 0.0  # per running week, paid by the network


@dataclass(frozen=True)
class Pair:
    line: int
    offer: int
    extra_cost: float = 0.0  # added to the tier price for this pair, per unit-week
    pinned: int = 0  # units that must stay on this offer
    previous: int = 0  # units in the previous committed round (for least change)


def many_pairs(lines: Sequence[int], offers: Sequence[int], extra_costs: Sequence[float],
               pinned: Sequence[int], previous: Sequence[int]) -> tuple[Pair, ...]:
    """``Pair(*fields)`` per position, the same objects, built without the frozen
    ``__init__``'s one ``object.__setattr__`` per field (1.4 million pairs at 100k lines)."""
    new, put = object.__new__, object.__setattr__
    result = []
    append = result.append
    for line, offer, extra, pin, prev in zip(lines, offers, extra_costs, pinned, previous,
                                             strict=True):
        pair = new(Pair)
        put(pair, "__dict__", {"line": line, "offer": offer, "extra_cost": extra,
                               "pinned": pin, "previous": prev})
        append(pair)
    return tuple(result)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Cyclic garbage collection held off while millions of objects are built.

    They hold no cycles, but each collection walks every object alive: building a
    100k-line round took two to three times as long with the collector running.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass(frozen=True)
class ProblemData:
    lines: tuple[Line, ...]
    offers: tuple[Offer, ...]
    pairs: tuple[Pair, ...]
    budgets: tuple[float, ...] = ()  # per firm, on the unit costs of its paying lines

    def __post_init__(self) -> None:
        _validate(self)

    @classmethod
    def trusted(cls, lines: tuple[Line, ...], offers: tuple[Offer, ...], pairs: tuple[Pair, ...],
                budgets: tuple[float, ...]) -> ProblemData:
        """Without validation: for parts cut from a problem that was validated whole."""
        data = object.__new__(cls)
        for name, value in (("lines", lines), ("offers", offers), ("pairs", pairs),
                            ("budgets", budgets)):
            object.__setattr__(data, name, value)
        return data

    @classmethod
    def from_arrays(
        cls,
        demands: Sequence[int],
        capacities: Sequence[int],
        fixed_costs: Sequence[float],
        unit_costs: Sequence[Sequence[float]],
        *,
        must_serve: bool = True,
    ) -> ProblemData:
        """A capacitated facility location instance, one week long.

        ``demands[i]`` units for customer i, ``capacities[j]`` and
        ``fixed_costs[j]`` for facility j, ``unit_costs[i][j]`` the cost of one
        unit of i served by j (``math.inf`` forbids the pair). Demand may be
        split; with ``must_serve`` every unit must be served and the objective
        is the total cost.
        """
        lines = tuple(Line(units=int(d), weeks=(0,), must_serve=must_serve) for d in demands)
        offers = tuple(
            Offer(capacity=int(c), weeks=(0,), fixed_cost=float(f))
            for c, f in zip(capacities, fixed_costs, strict=True)
        )
        pairs = tuple(
            Pair(line=i, offer=j, extra_cost=float(cost))
            for i, row in enumerate(unit_costs)
            for j, cost in enumerate(row)
            if math.isfinite(cost)
        )
        return cls(lines=lines, offers=offers, pairs=pairs)


def _validate(data: ProblemData) -> None:
    for i, line in enumerate(data.lines):
        if line.units < 1 or not line.weeks or list(line.weeks) != sorted(set(line.weeks)):
            raise ValueError(f"lines[{i}]: units must be positive and weeks sorted, unique")
        if line.firm >= len(data.budgets) or (line.pays_budget and line.firm < 0):
            raise ValueError(f"lines[{i}].firm: no budget for firm {line.firm}")
    for j, offer in enumerate(data.offers):
        if not 0 <= offer.min_group <= offer.capacity or offer.capacity < 1:
            raise ValueError(f"offers[{j}]: need 0 <= min_group <= capacity, capacity >= 1")
        volumes = [t.min_volume for t in offer.tiers]
        if not volumes or volumes[0] != 0 or volumes != sorted(set(volumes)):
            raise ValueError(f"offers[{j}].tiers: must start at 0 and strictly increase")
    seen: set[tuple[int, int]] = set()
    for k, pair in enumerate(data.pairs):
        if not (0 <= pair.line < len(data.lines) and 0 <= pair.offer < len(data.offers)):
            raise ValueError(f"pairs[{k}]: line or offer out of range")
        if (pair.line, pair.offer) in seen:
            raise ValueError(f"pairs[{k}]: pair ({pair.line}, {pair.offer}) repeated")
        seen.add((pair.line, pair.offer))
        if not set(data.lines[pair.line].weeks) <= set(data.offers[pair.offer].weeks):
            raise ValueError(f"pairs[{k}]: the line's weeks are not all in the offer's weeks")
        if min(pair.pinned, pair.previous) < 0 or not math.isfinite(pair.extra_cost):
            raise ValueError(f"pairs[{k}]: pinned and previous must be >= 0, extra cost finite")
