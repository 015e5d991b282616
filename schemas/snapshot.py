"""The round snapshot: everything the optimiser needs, as one JSON file.

The matcher service freezes its book into a snapshot at the start of a round;
``welfare solve SNAPSHOT.json`` reads the same file. Cross-references are
checked here, so a bad file is refused with the field that is wrong.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from schemas import limits
from schemas.capacity import CapacityOffer
from schemas.demand import DemandLine
from schemas.envelope import Contract
from schemas.parameters import RoundParameters
from schemas.types import Budget, Identifier, IsoWeek, Units


class SnapshotFirm(Contract):
    firm_id: Identifier
    welfare_budget_eur: Budget
    # Added within format version 1, for awards and reports; absent in older files.
    name: str | None = Field(default=None, max_length=limits.MAX_NAME_LENGTH)


class SnapshotProvider(Contract):
    """A provider of the round's offers, by name (for awards and reports, not the solve)."""

    provider_id: Identifier
    name: str | None = Field(default=None, max_length=limits.MAX_NAME_LENGTH)


class SnapshotLine(DemandLine):
    firm_id: Identifier


class SnapshotOffer(CapacityOffer):
    provider_id: Identifier


class Assignment(Contract):
    """Units of a line served by an offer (pinned, or from the previous round)."""

    line_id: Identifier
    offer_id: Identifier
    units: Units


class ExcludedPair(Contract):
    """A line and an offer that must not be matched (the provider declined)."""

    line_id: Identifier
    offer_id: Identifier


class RoundSnapshot(Contract):
    format: Literal["welfare.round-snapshot"] = "welfare.round-snapshot"
    format_version: Literal[1] = 1
    network_id: Identifier
    round_id: Identifier
    first_week: IsoWeek
    last_week: IsoWeek
    firms: list[SnapshotFirm] = Field(default_factory=list)
    demand_lines: list[SnapshotLine] = Field(default_factory=list)
    offers: list[SnapshotOffer] = Field(default_factory=list)
    providers: list[SnapshotProvider] = Field(
        default_factory=list, description="names of the offers' providers, where known")
    pinned: list[Assignment] = Field(default_factory=list, description="accepted; must stay")
    excluded: list[ExcludedPair] = Field(default_factory=list, description="declined pairs")
    previous: list[Assignment] = Field(
        default_factory=list, description="the previous committed round, for least change"
    )
    parameters: RoundParameters = Field(default_factory=RoundParameters)

    @model_validator(mode="after")
    def _references_resolve(self) -> RoundSnapshot:
        _unique(self.firms, "firms", "firm_id")
        _unique(self.demand_lines, "demand_lines", "line_id")
        _unique(self.offers, "offers", "offer_id")
        _unique(self.providers, "providers", "provider_id")
        firms = {firm.firm_id for firm in self.firms}
        for i, line in enumerate(self.demand_lines):
            if line.firm_id not in firms:
                raise ValueError(f"demand_lines[{i}].firm_id: unknown firm {line.firm_id!r}")
            outside = [w for w in line.weeks if not self.first_week <= w <= self.last_week]
            if outside:
                raise ValueError(
                    f"demand_lines[{i}].weeks: {outside[0]} is outside the round's "
                    f"weeks {self.first_week}..{self.last_week}"
                )
        lines = {line.line_id for line in self.demand_lines}
        offers = {offer.offer_id for offer in self.offers}
        for name in ("pinned", "excluded", "previous"):
            for i, pair in enumerate(getattr(self, name)):
                if pair.line_id not in lines:
                    raise ValueError(f"{name}[{i}].line_id: unknown line {pair.line_id!r}")
                if pair.offer_id not in offers and name != "previous":
                    raise ValueError(f"{name}[{i}].offer_id: unknown offer {pair.offer_id!r}")
        return self


def _unique(items: list, field: str, key: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            raise ValueError(f"{field}[{i}].{key}: {value!r} appears twice")
        seen.add(value)
