"""A solver-neutral linear model: columns, rows in compressed form, an objective.

The constraint families write into this; each backend translates it once, in
bulk. Keeping the model as plain lists makes every family testable without a
solver and lets the same model go to HiGHS and to CP-SAT.

Rows may carry an integer ``scale``: CP-SAT needs integer coefficients, so a
row whose coefficients are euro amounts is multiplied by 100 (cents) there.

A part's model lives as long as the part and is solved many times (its start,
then up to ``parallel.ROUNDS`` improvements). A stage that needs it changed for
one call (columns fixed, integrality forced or relaxed, another objective, a
budget row widened, a row that keeps a phase's coverage) changes it only inside
``overridden``, which puts back exactly what it changed when the block ends, on
an exception too: no stage's decision narrows a later stage's search.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

INF = math.inf


class Row(NamedTuple):
    """A row to add for the length of an override (``LinearModel.overridden``)."""

    cols: list[int]
    coefs: list[float]
    lower: float = -INF
    upper: float = INF
    family: str = ""
    scale: int = 1


@dataclass
class LinearModel:
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)  # objective, minimised
    offset: float = 0.0
    row_start: list[int] = field(default_factory=lambda: [0])
    row_cols: list[int] = field(default_factory=list)
    row_coefs: list[float] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    row_scale: list[int] = field(default_factory=list)
    row_family: list[str] = field(default_factory=list)

    @property
    def num_cols(self) -> int:
        return len(self.lower)

    @property
    def num_rows(self) -> int:
        return len(self.row_lower)

    def add_col(self, lower: float, upper: float, integer: bool, cost: float = 0.0) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        self.cost.append(cost)
        return len(self.lower) - 1

    def add_row(
        self,
        cols: list[int],
        coefs: list[float],
        lower: float = -INF,
        upper: float = INF,
        family: str = "",
        scale: int = 1,
    ) -> int:
        # Merge repeated columns so that every backend sees a clean sparse row.
        if len(set(cols)) != len(cols):
            merged: dict[int, float] = {}
            for c, a in zip(cols, coefs):
                merged[c] = merged.get(c, 0.0) + a
            cols, coefs = list(merged), list(merged.values())
        order = sorted(range(len(cols)), key=cols.__getitem__)
        self.row_cols.extend(cols[i] for i in order)
        self.row_coefs.extend(coefs[i] for i in order)
        self.row_start.append(len(self.row_cols))
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        self.row_scale.append(scale)
        self.row_family.append(family)
        return len(self.row_lower) - 1

    def pop_row(self) -> None:
        """Remove the last row (a temporary one)."""
        del self.row_cols[self.row_start[-2]:], self.row_coefs[self.row_start[-2]:]
        self.row_start.pop()
        for column in (self.row_lower, self.row_upper, self.row_scale, self.row_family):
            column.pop()

    @contextmanager
    def overridden(self, *, bounds: Mapping[int, tuple[float, float]] | None = None,
                   integrality: bool | Mapping[int, bool] | None = None,
                   objective: tuple[Sequence[float], float] | None = None,
                   row_upper: Mapping[int, float] | None = None,
                   rows: Sequence[Row] = ()) -> Iterator[LinearModel]:
        """The model changed for the length of a ``with`` block, then as it was.

        ``bounds``: column -> (lower, upper); ``integrality``: column -> integer, or
        one bool for every column; ``objective``: (cost per column, offset);
        ``row_upper``: row -> upper bound; ``rows``: rows added. On leaving, on an
        exception too, every value changed is put back and every row added inside
        the block (``rows``, or ``add_row`` in it) is removed: each of these is a
        decision of one stage (a fixing, a forced integrality, a phase's objective or
        coverage), not something true of every solution of the part. A cut valid for
        every solution belongs in the model's build (build.py), where it stays.
        Overrides nest; the inner one ends first.
        """
        saved_bounds = {col: (self.lower[col], self.upper[col]) for col in bounds or {}}
        saved_all_integer = self.integer  # put back whole when every column is set
        saved_integer = ({} if isinstance(integrality, bool)
                         else {col: self.integer[col] for col in integrality or {}})
        saved_objective = (self.cost, self.offset)
        saved_row_upper = {row: self.row_upper[row] for row in row_upper or {}}
        rows_before = self.num_rows
        try:
            for col, (low, up) in (bounds or {}).items():
                self.lower[col], self.upper[col] = low, up
            if isinstance(integrality, bool):  # a new list, as for the objective
                self.integer = [integrality] * self.num_cols
            else:
                for col, integer in (integrality or {}).items():
                    self.integer[col] = integer
            if objective is not None:
                # A new list: what the block writes into it never reaches the saved one.
                self.cost, self.offset = list(objective[0]), objective[1]
            for row, up in (row_upper or {}).items():
                self.row_upper[row] = up
            for row in rows:
                self.add_row(*row)
            yield self
        finally:
            while self.num_rows > rows_before:
                self.pop_row()
            for row, up in saved_row_upper.items():
                self.row_upper[row] = up
            self.cost, self.offset = saved_objective
            self.integer = saved_all_integer
            for col, integer in saved_integer.items():
                self.integer[col] = integer
            for col, (low, up) in saved_bounds.items():
                self.lower[col], self.upper[col] = low, up

    def row(self, index: int) -> tuple[list[int], list[float]]:
        start, end = self.row_start[index], self.row_start[index + 1]
        return self.row_cols[start:end], self.row_coefs[start:end]

    def rows_of(self, family: str) -> list[int]:
        return [i for i, name in enumerate(self.row_family) if name == family]

    def activity(self, index: int, values: list[float]) -> float:
        cols, coefs = self.row(index)
        return sum(a * values[c] for c, a in zip(cols, coefs))

    def violations(self, values: list[float], tol: float = 1e-6) -> list[str]:
        """Rows and bounds the values break (for tests of single families)."""
        bad = [f"col {c}" for c, v in enumerate(values)
               if v < self.lower[c] - tol or v > self.upper[c] + tol]
        for i in range(self.num_rows):
            a = self.activity(i, values)
            if a < self.row_lower[i] - tol or a > self.row_upper[i] + tol:
                bad.append(f"row {i} ({self.row_family[i]}): {a} not in "
                           f"[{self.row_lower[i]}, {self.row_upper[i]}]")
        return bad


class Restrictions:
    """A model's rows as arrays, to restrict it to a few columns many times over.

    A restricted model has only the columns not fixed: each fixed value moves into its
    rows' bounds and the objective's offset, and a row left without columns goes. A MIP
    with most columns fixed is then handed to a solver without translating and
    presolving the whole part (search/lns.py). Values of the restricted model, put back
    with ``expanded``, keep every row of the whole one. The rows are read once, when this
    is made (85 ms on a part of 702,493 nonzeros, where each restriction then took 36 ms):
    the model's rows must not change while it is used; its bounds, integrality and
    objective are read at each ``restricted``.
    """

    def __init__(self, m: LinearModel) -> None:
        self.m = m
        starts = np.asarray(m.row_start, dtype=np.int64)
        self.cols = np.asarray(m.row_cols, dtype=np.int64)
        self.coefs = np.asarray(m.row_coefs, dtype=np.float64)
        self.row_of = np.repeat(np.arange(m.num_rows, dtype=np.int64), np.diff(starts))
        self.lower = np.asarray(m.row_lower, dtype=np.float64)
        self.upper = np.asarray(m.row_upper, dtype=np.float64)
        self.scale = np.asarray(m.row_scale, dtype=np.int64)
        self.family = np.asarray(m.row_family, dtype=object)
        self.shape = (m.num_rows, len(m.row_cols))

    def restricted(self, fixed: Mapping[int, float]) -> tuple[LinearModel, list[int]] | None:
        """The model over the columns not in ``fixed`` (column -> its value), and the
        column each of its columns stands for; None if the fixed values alone break a row."""
        m = self.m
        assert (m.num_rows, len(m.row_cols)) == self.shape, "the model's rows changed"
        value = np.zeros(m.num_cols)
        is_fixed = np.zeros(m.num_cols, dtype=bool)
        if fixed:
            at = np.fromiter(fixed.keys(), dtype=np.int64, count=len(fixed))
            value[at] = np.fromiter(fixed.values(), dtype=np.float64, count=len(fixed))
            is_fixed[at] = True
        rows = m.num_rows
        constant = np.bincount(self.row_of, weights=self.coefs * value[self.cols], minlength=rows)
        entry_free = ~is_fixed[self.cols]
        left = np.bincount(self.row_of[entry_free], minlength=rows)
        lower, upper = self.lower - constant, self.upper - constant
        empty = left == 0
        if np.any(empty & ((lower > 1e-6) | (upper < -1e-6))):
            return None
        kept_rows = ~empty
        free = np.flatnonzero(~is_fixed)
        index = np.cumsum(~is_fixed) - 1  # a free column's place in the restricted model
        entries = entry_free & kept_rows[self.row_of]
        cost = m.cost
        fixed_cost = np.asarray(cost, dtype=np.float64)[is_fixed] * value[is_fixed]
        sub = LinearModel(
            lower=[m.lower[c] for c in free], upper=[m.upper[c] for c in free],
            integer=[m.integer[c] for c in free], cost=[cost[c] for c in free],
            offset=m.offset + math.fsum(fixed_cost.tolist()),
            row_start=[0] + np.cumsum(left[kept_rows]).tolist(),
            row_cols=index[self.cols[entries]].tolist(),
            row_coefs=self.coefs[entries].tolist(),
            row_lower=lower[kept_rows].tolist(), row_upper=upper[kept_rows].tolist(),
            row_scale=self.scale[kept_rows].tolist(), row_family=self.family[kept_rows].tolist())
        return sub, free.tolist()

    def expanded(self, values: Sequence[float], kept: list[int], fixed: Mapping[int, float]
                 ) -> list[float]:
        """A restricted model's ``values`` as values of the whole model (``kept``: the
        columns ``restricted`` returned with it, ``fixed`` what it was given)."""
        whole = np.zeros(self.m.num_cols)
        whole[np.fromiter(fixed.keys(), dtype=np.int64, count=len(fixed))] = np.fromiter(
            fixed.values(), dtype=np.float64, count=len(fixed))
        whole[np.asarray(kept, dtype=np.int64)] = np.asarray(values, dtype=np.float64)
        return whole.tolist()
