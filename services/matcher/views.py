"""What the read API returns (``services.matcher.adapters.queries``): plain pydantic models.

Money is in euro (``Decimal``, two places), times are UTC-aware. These models
are the operator service's contract with the matcher's database; add fields,
do not rename or remove them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.parameters import RoundParameters
from schemas.responses import LineOfferPair
from schemas.result import SmallestChange
from schemas.rounds import RoundSummary

RoundStatus = Literal["requested", "running", "completed", "failed"]
RoundPhase = Literal["waiting_for_book", "snapshot", "solving", "storing"]


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class RoundView(View):
    """One line of the rounds list."""

    round_id: str
    network_id: str
    first_week: str
    last_week: str
    dry_run: bool
    kind: Literal["plain", "repair"] | None  # known once the round started
    status: RoundStatus
    outcome: str | None  # the solver's status when completed: optimal, feasible, ...
    requested_by: str
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    input_hash: str | None
    demand_lines: int | None
    offers: int | None
    coverage: float | None
    weighted_coverage: float | None
    total_cost_eur: Decimal | None
    contract_count: int | None  # group contracts (one per offer used)
    failure_reason: str | None


class RoundTimings(View):
    snapshot_s: float | None  # freezing the book
    solve_s: float | None  # the worker's wall time, process hop included
    solver_build_s: float | None  # as the optimiser reports it
    solver_solve_s: float | None
    total_s: float | None  # claim to commit, last attempt


class FirmCoverageView(View):
    firm_id: str
    firm_name: str | None = None  # as in the round's snapshot; None: show the id
    demanded_unit_weeks: int
    served_unit_weeks: int
    coverage: float
    cost_eur: Decimal
    budget_eur: Decimal


class ContractLineView(View):
    line_id: str
    firm_id: str
    units: int
    unit_weeks: int
    weeks: list[str]
    unit_price_eur: Decimal
    cost_eur: Decimal
    pinned: bool
    # What the award told the provider to staff, from the round's snapshot.
    firm_name: str | None = None
    municipality: str | None = None  # ISTAT code
    municipality_name: str | None = None  # "Modena (MO)"
    category: str | None = None  # code; words.category gives the label
    required_tags: list[str] = []


class ContractOfferView(View):
    """One offer's group contract: one tier, one unit price for every firm."""

    offer_id: str
    tier_index: int
    unit_price_eur: Decimal
    volume_unit_weeks: int
    running_weeks: list[str]
    weekly_load: dict[str, int]
    fixed_cost_eur: Decimal
    unit_cost_eur: Decimal
    lines: list[ContractLineView]
    # The offer's bounds as the round's snapshot froze them (what the solve kept the
    # weekly load between); None for an offer the snapshot does not hold.
    capacity_per_week: int | None = None
    min_group_per_week: int | None = None


class ContractView(View):
    """One provider's contract in the round (what ContractAwarded carries)."""

    contract_id: str
    provider_id: str
    provider_name: str | None = None  # None: not known, show the id
    awarded: bool  # False in a dry run
    award_event_id: str | None
    unit_cost_eur: Decimal
    fixed_cost_eur: Decimal
    response: Literal["accepted", "declined"] | None
    declined_pairs: list[LineOfferPair]
    offers: list[ContractOfferView]


class UnmetLineView(View):
    line_id: str
    firm_id: str
    firm_name: str | None = None
    units: int
    unit_weeks: int
    change: SmallestChange | None  # the smallest change that would serve it, if any
    # Where and what the line asks, from the round's snapshot (as contract lines say it),
    # so that a report places the round's own lines, not today's, on its map.
    weeks: list[str] = []
    municipality: str | None = None  # ISTAT code
    municipality_name: str | None = None  # "Modena (MO)"
    category: str | None = None
    required_tags: list[str] = []


class UnmetByReason(View):
    reason: str
    units: int
    unit_weeks: int
    lines: list[UnmetLineView]


class RoundDetail(RoundView):
    """Everything stored about a round, but its snapshot and result files."""

    parameters: RoundParameters
    attempts: int
    solver: str | None
    objective: float | None
    bound: float | None
    gap: float | None
    message: str | None  # the optimiser's words on an infeasible or unsolved round
    pinned: int | None
    excluded: int | None
    summary: RoundSummary | None
    timings: RoundTimings
    firms: list[FirmCoverageView]
    contracts: list[ContractView]
    unmet: list[UnmetByReason]  # most units first
    # Offer id -> its provider's id, for every offer of the round's snapshot: a
    # reason's smallest change names an offer, which a person knows by its provider.
    offer_providers: dict[str, str] = {}
    provider_names: dict[str, str] = {}  # every named provider of the round, by id
    # Where a running round is, as its runner last wrote it; None before a runner
    # claims it and once it completed or failed (the status says the end).
    phase: RoundPhase | None = None
    part: int | None = None  # while solving: the part being solved, from 1 ...
    parts: int | None = None  # ... of how many, once the optimiser has said
    phase_since: dt.datetime | None = None  # when the phase began
