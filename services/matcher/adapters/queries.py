"""The read API over the matcher's database, for the operator service and CLI.

Plain functions over an ``Engine``; they only read, and return the models of
``services.matcher.views``:

- ``list_rounds(engine, network=None, limit=50) -> list[RoundView]``:
  the latest rounds first (of one network, or all).
- ``get_round(engine, round_id) -> RoundDetail | None``: one round with its
  summary, per-firm coverage, contracts with their offers and lines (and the
  provider's response), unmet demand grouped by reason with the smallest
  changes, timings and status. None if the round id is unknown. Firms and
  providers carry their names (``firm_name``, ``provider_name``; None where
  no name is known, so show the id), and contract lines what the award told
  the provider to staff (``municipality``, ``municipality_name``,
  ``category``, ``required_tags``), as the round's snapshot froze them; each
  contract offer its ``capacity_per_week`` and ``min_group_per_week`` likewise.
  A running round says where it is: ``phase`` (waiting_for_book, snapshot,
  solving, storing), ``part`` of ``parts`` while solving, ``phase_since``.
- ``round_files(engine, round_id) -> tuple[str | None, str | None] | None``:
  the stored snapshot and result files (JSON text), to replay a round.
- ``book_state(engine, network) -> dict``: the network's standing firms,
  providers, demand lines and offers in the book, and ``changed_at``, when an
  event was last applied to it (the network overview's freshness).

These signatures are stable; new needs get new functions.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, desc, select

from schemas.municipalities import municipality_name
from schemas.parameters import RoundParameters
from schemas.responses import LineOfferPair
from schemas.result import FirmOutcome, SmallestChange
from schemas.rounds import RoundSummary
from services.matcher.adapters import tables as t
from services.matcher.domain.ids import euro
from services.matcher.views import (
    ContractLineView,
    ContractOfferView,
    ContractView,
    FirmCoverageView,
    RoundDetail,
    RoundTimings,
    RoundView,
    UnmetByReason,
    UnmetLineView,
)

r = t.rounds.c
_LIST_COLUMNS = [c for c in t.rounds.c if c.name not in ("snapshot", "result")]


def list_rounds(engine: Engine, network: str | None = None, limit: int = 50) -> list[RoundView]:
    query = select(*_LIST_COLUMNS).order_by(desc(r.requested_at), desc(r.round_id)).limit(limit)
    if network is not None:
        query = query.where(r.network_id == network)
    with engine.connect() as connection:
        return [RoundView(**_round_fields(row)) for row in connection.execute(query)]


def get_round(engine: Engine, round_id: str) -> RoundDetail | None:
    with engine.connect() as connection:
        row = connection.execute(select(t.rounds).where(r.round_id == round_id)).first()
        if row is None:
            return None
        names = _round_names(connection, row.network_id, row.snapshot)
        contracts = _contracts(connection, round_id, names)
        unmet = _unmet(connection, round_id, names)
    return RoundDetail(
        **_round_fields(row),
        parameters=RoundParameters.model_validate_json(row.parameters),
        attempts=row.attempts, solver=row.solver, objective=row.objective, bound=row.bound,
        gap=row.gap, message=_result_field(row.result, "message"), pinned=row.pinned,
        excluded=row.excluded,
        summary=RoundSummary.model_validate_json(row.summary) if row.summary else None,
        timings=RoundTimings(snapshot_s=row.snapshot_s, solve_s=row.solve_s,
                             solver_build_s=row.solver_build_s,
                             solver_solve_s=row.solver_solve_s, total_s=row.total_s),
        firms=_firms(row.result, names), contracts=contracts, unmet=unmet,
        offer_providers={o: x["provider_id"] for o, x in names.offers.items()
                         if x.get("provider_id")},
        provider_names=dict(names.providers),
        phase=row.phase, part=row.phase_part, parts=row.phase_parts,
        phase_since=_utc(row.phase_since),
    )


def round_files(engine: Engine, round_id: str) -> tuple[str | None, str | None] | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(r.snapshot, r.result).where(r.round_id == round_id)).first()
    return None if row is None else (row.snapshot, row.result)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)  # SQLite keeps no zone; we always write UTC


def _round_fields(row) -> dict:
    return {
        "round_id": row.round_id, "network_id": row.network_id,
        "first_week": row.first_week, "last_week": row.last_week, "dry_run": row.dry_run,
        "kind": row.kind, "status": row.status, "outcome": row.outcome,
        "requested_by": row.requested_by, "requested_at": _utc(row.requested_at),
        "started_at": _utc(row.started_at), "finished_at": _utc(row.finished_at),
        "input_hash": row.input_hash, "demand_lines": row.demand_lines, "offers": row.offers,
        "coverage": row.coverage, "weighted_coverage": row.weighted_coverage,
        "total_cost_eur": euro(row.total_cost_cents), "contract_count": row.contracts,
        "failure_reason": row.failure_reason,
    }


def _result_field(result_json: str | None, name: str):
    return json.loads(result_json).get(name) if result_json else None


@dataclass
class _RoundNames:
    """Names and line details of a round: its snapshot's, else the book's names now."""

    firms: dict[str, str] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)
    lines: dict[str, dict] = field(default_factory=dict)  # line id -> its snapshot entry
    offers: dict[str, dict] = field(default_factory=dict)  # offer id -> its snapshot entry

    def offer_fields(self, offer_id: str) -> dict:
        offer = self.offers.get(offer_id)
        if offer is None:
            return {}
        return {"capacity_per_week": offer.get("capacity_per_week"),
                "min_group_per_week": offer.get("min_group_per_week", 0)}

    def line_fields(self, line_id: str) -> dict:
        line = self.lines.get(line_id)
        if line is None:
            return {}
        code = line.get("municipality")
        return {"municipality": code, "municipality_name": municipality_name(code or ""),
                "category": line.get("category"),
                "required_tags": line.get("required_tags") or []}


def _round_names(connection, network: str, snapshot_json: str | None) -> _RoundNames:
    # The book's names first, for rounds frozen before snapshots carried names (0004);
    # the snapshot's win: the round is shown as it was solved and awarded.
    names = _RoundNames()
    f, p = t.firms.c, t.providers.c
    names.firms.update(connection.execute(select(f.firm_id, f.name).where(
        f.network_id == network, f.name.is_not(None))).all())
    names.providers.update(connection.execute(select(p.provider_id, p.name).where(
        p.network_id == network, p.name.is_not(None))).all())
    if snapshot_json:
        firms, providers, names.lines, names.offers = _snapshot_names(snapshot_json)
        names.firms.update(firms)
        names.providers.update(providers)
    return names


@functools.lru_cache(maxsize=4)
def _snapshot_names(snapshot_json: str) -> tuple[dict, dict, dict, dict]:
    """Firm and provider names, lines and offers of a stored snapshot, read once.

    A stored snapshot never changes, and reading it was most of a round detail's
    time (1k lines: ~0.2 s of json.loads on every page load of the report); a few
    are kept, keyed by the text itself. Plain JSON, not RoundSnapshot: a large
    round's file is read, not validated again. Callers only read what it returns.
    """
    snapshot = json.loads(snapshot_json)
    return ({x["firm_id"]: x["name"] for x in snapshot.get("firms", []) if x.get("name")},
            {x["provider_id"]: x["name"] for x in snapshot.get("providers", [])
             if x.get("name")},
            {x["line_id"]: x for x in snapshot.get("demand_lines", [])},
            {x["offer_id"]: x for x in snapshot.get("offers", [])})


def _firms(result_json: str | None, names: _RoundNames) -> list[FirmCoverageView]:
    outcomes = [FirmOutcome.model_validate(f) for f in _result_field(result_json, "firms") or []]
    return [FirmCoverageView(**o.model_dump(), firm_name=names.firms.get(o.firm_id))
            for o in outcomes]


def _contracts(connection, round_id: str, names: _RoundNames) -> list[ContractView]:
    c, o, cl, cr = t.contracts.c, t.contract_offers.c, t.contract_lines.c, t.contract_responses.c
    heads = connection.execute(
        select(t.contracts, cr.response, cr.pairs)
        .join_from(t.contracts, t.contract_responses, c.contract_id == cr.contract_id,
                   isouter=True)
        .where(c.round_id == round_id).order_by(c.contract_id)).all()
    ids = [h.contract_id for h in heads]
    lines = defaultdict(list)
    for row in connection.execute(select(t.contract_lines).where(cl.contract_id.in_(ids))
                                  .order_by(cl.line_id)):
        lines[row.contract_id, row.offer_id].append(ContractLineView(
            line_id=row.line_id, firm_id=row.firm_id, units=row.units,
            unit_weeks=row.unit_weeks, weeks=json.loads(row.weeks),
            unit_price_eur=euro(row.unit_price_cents), cost_eur=euro(row.cost_cents),
            pinned=row.pinned, firm_name=names.firms.get(row.firm_id),
            **names.line_fields(row.line_id)))
    offers = defaultdict(list)
    for row in connection.execute(select(t.contract_offers).where(o.contract_id.in_(ids))
                                  .order_by(o.offer_id)):
        offers[row.contract_id].append(ContractOfferView(
            offer_id=row.offer_id, tier_index=row.tier_index,
            unit_price_eur=euro(row.unit_price_cents), volume_unit_weeks=row.volume_unit_weeks,
            running_weeks=json.loads(row.running_weeks),
            weekly_load=json.loads(row.weekly_load),
            fixed_cost_eur=euro(row.fixed_cost_cents), unit_cost_eur=euro(row.unit_cost_cents),
            lines=lines[row.contract_id, row.offer_id], **names.offer_fields(row.offer_id)))
    return [ContractView(
        contract_id=h.contract_id, provider_id=h.provider_id,
        provider_name=names.providers.get(h.provider_id), awarded=h.awarded,
        award_event_id=h.award_event_id, unit_cost_eur=euro(h.unit_cost_cents),
        fixed_cost_eur=euro(h.fixed_cost_cents), response=h.response,
        declined_pairs=[LineOfferPair(line_id=line, offer_id=offer)
                        for line, offer in json.loads(h.pairs or "[]")],
        offers=offers[h.contract_id]) for h in heads]


def _unmet(connection, round_id: str, names: _RoundNames) -> list[UnmetByReason]:
    u = t.unmet_lines.c
    grouped = defaultdict(list)
    for row in connection.execute(select(t.unmet_lines).where(u.round_id == round_id)
                                  .order_by(u.position)):
        grouped[row.reason].append(UnmetLineView(
            line_id=row.line_id, firm_id=row.firm_id, firm_name=names.firms.get(row.firm_id),
            units=row.units, unit_weeks=row.unit_weeks,
            change=SmallestChange.model_validate_json(row.change) if row.change else None,
            weeks=names.lines.get(row.line_id, {}).get("weeks", []),
            **names.line_fields(row.line_id)))
    views = [UnmetByReason(reason=reason, units=sum(v.units for v in lines),
                           unit_weeks=sum(v.unit_weeks for v in lines), lines=lines)
             for reason, lines in grouped.items()]
    return sorted(views, key=lambda v: (-v.units, v.reason))


def network_known(engine: Engine, network: str) -> bool:
    """Whether the book holds any firm, provider or offer of ``network``.

    A round on a network the matcher has never heard of (a typo: ``bologna``
    for ``bologna-metro``) would complete, optimal, with nothing to match.
    """
    from sqlalchemy import exists

    with engine.connect() as connection:
        return any(connection.execute(select(exists().where(table.c.network_id == network)))
                   .scalar() for table in (t.firms, t.providers, t.offers))


def latest_committed_round_of_firm(engine: Engine, firm_id: str) -> tuple[str | None, dict]:
    """The firm's network's latest committed, completed round, if it had the firm.

    Only the latest: an older round's awards were replaced by it, so a firm the
    latest round left out (enrolled after it) has no outcome to show yet.
    Returns the round id (None if no committed round has the firm yet) and the
    firm's lines as that round's snapshot froze them (line id -> its entry),
    so a firm's page shows each line as it was matched. Dry runs never count:
    a firm sees only what was awarded.
    """
    query = (select(r.round_id, r.snapshot)
             .where(r.dry_run.is_(False), r.status == "completed",
                    r.network_id.in_(select(t.firms.c.network_id)
                                     .where(t.firms.c.firm_id == firm_id)))
             .order_by(desc(r.finished_at), desc(r.requested_at)).limit(1))
    with engine.connect() as connection:
        for round_id, snapshot_json in connection.execute(query):
            snapshot = json.loads(snapshot_json) if snapshot_json else {}
            if any(f["firm_id"] == firm_id for f in snapshot.get("firms", [])):
                names = _RoundNames(lines={x["line_id"]: x
                                           for x in snapshot.get("demand_lines", [])
                                           if x.get("firm_id") == firm_id})
                return round_id, {line_id: {**entry, **names.line_fields(line_id)}
                                  for line_id, entry in names.lines.items()}
    return None, {}


def book_state(engine: Engine, network: str) -> dict:
    """What the book holds of ``network`` now: standing firms, providers, demand lines
    and offers, and when the last event was applied to any of them (``changed_at``,
    None for a network the book has never heard of).

    A withdrawal is a change too: ``changed_at`` counts withdrawn rows, the counts
    do not. Lines and offers count as the snapshot takes them (a payload, not
    withdrawn).
    """
    from sqlalchemy import case, func

    # (table, whether a standing row needs a payload: lines and offers, as the snapshot)
    counted = {"firms": (t.firms, False), "providers": (t.providers, False),
               "demand_lines": (t.demand_lines, True), "offers": (t.offers, True)}
    state: dict = {}
    changed: list[dt.datetime] = []
    with engine.connect() as connection:
        for name, (table, needs_payload) in counted.items():
            c = table.c
            standing = c.withdrawn.is_(False)
            if needs_payload:
                standing = standing & c.payload.is_not(None)
            row = connection.execute(
                select(func.coalesce(func.sum(case((standing, 1), else_=0)), 0).label("n"),
                       func.max(c.updated_at).label("changed"))
                .where(c.network_id == network)).one()
            state[name] = int(row.n)
            if row.changed is not None:
                changed.append(_utc(row.changed))
    state["changed_at"] = max(changed, default=None)
    return state
