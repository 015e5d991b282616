"""The optimiser's answer for a ProblemData, always returned whatever happened, and its status."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations only: a Solution needs no model to exist
    from matcher.model.problem import ProblemData


class Status(StrEnum):
    OPTIMAL = "optimal"  # proven within the relative gap asked for
    FEASIBLE = "feasible"  # a solution, not proven (a limit came first)
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"  # a limit came before any solution


@dataclass(frozen=True)
class Solution:
    status: Status
    objective: float | None  # L of objective.py, minimised
    bound: float | None  # proven lower bound on L
    gap: float | None  # (objective - bound) / |objective|
    units: tuple[int, ...]  # per pair: units served
    tiers: tuple[int, ...]  # per offer: the contract's tier index, -1 without volume
    solver: str  # "highs" or "cpsat"
    parts: int
    build_s: float
    solve_s: float
    total_s: float
    message: str = ""
    # The most S (priority-weighted unit-weeks of optional lines) any plan reaches, as
    # the bound proves it (objective.coverage_ceiling); None without a bound.
    coverage_bound: float | None = None
    # How many parts' bounds came from where: "mip", "relaxation", "ceiling" (counted
    # without a solver, ceiling.py) or "none" (PartResult.bound_kind).
    part_bounds: dict[str, int] = field(default_factory=dict)

    def served(self, data: ProblemData) -> list[int]:
        """Units served per line."""
        result = [0] * len(data.lines)
        for k, amount in enumerate(self.units):
            result[data.pairs[k].line] += amount
        return result

    def loads(self, data: ProblemData) -> dict[tuple[int, int], int]:
        """Units per (offer, week), weeks with no load left out."""
        result: dict[tuple[int, int], int] = {}
        for k, amount in enumerate(self.units):
            if amount:
                pair = data.pairs[k]
                for week in data.lines[pair.line].weeks:
                    result[pair.offer, week] = result.get((pair.offer, week), 0) + amount
        return dict(sorted(result.items()))

    def unit_cost(self, data: ProblemData) -> float:
        total = 0.0
        for k, amount in enumerate(self.units):
            if amount:
                pair = data.pairs[k]
                price = data.offers[pair.offer].tiers[self.tiers[pair.offer]].price
                total += amount * len(data.lines[pair.line].weeks) * (price + pair.extra_cost)
        return total

    def fixed_cost(self, data: ProblemData) -> float:
        return sum(data.offers[o].fixed_cost for (o, _w) in self.loads(data))

    def total_cost(self, data: ProblemData) -> float:
        """Unit costs plus fixed costs: for a facility-location instance, its objective."""
        return self.unit_cost(data) + self.fixed_cost(data)
