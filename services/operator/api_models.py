"""What the operator API answers, as pydantic models, so that its OpenAPI says it.

The rounds come from the matcher's read API (services/matcher/views.py and the
views beside it) and are passed on as the matcher wrote them. These models are
the operator's own (a service does not import another's code): they name the
fields a client of the operator may rely on and allow every other one
(``extra="allow"``), so that a field the matcher adds reaches the client
without a change here. Routes that relay the matcher set
``response_model_exclude_unset``: a field the matcher did not send is not
invented as ``null``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Codes are strings, not enumerations: a code a newer matcher writes is passed on, not a 500.
RoundStatus = Field(description="requested, running, completed or failed")


class Open(BaseModel):
    """A view of the matcher's: the fields named here, and any other it sends."""

    model_config = ConfigDict(extra="allow")


# --- starting and committing ----------------------------------------------------------

class RoundAccepted(BaseModel):
    """A round command queued for the matcher (202): poll the round for its progress."""

    round_id: str
    status: Literal["requested"] = "requested"
    network_id: str
    dry_run: bool


class RoundStarted(RoundAccepted):
    first_week: str
    last_week: str


class CommitAccepted(RoundAccepted):
    commits_round_id: str = Field(description="The dry run this round commits, as reviewed.")


# --- reading rounds -------------------------------------------------------------------

class RoundListed(Open):
    """One line of the rounds list (the matcher's ``RoundView``)."""

    round_id: str
    network_id: str
    status: str = RoundStatus
    dry_run: bool
    first_week: str | None = None
    last_week: str | None = None
    kind: str | None = Field(default=None, description="plain or repair, once it started")
    outcome: str | None = None
    requested_by: str | None = None
    requested_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    input_hash: str | None = None
    demand_lines: int | None = None
    offers: int | None = None
    coverage: float | None = None
    weighted_coverage: float | None = None
    total_cost_eur: Decimal | None = None
    contract_count: int | None = None
    failure_reason: str | None = None


class FirmCoverage(Open):
    firm_id: str
    firm_name: str | None = None
    demanded_unit_weeks: int
    served_unit_weeks: int
    coverage: float
    cost_eur: Decimal
    budget_eur: Decimal


class RoundContract(Open):
    """One provider's contract in the round; its offers and lines as the matcher has them."""

    contract_id: str
    provider_id: str
    provider_name: str | None = None
    awarded: bool
    unit_cost_eur: Decimal
    fixed_cost_eur: Decimal
    response: str | None = Field(default=None, description="accepted, declined or none yet")
    offers: list[dict[str, Any]] = Field(default_factory=list)


class UnmetReason(Open):
    """The lines not served for one reason, with the smallest change that would serve each."""

    reason: str
    units: int
    unit_weeks: int
    lines: list[dict[str, Any]] = Field(default_factory=list)


class RoundDetail(RoundListed):
    """Everything the matcher stored of a round, or, before the matcher has taken it, what
    the operator asked for (``status`` requested, ``command_sent``)."""

    command_sent: bool | None = Field(
        default=None, description="Only while requested: the command has left the outbox.")
    commits_round_id: str | None = None
    parameters: dict[str, Any] | None = None
    attempts: int | None = None
    solver: str | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    message: str | None = None
    pinned: int | None = None
    excluded: int | None = None
    summary: dict[str, Any] | None = None
    timings: dict[str, float | None] | None = None
    firms: list[FirmCoverage] | None = None
    contracts: list[RoundContract] | None = None
    unmet: list[UnmetReason] | None = None
    # While running: which phase, and for a solve in parts, which part of how many.
    phase: str | None = None
    part: int | None = None
    parts: int | None = None
    phase_since: dt.datetime | None = None


class FirmLineOutcome(Open):
    line_id: str
    category: str | None = None
    municipality: str | None = None
    municipality_name: str | None = None
    weeks: list[str] = Field(default_factory=list)
    units: int | None = None
    served: list[dict[str, Any]] = Field(default_factory=list)
    unserved: dict[str, Any] | None = None


class FirmOutcome(Open):
    """The firm's lines in its network's latest committed round."""

    round_id: str
    network_id: str
    first_week: str
    last_week: str
    finished_at: dt.datetime | None = None
    firm_id: str
    firm_name: str | None = None
    spend_eur: Decimal | None = None
    budget_eur: Decimal | None = None
    coverage: float | None = None
    lines: list[FirmLineOutcome]


class ChangedContract(Open):
    provider_id: str
    provider_name: str | None = None
    contract_id: str | None = None
    held_contract_id: str | None = None
    held_response: str | None = None
    lines: int


class RoundChanges(Open):
    """What the round keeps, amends and withdraws of the contracts providers hold."""

    round_id: str
    compared_with_round_id: str | None = None
    kept: list[ChangedContract] = Field(default_factory=list)
    amended: list[ChangedContract] = Field(default_factory=list)
    withdrawn: list[ChangedContract] = Field(default_factory=list)
    new: list[ChangedContract] = Field(default_factory=list)


class ProviderAward(Open):
    """One award of a committed round to the provider, and what answering it takes."""

    contract_id: str
    round_id: str
    network_id: str
    committed_at: dt.datetime | None = None
    status: str
    answerable: bool
    answer_contract_id: str
    answer_round_id: str
    next_version: int
    reason: str | None = None
    response: str | None = None
    answered_at: dt.datetime | None = None
    replaced_by_round_id: str | None = None
    cost_eur: Decimal
    offers: list[dict[str, Any]] = Field(default_factory=list)


# --- how fresh the book is (helper "overview") ------------------------------------------

class NetworkBook(Open):
    """What the matcher's book holds of a network, and what it has yet to apply."""

    network_id: str
    firms: int
    providers: int
    demand_lines: int
    offers: int
    changed_at: dt.datetime | None = Field(
        default=None, description="When the matcher last applied an event to this network's "
                                  "book; null if it never did.")
    unapplied_events: int | None = Field(
        default=None, description="Events sent to the matcher (of every network) it has not "
                                  "applied yet, as last measured; null until measured.")
    measured_at: dt.datetime | None = Field(
        default=None, description="When unapplied_events was measured.")
