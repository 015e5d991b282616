"""The contracts providers hold, in the database: which one is current, and carrying them on.

"Superseded" is derived, not stored: a provider's current contract is its
contract in the network's latest committed round. A contract a repair round
kept unchanged is not announced again; its row in the new round takes the
``award_event_id`` of the event that did announce it (an award or amendment
of an earlier round). So an answer to contract X is current exactly when X
was announced by the same event as the provider's current contract: the
provider answers what it was told, under the id it was told.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, delete, insert, select, update

from schemas.assignments import AwardedLine, AwardedOffer
from services.matcher.adapters import tables as t
from services.matcher.domain.awards import Notices, Standing
from services.matcher.domain.ids import award_event_id, euro
from services.matcher.adapters.snapshot import last_committed_round

c = t.contracts.c


def current_contract(connection: Connection, network: str, provider: str):
    """The latest committed round of the network, and the provider's contract in it (or None)."""
    latest = last_committed_round(connection, network)
    if latest is None:
        return None, None
    row = connection.execute(select(t.contracts).where(
        c.round_id == latest, c.provider_id == provider, c.awarded.is_(True))).first()
    return latest, row


def told_contract(connection: Connection, row) -> tuple[str, str]:
    """(contract id, round id) under which the provider was told of this contract's content."""
    if row.award_event_id in (None, str(award_event_id(row.contract_id))):
        return row.contract_id, row.round_id
    for earlier in connection.execute(select(c.contract_id, c.round_id).where(
            c.award_event_id == row.award_event_id, c.provider_id == row.provider_id)):
        if str(award_event_id(earlier.contract_id)) == row.award_event_id:
            return earlier.contract_id, earlier.round_id
    return row.contract_id, row.round_id  # its announcing contract is gone: name itself


def held_contracts(connection: Connection, round_id: str | None) -> dict[str, Standing]:
    """The awarded contracts of a committed round, by provider, as their providers hold them."""
    if round_id is None:
        return {}
    rows = connection.execute(select(t.contracts).where(
        c.round_id == round_id, c.awarded.is_(True)).order_by(c.contract_id)).all()
    r = t.contract_responses.c
    answers = {a.contract_id: a for a in connection.execute(
        select(r.contract_id, r.response, r.entity_version)
        .where(r.contract_id.in_([row.contract_id for row in rows])))} if rows else {}
    held = {}
    for row in rows:
        told_id, told_round = told_contract(connection, row)
        answer = answers.get(row.contract_id)
        held[row.provider_id] = Standing(
            contract_id=row.contract_id, told_contract_id=told_id, told_round_id=told_round,
            provider_id=row.provider_id, offers=stored_offers(connection, row.contract_id),
            response=answer.response if answer else None,
            version=answer.entity_version if answer else 1)
    return held


def stored_offers(connection: Connection, contract: str) -> tuple[AwardedOffer, ...]:
    """A stored contract's content, in the form it was awarded."""
    o, cl = t.contract_offers.c, t.contract_lines.c
    lines: dict[str, list[AwardedLine]] = {}
    for x in connection.execute(select(t.contract_lines).where(cl.contract_id == contract)
                                .order_by(cl.offer_id, cl.line_id)):
        lines.setdefault(x.offer_id, []).append(AwardedLine(
            firm_id=x.firm_id, line_id=x.line_id, units=x.units, weeks=json.loads(x.weeks),
            unit_price_eur=euro(x.unit_price_cents), cost_eur=euro(x.cost_cents)))
    return tuple(AwardedOffer(
        offer_id=g.offer_id, tier_index=g.tier_index, unit_price_eur=euro(g.unit_price_cents),
        volume_unit_weeks=g.volume_unit_weeks, running_weeks=json.loads(g.running_weeks),
        fixed_cost_eur=euro(g.fixed_cost_cents), lines=lines.get(g.offer_id, []))
        for g in connection.execute(select(t.contract_offers).where(o.contract_id == contract)
                                    .order_by(o.offer_id))
        if lines.get(g.offer_id))


def carry_on(connection: Connection, network: str, round_id: str, notices: Notices) -> None:
    """What the new round's notices mean for answers, pins and exclusions.

    - unchanged: the new contract is the one the provider holds: it keeps the
      announcing event, the answer (copied) and the pins and exclusions, so
      that the next round still pins them and a later answer replaces them;
    - amended: the accepted lines stay pinned until the amendment is answered
      (the provider committed to them; a round run meanwhile keeps them), and
      that answer replaces them. Declined pairs stay excluded: the provider
      refused them, and an answer to the amendment, which does not hold them,
      says nothing about them;
    - withdrawn: its pins go (their lines or offers left the book, or the round
      would have kept them); its exclusions stay.
    """
    for new_id, before in notices.unchanged.items():
        connection.execute(update(t.contracts).where(c.contract_id == new_id).values(
            award_event_id=str(award_event_id(before.told_contract_id))))
        _copy_answer(connection, before.contract_id, new_id, round_id)
        _repoint(connection, network, before.contract_id, new_id, t.pinned, t.excluded)
    for new_id, before in notices.amended.items():
        _repoint(connection, network, before.contract_id, new_id, t.pinned)
    for before in notices.withdrawn:
        connection.execute(delete(t.pinned).where(
            t.pinned.c.network_id == network, t.pinned.c.contract_id == before.contract_id))


def _copy_answer(connection: Connection, old: str, new: str, round_id: str) -> None:
    r = t.contract_responses.c
    answer = connection.execute(select(t.contract_responses).where(r.contract_id == old)).first()
    if answer is not None:
        connection.execute(insert(t.contract_responses).values(
            {**answer._asdict(), "contract_id": new, "round_id": round_id}))


def _repoint(connection: Connection, network: str, old: str, new: str, *tables) -> None:
    for table in tables:
        connection.execute(update(table).where(
            table.c.network_id == network, table.c.contract_id == old).values(contract_id=new))
