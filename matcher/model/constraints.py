"""Constraint families on flows and weeks; each function writes its rows and nothing else.

Row families are named so that tests (and a curious reader of a model) can
find them: demand, pinned, capacity, min_group, linking here; tier_one, tier_link,
tier_low, tier_high, budget, change_up, change_down, fairness in
contract_rows.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from matcher.backends.linear import INF, LinearModel, Row
from matcher.model.prepare import Prepared
from matcher.model.variables import Columns


def add_demand(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # A line is served at most once per unit (exactly, if it must be served).
    for line_index, line in enumerate(prep.data.lines):
        cols = [col for k in prep.line_pairs[line_index] for _, col in c.x[k]]
        lower = line.units if line.must_serve else -INF
        if cols or line.must_serve:
            m.add_row(cols, [1.0] * len(cols), lower, line.units, "demand")


def add_pinned(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # Accepted units stay on their offer, whatever tier the contract ends in.
    for k, pair in enumerate(prep.data.pairs):
        if pair.pinned > 0:
            cols = [col for _, col in c.x.get(k, [])]
            m.add_row(cols, [1.0] * len(cols), pair.pinned, INF, "pinned")


def add_load(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # Per offer and week: not running, or load between the minimum group and the capacity.
    # Continuity needs no row: a pair's units count in every week of the line.
    for (o, w), pairs in prep.week_pairs.items():
        offer = prep.data.offers[o]
        cols = [col for k in pairs for _, col in c.x[k]]
        ones = [1.0] * len(cols)
        run = c.r.get((o, w))
        if run is None:
            m.add_row(cols, ones, -INF, offer.capacity, "capacity")
            continue
        m.add_row(cols + [run], ones + [-float(offer.capacity)], -INF, 0.0, "capacity")
        if offer.min_group > 0:
            m.add_row(cols + [run], ones + [-float(offer.min_group)], 0.0, INF, "min_group")


def add_linking(m: LinearModel, prep: Prepared, c: Columns) -> None:
    # A pair carries units only in weeks its offer runs (implied by capacity, but
    # stated per pair it tightens the relaxation a great deal: the classic strong
    # facility-location inequality). A part too large for all of them gets those its
    # relaxation breaks instead (search/separation.py).
    for row in linking_rows(prep, c, linking_candidates(prep, c)):
        m.add_row(*row)


def linking_candidates(prep: Prepared, c: Columns) -> Iterator[tuple[int, int]]:
    """Every (pair, week) that has a linking row: a week of the line in which the
    offer's running is a decision (it has a run column)."""
    for k in c.x:
        pair = prep.data.pairs[k]
        for w in prep.data.lines[pair.line].weeks:
            if (pair.offer, w) in c.r:
                yield k, w


def linking_top(prep: Prepared, k: int) -> int:
    """The most units pair ``k`` can carry in a week: its linking row's coefficient."""
    pair = prep.data.pairs[k]
    return min(prep.data.lines[pair.line].units, prep.data.offers[pair.offer].capacity)


def linking_rows(prep: Prepared, c: Columns, pair_weeks: Iterable[tuple[int, int]]
                 ) -> Iterator[Row]:
    """The linking row of each (pair, week): flow <= top x the offer-week's run."""
    for k, w in pair_weeks:
        cols = [col for _, col in c.x[k]]
        run = c.r[prep.data.pairs[k].offer, w]
        yield Row(cols + [run], [1.0] * len(cols) + [-float(linking_top(prep, k))],
                  -INF, 0.0, "linking")
