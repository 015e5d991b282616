"""What a provider may see of the committed rounds: its own awards and where each stands.

A cooperative without a Kafka consumer of its own reads its awards here
(through the operator API and the console) and answers them from the page, so
every status is derived exactly as the matcher applies answers
(``responses.apply_response`` and ``standing``):

- ``awaiting``: the provider's contract in the network's latest committed
  round, not answered yet;
- ``amended``: the same, but a repair round changed an earlier contract of the
  provider: it needs a new answer;
- ``accepted`` / ``declined``: the answer the matcher applied (a contract a
  repair round kept unchanged carries its answer on);
- ``superseded``: a later committed round replaced it: an answer to it would
  be refused;
- ``withdrawn``: the latest committed round gives the provider no contract:
  this, its last one, was dropped.

A contract that a later round kept unchanged is listed once, as the later
round's contract, but answered under the id the provider was told
(``answer_contract_id``/``answer_round_id``), as the matcher expects.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from pydantic import Field
from sqlalchemy import Engine, desc, select

from services.matcher.adapters import tables as t
from services.matcher.domain.ids import euro
from services.matcher.adapters.queries import _round_names
from services.matcher.adapters.snapshot import COMMITTED_OUTCOMES
from services.matcher.adapters.standing import told_contract
from services.matcher.views import View

ANSWERABLE = ("awaiting", "amended", "accepted", "declined")


class AwardLine(View):
    firm_id: str
    firm_name: str | None
    line_id: str
    municipality: str | None
    municipality_name: str | None
    category: str | None
    required_tags: list[str] = Field(default_factory=list)
    weeks: list[str]
    units: int
    unit_price_eur: Decimal
    cost_eur: Decimal


class AwardOffer(View):
    offer_id: str
    tier_index: int
    unit_price_eur: Decimal
    lines: list[AwardLine]


class ProviderAward(View):
    contract_id: str
    round_id: str
    network_id: str
    committed_at: dt.datetime | None
    status: str  # see the module's docstring
    answerable: bool  # the matcher would apply an answer to it now
    answer_contract_id: str  # the id (and round) an answer must name
    answer_round_id: str
    next_version: int  # the entity version a new answer carries
    reason: str | None = None  # of a decline
    response: str | None = None  # accepted | declined: the answer applied to it, if any
    answered_at: dt.datetime | None = None
    replaced_by_round_id: str | None = None
    cost_eur: Decimal
    offers: list[AwardOffer]


def provider_awards(engine: Engine, provider_id: str) -> list[ProviderAward]:
    """Every award of every committed round that concerns the provider, newest first."""
    c, r = t.contracts.c, t.rounds.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.contracts, r.finished_at, r.snapshot, r.commits_round_id)
            .join_from(t.contracts, t.rounds, c.round_id == r.round_id)
            .where(c.provider_id == provider_id, c.awarded.is_(True),
                   r.dry_run.is_(False), r.status == "completed")
            .order_by(desc(r.finished_at), desc(c.round_id))).all()
        latest, previous = {}, {}
        for network in {row.network_id for row in rows}:
            latest[network], previous[network] = _last_two_committed(connection, network)
        told = {row.contract_id: told_contract(connection, row)[0] for row in rows}
        carried = {told[row.contract_id] for row in rows
                   if row.round_id == latest[row.network_id]
                   and told[row.contract_id] != row.contract_id}
        holds_now = {row.network_id for row in rows if row.round_id == latest[row.network_id]}
        awards, dropped_named = [], set()
        for row in rows:
            if row.contract_id in carried:
                continue  # shown as the later round's unchanged contract
            if row.round_id != latest[row.network_id] and told[row.contract_id] != row.contract_id:
                continue  # an older round's unchanged copy: its announcing contract is listed
            network = row.network_id
            status, replaced = _status(row, latest[network], previous[network], told, rows,
                                       network in holds_now, dropped_named)
            answer = _answer(connection, row.contract_id)
            offers, cost = _content(connection, row)
            if row.round_id == latest[network] and answer is not None:
                status = answer.response
            awards.append(ProviderAward(
                contract_id=row.contract_id, round_id=row.round_id, network_id=network,
                committed_at=_utc(row.finished_at), status=status,
                answerable=status in ANSWERABLE,
                answer_contract_id=told[row.contract_id],
                answer_round_id=_round_of(rows, told[row.contract_id], row.round_id),
                next_version=(answer.entity_version if answer else 1) + 1,
                reason=answer.reason if answer and answer.response == "declined" else None,
                response=answer.response if answer else None,
                answered_at=_utc(answer.responded_at) if answer else None,
                replaced_by_round_id=replaced,
                cost_eur=cost, offers=offers))
    return awards


def _last_two_committed(connection, network: str) -> tuple[str | None, str | None]:
    """The network's latest committed round and the one before it (as ``snapshot``
    orders them), so an award can be told apart from an amendment."""
    r = t.rounds.c
    found = connection.execute(
        select(r.round_id)
        .where(r.network_id == network, r.status == "completed", r.dry_run.is_(False),
               r.outcome.in_(COMMITTED_OUTCOMES))
        .order_by(desc(r.finished_at), desc(r.round_id)).limit(2)).scalars().all()
    found = [*found, None, None]
    return found[0], found[1]


def _status(row, latest, previous, told, rows, holds_now, dropped_named):
    if row.round_id == latest:
        # An amendment replaces the contract the provider held in the round before
        # (``awards.notices``); without one there, this is a fresh award.
        held_before = any(other.network_id == row.network_id and other.round_id == previous
                          for other in rows)
        fresh = told[row.contract_id] == row.contract_id
        return ("amended" if held_before and fresh else "awaiting"), None
    if not holds_now and row.network_id not in dropped_named:
        dropped_named.add(row.network_id)  # its newest contract is the one withdrawn
        return "withdrawn", latest
    return "superseded", latest


def _answer(connection, contract_id: str):
    a = t.contract_responses.c
    return connection.execute(select(t.contract_responses)
                              .where(a.contract_id == contract_id)).first()


def _round_of(rows, contract_id: str, default: str) -> str:
    return next((row.round_id for row in rows if row.contract_id == contract_id), default)


def _content(connection, row) -> tuple[list[AwardOffer], Decimal]:
    """The contract's offers and lines, each line as the round's snapshot froze it."""
    snapshot = row.snapshot
    if not snapshot and row.commits_round_id:  # a committed dry run: its snapshot
        snapshot = connection.execute(select(t.rounds.c.snapshot).where(
            t.rounds.c.round_id == row.commits_round_id)).scalar()
    names = _round_names(connection, row.network_id, snapshot)
    o, cl = t.contract_offers.c, t.contract_lines.c
    lines: dict[str, list[AwardLine]] = {}
    total = Decimal(0)
    for x in connection.execute(select(t.contract_lines).where(cl.contract_id == row.contract_id)
                                .order_by(cl.offer_id, cl.firm_id, cl.line_id)):
        fields = names.line_fields(x.line_id)
        cost = euro(x.cost_cents)
        total += cost
        lines.setdefault(x.offer_id, []).append(AwardLine(
            firm_id=x.firm_id, firm_name=names.firms.get(x.firm_id), line_id=x.line_id,
            municipality=fields.get("municipality"),
            municipality_name=fields.get("municipality_name"),
            category=fields.get("category"), required_tags=fields.get("required_tags") or [],
            weeks=json.loads(x.weeks), units=x.units,
            unit_price_eur=euro(x.unit_price_cents), cost_eur=cost))
    offers = [AwardOffer(offer_id=g.offer_id, tier_index=g.tier_index,
                               unit_price_eur=euro(g.unit_price_cents),
                               lines=lines[g.offer_id])
                    for g in connection.execute(select(t.contract_offers).where(
                        o.contract_id == row.contract_id).order_by(o.offer_id))
                    if lines.get(g.offer_id)]
    return offers, total  # what the lines cost, as each firm's outcome shows it


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)  # SQLite gives naive datetimes back


# --- what a round keeps, moves and drops of the contracts providers hold -------------

class ChangedContract(View):
    provider_id: str
    provider_name: str | None
    contract_id: str | None  # in this round; None when dropped
    held_contract_id: str | None  # as the provider was told it; None when new
    held_response: str | None  # accepted | declined | None: the answer to what it held
    lines: int  # firm lines in the contract (this round's; the held one's when dropped)


class RoundChanges(View):
    round_id: str
    compared_with_round_id: str | None  # the committed round before it; None: first round
    kept: list[ChangedContract] = Field(default_factory=list)  # unchanged: not sent again
    amended: list[ChangedContract] = Field(default_factory=list)  # changed: needs a new answer
    withdrawn: list[ChangedContract] = Field(default_factory=list)  # dropped
    new: list[ChangedContract] = Field(default_factory=list)  # a provider with no contract before


def round_changes(engine: Engine, round_id: str) -> RoundChanges | None:
    """The round's contracts against those of the network's committed round before it.

    The same comparison the matcher makes when it commits (``awards.notices``),
    so a dry run shows what committing it would keep, move and drop, and a
    committed repair round what it did.
    """
    from services.matcher.domain.awards import same_content  # pure; imported here to keep it light
    from services.matcher.adapters.standing import held_contracts, stored_offers

    r, c = t.rounds.c, t.contracts.c
    with engine.connect() as connection:
        row = connection.execute(select(t.rounds).where(r.round_id == round_id)).first()
        if row is None:
            return None
        before = connection.execute(
            select(r.round_id).where(
                r.network_id == row.network_id, r.dry_run.is_(False),
                r.status == "completed", r.round_id != round_id,
                r.finished_at < row.requested_at)
            .order_by(desc(r.finished_at)).limit(1)).scalar()
        changes = RoundChanges(round_id=round_id, compared_with_round_id=before)
        if before is None:
            return changes
        names = _round_names(connection, row.network_id, row.snapshot)
        held = held_contracts(connection, before)
        now = {x.provider_id: x.contract_id for x in connection.execute(
            select(c.provider_id, c.contract_id).where(c.round_id == round_id))}
        for provider_id, contract in sorted(now.items()):
            offers = stored_offers(connection, contract)
            count = sum(len(o.lines) for o in offers)
            had = held.get(provider_id)
            entry = ChangedContract(
                provider_id=provider_id, provider_name=names.providers.get(provider_id),
                contract_id=contract, held_contract_id=had.told_contract_id if had else None,
                held_response=had.response if had else None, lines=count)
            if had is None:
                changes.new.append(entry)
            elif same_content(had.offers, offers):
                changes.kept.append(entry)
            else:
                changes.amended.append(entry)
        for provider_id, had in sorted(held.items()):
            if provider_id not in now:
                changes.withdrawn.append(ChangedContract(
                    provider_id=provider_id, provider_name=names.providers.get(provider_id),
                    contract_id=None, held_contract_id=had.told_contract_id,
                    held_response=had.response, lines=sum(len(o.lines) for o in had.offers)))
    return changes
