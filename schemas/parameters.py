"""Parameters of a matching round: objective weights and solver limits."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.envelope import Contract
from schemas.types import Weight


class RoundParameters(Contract):
    """What the operator may tune per round.

    The objective is, in this order of importance: priority-weighted
    unit-weeks served, fairness between firms, total cost, change from the
    previous committed round. The weights make that order; see
    ``matcher/model/objective.py`` for how each term is scaled.
    """

    coverage_weight: Weight = 1.0
    fairness_weight: Weight = 1.0
    cost_weight: Weight = 1.0
    change_weight: Weight = 1.0
    priority_weights: list[Weight] = Field(
        default=[1.0, 2.0, 3.0, 4.0, 5.0],
        min_length=5,
        max_length=5,
        description="weight of one unit-week at priority 1..5",
    )
    solver: Literal["auto", "highs", "cpsat"] = "auto"
    time_limit_s: float = Field(default=30.0, gt=0, le=86_400, allow_inf_nan=False)
    relative_gap: float = Field(default=0.005, ge=0, le=1, allow_inf_nan=False)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    workers: int = Field(default=0, ge=0, le=256, description="parallel processes; 0 = all cores")
    decompose: bool = True
