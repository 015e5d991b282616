"""Turning an operator's request into a StartRound or CommitRound command (no I/O)."""

from __future__ import annotations

import datetime as dt
import secrets

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.parameters import RoundParameters
from schemas.rounds import CommitRound, StartRound
from schemas.types import IsoWeek, parse_week_range


class StartRoundRequest(BaseModel):
    """Body of ``POST /v1/networks/{network}/rounds``.

    Give the window as ``weeks: "2027-W24..2027-W36"`` or as ``first_week`` and
    ``last_week``. A dry run stores and reports results but awards nothing.
    """

    model_config = ConfigDict(extra="forbid")

    weeks: str | None = Field(default=None, max_length=40, examples=["2027-W24..2027-W36"])
    first_week: IsoWeek | None = None
    last_week: IsoWeek | None = None
    dry_run: bool = True
    parameters: RoundParameters = Field(default_factory=RoundParameters)

    @model_validator(mode="after")
    def _one_window(self) -> StartRoundRequest:
        if self.weeks is not None:
            if self.first_week or self.last_week:
                raise ValueError("give either weeks or first_week and last_week, not both")
            first, last = parse_week_range(self.weeks)
            object.__setattr__(self, "first_week", first)
            object.__setattr__(self, "last_week", last)
        if not (self.first_week and self.last_week):
            raise ValueError("weeks is required, e.g. 2027-W24..2027-W36")
        return self


def new_round_id(network: str, now: dt.datetime | None = None) -> str:
    """Readable and unique: network, UTC time of the request, a random suffix."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{network}.{now:%Y%m%dT%H%M%S}.{secrets.token_hex(3)}"


def start_round(network: str, request: StartRoundRequest, requested_by: str) -> StartRound:
    return StartRound(
        network_id=network,
        round_id=new_round_id(network),
        entity_version=1,
        first_week=request.first_week,
        last_week=request.last_week,
        dry_run=request.dry_run,
        parameters=request.parameters,
        requested_by=requested_by,
    )


def commit_round(network: str, dry_run_id: str, requested_by: str) -> CommitRound:
    """Commit the stored dry run ``dry_run_id`` as a new committed round of ``network``."""
    return CommitRound(
        network_id=network,
        round_id=new_round_id(network),
        entity_version=1,
        dry_run_id=dry_run_id,
        requested_by=requested_by,
    )
