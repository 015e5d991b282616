"""The round result: what the optimiser decided, and why demand went unmet.

The result file is a pure function of the snapshot, the parameters, the seed
and the solver version, so replaying a round gives the same bytes. Timings vary
from run to run and therefore travel beside the file, not in it: ``timings`` is
filled in memory and stored with the round, and ``to_file_json`` leaves it out.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from schemas.envelope import Contract
from schemas.parameters import RoundParameters
from schemas.types import Identifier, IsoWeek, Money, NonNegativeInt, PositiveInt


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"  # proven optimal within the relative gap asked for
    FEASIBLE = "feasible"  # a solution, not proven within the gap (time limit)
    INFEASIBLE = "infeasible"  # pinned assignments cannot all be kept
    NO_SOLUTION = "no_solution"  # the limit came before any solution


class UnmetReason(StrEnum):
    NO_PROVIDER_IN_AREA = "no_provider_in_area"
    NO_CAPACITY_IN_WEEKS = "no_capacity_in_weeks"
    PRICE_ABOVE_MAXIMUM = "price_above_maximum"
    BUDGET_SPENT = "budget_spent"
    GROUP_BELOW_MINIMUM = "group_below_minimum"
    CAPACITY_TAKEN_BY_HIGHER_PRIORITY = "capacity_taken_by_higher_priority"
    TAG_NOT_OFFERED = "tag_not_offered"


class ContractLine(Contract):
    line_id: Identifier
    firm_id: Identifier
    units: PositiveInt
    unit_weeks: PositiveInt
    unit_price_eur: Money
    cost_eur: Money
    pinned: bool = False


class GroupContract(Contract):
    """One offer's contract with the pooled firms, at one tier's unit price."""

    offer_id: Identifier
    provider_id: Identifier
    tier_index: NonNegativeInt
    unit_price_eur: Money
    volume_unit_weeks: PositiveInt
    running_weeks: list[IsoWeek]
    weekly_load: dict[IsoWeek, NonNegativeInt]
    fixed_cost_eur: Money
    unit_cost_eur: Money
    lines: list[ContractLine]


class SmallestChange(Contract):
    """The least change that would serve the unit, in words and in figures."""

    description: str
    offer_id: Identifier | None = None
    week: IsoWeek | None = None
    extra_units: PositiveInt | None = None
    extra_budget_eur: Money | None = None
    max_unit_price_eur: Money | None = None


class UnmetDemand(Contract):
    line_id: Identifier
    firm_id: Identifier
    units: PositiveInt
    unit_weeks: PositiveInt
    reason: UnmetReason
    change: SmallestChange | None = None


class FirmOutcome(Contract):
    firm_id: Identifier
    demanded_unit_weeks: NonNegativeInt
    served_unit_weeks: NonNegativeInt
    coverage: float = Field(ge=0, le=1)
    cost_eur: Money
    budget_eur: Money


class RoundTotals(Contract):
    demanded_unit_weeks: NonNegativeInt
    served_unit_weeks: NonNegativeInt
    coverage: float = Field(ge=0, le=1)
    weighted_coverage: float = Field(ge=0, le=1)
    unit_cost_eur: Money
    fixed_cost_eur: Money
    total_cost_eur: Money


class Fairness(Contract):
    """How evenly the firms some offer can serve were served (firms no offer can
    serve are left out: their 0 % says nothing about the plan)."""

    least_covered_firm_id: Identifier
    least_coverage: float = Field(ge=0, le=1)
    most_covered_firm_id: Identifier
    most_coverage: float = Field(ge=0, le=1)
    spread: float = Field(ge=0, le=1, description="most_coverage - least_coverage")
    firms: PositiveInt = Field(description="the firms some offer can serve")


class SolverInfo(Contract):
    name: str  # e.g. "highs", "cpsat", "greedy"
    version: str  # e.g. "ortools 9.15.6755"


class PartBounds(Contract):
    """How many of the round's parts took their bound from where (issue 11): a part
    that ran out of time before its solver proved anything still gives one."""

    mip: NonNegativeInt = Field(default=0, description="proved by a MIP call")
    relaxation: NonNegativeInt = Field(
        default=0, description="a relaxation's bound: the LP's, or the Lagrangean's where the "
                               "part is a facility location (matcher/search/lagrangean.py)")
    ceiling: NonNegativeInt = Field(
        default=0, description="counted without a solver: each line's units, what its "
                               "offers can carry, what its firm's budget buys")
    flows: NonNegativeInt = Field(
        default=0, description="the flow LP's prices (matcher/model/flow_ceiling.py): what "
                               "the lines and the offers' weeks can exchange, for a part too "
                               "large for its relaxation in the time")
    none: NonNegativeInt = Field(default=0, description="no bound (the round has none)")


class Timings(Contract):
    build_s: float = Field(ge=0)
    solve_s: float = Field(ge=0)
    total_s: float = Field(ge=0)


class RoundResult(Contract):
    format: Literal["welfare.round-result"] = "welfare.round-result"
    format_version: Literal[1] = 1
    network_id: Identifier
    round_id: Identifier
    input_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    parameters: RoundParameters
    seed: int
    solver: SolverInfo
    status: SolveStatus
    objective: float | None = None  # the minimised L of matcher/model/objective.py
    bound: float | None = None  # proven lower bound on L
    gap: float | None = None  # (objective - bound) / |objective|
    parts: NonNegativeInt = 1
    message: str | None = Field(
        default=None, description="why a round is infeasible or unsolved, in words"
    )
    contracts: list[GroupContract] = Field(default_factory=list)
    unmet: list[UnmetDemand] = Field(default_factory=list)
    firms: list[FirmOutcome] = Field(default_factory=list)
    totals: RoundTotals
    timings: Timings | None = None
    # Issue 11: the coverage term's own proof and the fairness figure, apart from L's.
    coverage_ceiling: float | None = Field(
        default=None, ge=0, le=1,
        description="the most priority-weighted coverage any plan can reach, as the bound "
                    "proves it (the first lexicographic term's bound); None without a bound")
    fairness: Fairness | None = None
    part_bounds: PartBounds | None = None

    def to_file_json(self) -> str:
        """The reproducible file form: everything but the timings."""
        return self.model_dump_json(indent=2, exclude={"timings"}) + "\n"
