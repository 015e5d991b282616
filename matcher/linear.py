"""A solver-neutral linear model: columns, rows in compressed form, an objective.

The constraint families write into this; each backend translates it once, in
bulk. Keeping the model as plain lists makes every family testable without a
solver and lets the same model go to HiGHS and to CP-SAT.

Rows may carry an integer ``scale``: CP-SAT needs integer coefficients, so a
row whose coefficients are euro amounts is multiplied by 100 (cents) there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

INF = math.inf


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
