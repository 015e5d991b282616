"""What a firm may see of a committed round: its own lines, served or why not.

Cut from the round detail (``queries.get_round``) so a firm reads the same
figures the operator reviewed, but only its own: no other firm's lines, no
provider's costs. Money is in euro, weeks are ISO weeks.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import Field

from schemas.result import SmallestChange
from services.matcher.views import RoundDetail, View


class ServedPart(View):
    """Units of the line one provider's offer serves, at the offer's group price."""

    provider_id: str
    provider_name: str | None  # None: show the id
    offer_id: str
    weeks: list[str]
    units: int
    unit_weeks: int
    unit_price_eur: Decimal
    cost_eur: Decimal
    pinned: bool  # kept from an accepted award of an earlier round


class UnservedPart(View):
    units: int
    unit_weeks: int
    reason: str  # a reason code; words.reason gives the sentence
    change: SmallestChange | None  # the smallest change that would serve it, if any


class FirmLineOutcome(View):
    line_id: str
    category: str | None = None  # code; words.category gives the label
    municipality: str | None = None  # ISTAT code
    municipality_name: str | None = None  # "Modena (MO)"
    weeks: list[str] = Field(default_factory=list)  # the weeks the line asked for
    units: int | None = None  # units per week asked for
    served: list[ServedPart]
    unserved: UnservedPart | None


class FirmOutcomeView(View):
    round_id: str
    network_id: str
    first_week: str
    last_week: str
    finished_at: dt.datetime | None
    firm_id: str
    firm_name: str | None
    spend_eur: Decimal | None  # None: the round's result holds no figures for the firm
    budget_eur: Decimal | None
    coverage: float | None
    lines: list[FirmLineOutcome]


def firm_outcome(detail: RoundDetail, firm_id: str, asked: dict[str, dict]) -> FirmOutcomeView:
    """The firm's part of ``detail``; ``asked``: its lines as the round's snapshot froze them."""
    served: dict[str, list[ServedPart]] = {}
    for contract in detail.contracts:
        for offer in contract.offers:
            for line in offer.lines:
                if line.firm_id == firm_id:
                    served.setdefault(line.line_id, []).append(ServedPart(
                        provider_id=contract.provider_id, provider_name=contract.provider_name,
                        offer_id=offer.offer_id, weeks=line.weeks, units=line.units,
                        unit_weeks=line.unit_weeks, unit_price_eur=line.unit_price_eur,
                        cost_eur=line.cost_eur, pinned=line.pinned))
    unserved: dict[str, UnservedPart] = {}
    for group in detail.unmet:
        for line in group.lines:
            if line.firm_id == firm_id:
                unserved[line.line_id] = UnservedPart(
                    units=line.units, unit_weeks=line.unit_weeks, reason=group.reason,
                    change=line.change)
    mine = next((f for f in detail.firms if f.firm_id == firm_id), None)
    line_ids = sorted(set(asked) | set(served) | set(unserved))
    return FirmOutcomeView(
        round_id=detail.round_id, network_id=detail.network_id,
        first_week=detail.first_week, last_week=detail.last_week,
        finished_at=detail.finished_at, firm_id=firm_id,
        firm_name=mine.firm_name if mine else None,
        spend_eur=mine.cost_eur if mine else None,
        budget_eur=mine.budget_eur if mine else None,
        coverage=mine.coverage if mine else None,
        lines=[FirmLineOutcome(
            line_id=line_id, served=served.get(line_id, []), unserved=unserved.get(line_id),
            **_asked_fields(asked.get(line_id, {}))) for line_id in line_ids])


def _asked_fields(entry: dict) -> dict:
    return {"category": entry.get("category"), "municipality": entry.get("municipality"),
            "municipality_name": entry.get("municipality_name"),
            "weeks": entry.get("weeks") or [], "units": entry.get("units")}
