"""Matching rounds: the operator's command and the matcher's events.

Commands travel on welfare.round-commands.v1, events on welfare.round-events.v1,
both keyed by network so that one matcher instance owns a network's rounds.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from schemas import limits
from schemas.envelope import Contract, NetworkScoped
from schemas.parameters import RoundParameters
from schemas.types import Count, Identifier, IsoWeek, Money, NonNegativeInt

ROUND_OUTCOMES = ("optimal", "feasible", "infeasible", "no_solution")


class StartRound(NetworkScoped):
    """Run a matching round over a window of weeks; dry runs award nothing."""

    entity_path = ("round_id",)
    event_type: Literal["StartRound"] = "StartRound"
    round_id: Identifier
    first_week: IsoWeek
    last_week: IsoWeek
    dry_run: bool = True
    parameters: RoundParameters = Field(default_factory=RoundParameters)
    requested_by: str = Field(default="operator", max_length=limits.MAX_NAME_LENGTH)

    @model_validator(mode="after")
    def _window_ordered(self) -> StartRound:
        if self.last_week < self.first_week:
            raise ValueError(f"last_week {self.last_week} is before first_week {self.first_week}")
        return self


class CommitRound(NetworkScoped):
    """Commit a stored dry run as it was reviewed: its snapshot and its result become
    the committed round ``round_id`` and its awards, with no new solve. The matcher
    refuses it (RoundFailed) if the network's book changed since the dry run."""

    entity_path = ("round_id",)
    event_type: Literal["CommitRound"] = "CommitRound"
    round_id: Identifier = Field(description="the committed round this command creates")
    dry_run_id: Identifier = Field(description="the completed dry run to commit")
    requested_by: str = Field(default="operator", max_length=limits.MAX_NAME_LENGTH)


class RoundStarted(NetworkScoped):
    entity_path = ("round_id",)
    event_type: Literal["RoundStarted"] = "RoundStarted"
    round_id: Identifier
    dry_run: bool
    input_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    demand_lines: Count
    offers: Count


class FirmCoverage(Contract):
    firm_id: Identifier
    coverage: float = Field(ge=0, le=1, description="served / demanded unit-weeks")
    cost_eur: Money


class RoundSummary(Contract):
    """The figures an operator reads first; the stored round has the detail."""

    status: Literal["optimal", "feasible", "infeasible", "no_solution"]
    objective: float | None
    bound: float | None
    gap: float | None
    coverage: float = Field(ge=0, le=1, description="served / demanded unit-weeks")
    weighted_coverage: float = Field(ge=0, le=1, description="by priority weight")
    total_cost_eur: Money
    contracts: Count
    unmet_units_by_reason: dict[str, NonNegativeInt] = Field(default_factory=dict)
    firms: list[FirmCoverage] = Field(default_factory=list)


class RoundCompleted(NetworkScoped):
    entity_path = ("round_id",)
    event_type: Literal["RoundCompleted"] = "RoundCompleted"
    round_id: Identifier
    dry_run: bool
    repair: bool = Field(default=False, description="kept accepted contracts of earlier rounds")
    input_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    summary: RoundSummary


class RoundFailed(NetworkScoped):
    entity_path = ("round_id",)
    event_type: Literal["RoundFailed"] = "RoundFailed"
    round_id: Identifier
    reason: str = Field(min_length=1, max_length=limits.MAX_REASON_LENGTH)
