"""What the generator produces: a network, its demand, its offers and a survey.

The contracts (``FirmProfile``, ``DemandLine``, ``CapacityOffer``...) are the
schemas' own pydantic models, so everything here was validated when it was
built. Where a firm or provider sits, and its ATECO division, are not part of
those contracts; they ride alongside in the ``*Site`` records.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from schemas.capacity import ProviderProfile
from schemas.demand import FirmProfile
from schemas.snapshot import RoundSnapshot, SnapshotFirm, SnapshotLine, SnapshotOffer
from schemas.types import Category


def money(cents: int) -> Decimal:
    """Euro cents to an exact two-decimal amount."""
    return Decimal(cents).scaleb(-2)


@dataclass(frozen=True)
class Season:
    """The round's weeks and the parts of it that matter to demand and supply."""

    weeks: tuple[str, ...]  # every week of the round, in order
    camp_weeks: tuple[str, ...]  # school-closure weeks inside the round
    ferragosto: tuple[str, ...]  # the week of 15 August and the next, if inside


@dataclass(frozen=True)
class FirmSite:
    firm: FirmProfile
    municipality: str  # ISTAT code of the firm's seat
    ateco_division: str  # two digits, e.g. "23" ceramics within section C


@dataclass(frozen=True)
class ProviderSite:
    provider: ProviderProfile
    municipality: str  # ISTAT code of its seat


@dataclass(frozen=True)
class SurveyAnswer:
    """One employee's answer to the needs survey (never leaves intake)."""

    pseudonym: str
    firm_id: str
    category: Category
    municipality: str  # where the employee lives
    weeks: tuple[str, ...]
    units: int
    max_unit_price_eur: Decimal
    single_parent: bool
    dependent_relative: bool
    required_tags: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    network_id: str
    seed: int
    first_week: str
    last_week: str
    provinces: tuple[str, ...]  # ISTAT province codes, the base first
    firms: tuple[FirmSite, ...]
    providers: tuple[ProviderSite, ...]
    # Lines and offers are built as the snapshot's types (a DemandLine with its
    # firm_id, a CapacityOffer with its provider_id): validated once, they
    # serve both the per-entity files and the snapshot.
    lines: tuple[tuple[str, SnapshotLine], ...]  # (firm_id, line)
    offers: tuple[tuple[str, SnapshotOffer], ...]  # (provider_id, offer)
    survey: tuple[SurveyAnswer, ...]

    @property
    def round_id(self) -> str:
        return f"{self.network_id}-{self.first_week}-seed{self.seed}"

    def snapshot(self) -> RoundSnapshot:
        """The whole network as one round over the scenario's weeks."""
        return RoundSnapshot(
            network_id=self.network_id,
            round_id=self.round_id,
            first_week=self.first_week,
            last_week=self.last_week,
            firms=[
                SnapshotFirm(firm_id=s.firm.firm_id, welfare_budget_eur=s.firm.welfare_budget_eur)
                for s in self.firms
            ],
            demand_lines=[line for _, line in self.lines],
            offers=[offer for _, offer in self.offers],
        )
