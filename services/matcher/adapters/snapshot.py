"""Freezing the book into a round snapshot (the optimiser's input file).

For a network and a window of weeks: the standing demand lines that lie
entirely inside the window, the firms those lines belong to (with budgets),
the standing offers that run in some week of the window, the pinned and
excluded pairs left by providers' responses, and the assignments of the last
committed round (for least change). Everything is ordered by id, so the same
book gives the same snapshot and the same input hash.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, desc, select

from schemas.capacity import CapacityOffer
from schemas.demand import DemandLine
from schemas.parameters import RoundParameters
from schemas.snapshot import (
    Assignment,
    ExcludedPair,
    RoundSnapshot,
    SnapshotFirm,
    SnapshotLine,
    SnapshotOffer,
    SnapshotProvider,
)
from services.matcher.adapters import tables as t
from services.matcher.domain.ids import euro

log = logging.getLogger(__name__)

COMMITTED_OUTCOMES = ("optimal", "feasible")


@dataclass(frozen=True)
class RoundSpec:
    network_id: str
    round_id: str
    first_week: str
    last_week: str
    parameters: RoundParameters


def build_snapshot(connection: Connection, spec: RoundSpec) -> RoundSnapshot:
    """Raises ``pydantic.ValidationError`` if the book makes no valid snapshot."""
    firms = _firms(connection, spec.network_id)
    standing = _lines(connection, spec)
    lines = [line for line in standing if line.firm_id in firms]
    if len(lines) < len(standing):
        # No budget is known for them yet; they wait for their firm's enrolment.
        log.warning("%d demand lines left out: their firm is not enrolled",
                    len(standing) - len(lines))
    used_firms = sorted({line.firm_id for line in lines})
    offers = _offers(connection, spec)
    line_ids = {line.line_id for line in lines}
    offer_ids = {offer.offer_id for offer in offers}

    def inside(pair) -> bool:
        return pair.line_id in line_ids and pair.offer_id in offer_ids

    return RoundSnapshot(
        network_id=spec.network_id,
        round_id=spec.round_id,
        first_week=spec.first_week,
        last_week=spec.last_week,
        firms=[SnapshotFirm(firm_id=f, welfare_budget_eur=firms[f].budget, name=firms[f].name)
               for f in used_firms],
        demand_lines=lines,
        offers=offers,
        providers=_providers(connection, spec.network_id,
                             sorted({offer.provider_id for offer in offers})),
        pinned=[p for p in _pinned(connection, spec.network_id) if inside(p)],
        excluded=[p for p in _excluded(connection, spec.network_id) if inside(p)],
        previous=[p for p in previous_assignments(connection, spec.network_id)
                  if p.line_id in line_ids],
        parameters=spec.parameters,
    )


@dataclass(frozen=True)
class _Firm:
    budget: Decimal  # euro
    name: str | None


def _firms(connection: Connection, network: str) -> dict[str, _Firm]:
    f = t.firms.c
    rows = connection.execute(select(f.firm_id, f.budget_cents, f.name).where(
        f.network_id == network, f.withdrawn.is_(False), f.budget_cents.is_not(None)))
    return {row.firm_id: _Firm(euro(row.budget_cents), row.name) for row in rows}


def _providers(connection: Connection, network: str,
               provider_ids: list[str]) -> list[SnapshotProvider]:
    """The offers' providers with the names they enrolled with (None if not enrolled yet)."""
    p = t.providers.c
    # The whole network's names, not an IN list: a network's offers may outnumber the
    # parameters one statement can bind.
    names = dict(connection.execute(select(p.provider_id, p.name).where(
        p.network_id == network)).all())
    return [SnapshotProvider(provider_id=i, name=names.get(i)) for i in provider_ids]


def _lines(connection: Connection, spec: RoundSpec) -> list[SnapshotLine]:
    d = t.demand_lines.c
    rows = connection.execute(
        select(d.firm_id, d.payload)
        .where(d.network_id == spec.network_id, d.withdrawn.is_(False),
               d.payload.is_not(None),
               d.first_week >= spec.first_week, d.last_week <= spec.last_week)
        .order_by(d.line_id))
    return [SnapshotLine(**DemandLine.model_validate_json(row.payload).model_dump(),
                         firm_id=row.firm_id) for row in rows]


def _offers(connection: Connection, spec: RoundSpec) -> list[SnapshotOffer]:
    o = t.offers.c
    rows = connection.execute(
        select(o.provider_id, o.payload)
        .where(o.network_id == spec.network_id, o.withdrawn.is_(False),
               o.payload.is_not(None),
               o.first_week <= spec.last_week, o.last_week >= spec.first_week)
        .order_by(o.offer_id))
    offers = [SnapshotOffer(**CapacityOffer.model_validate_json(row.payload).model_dump(),
                            provider_id=row.provider_id) for row in rows]
    # An offer whose weeks straddle the window without one inside serves nothing here.
    return [o for o in offers if any(spec.first_week <= w <= spec.last_week for w in o.weeks)]


def _pinned(connection: Connection, network: str) -> list[Assignment]:
    p = t.pinned.c
    rows = connection.execute(select(p.line_id, p.offer_id, p.units)
                              .where(p.network_id == network)
                              .order_by(p.line_id, p.offer_id))
    return [Assignment(line_id=r.line_id, offer_id=r.offer_id, units=r.units) for r in rows]


def _excluded(connection: Connection, network: str) -> list[ExcludedPair]:
    x = t.excluded.c
    rows = connection.execute(select(x.line_id, x.offer_id)
                              .where(x.network_id == network)
                              .order_by(x.line_id, x.offer_id))
    return [ExcludedPair(line_id=r.line_id, offer_id=r.offer_id) for r in rows]


def last_committed_round(connection: Connection, network: str) -> str | None:
    r = t.rounds.c
    return connection.execute(
        select(r.round_id)
        .where(r.network_id == network, r.status == "completed", r.dry_run.is_(False),
               r.outcome.in_(COMMITTED_OUTCOMES))
        .order_by(desc(r.finished_at), desc(r.round_id)).limit(1)).scalar()


def previous_assignments(connection: Connection, network: str) -> list[Assignment]:
    round_id = last_committed_round(connection, network)
    if round_id is None:
        return []
    c, cl = t.contracts.c, t.contract_lines.c
    rows = connection.execute(
        select(cl.line_id, cl.offer_id, cl.units)
        .join_from(t.contract_lines, t.contracts, cl.contract_id == c.contract_id)
        .where(c.round_id == round_id).order_by(cl.line_id, cl.offer_id))
    return [Assignment(line_id=r.line_id, offer_id=r.offer_id, units=r.units) for r in rows]
