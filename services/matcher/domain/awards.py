"""From a round result to what providers are told.

Pure: no I/O. The result lists one group contract per offer; a provider's
award gathers its offers' group contracts under one contract id per round.

A committed round supersedes the network's previous committed round, and
``notices`` compares each provider's new contract with the one it holds from
that round, so that providers hear only what changed:

- no contract before: ``ContractAwarded``;
- the same content as before (offers, tiers, prices, lines, units, weeks):
  nothing. The provider keeps the contract it was told, answered or not: an
  acceptance carries over to the new round's contract, and an answer still to
  come to the earlier award applies to it;
- different content: ``ContractAmended``, which needs a new answer, whether
  the earlier award was accepted, declined or never answered;
- no contract now: ``ContractWithdrawn`` of the contract the provider holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from schemas.assignments import (
    AwardedLine,
    AwardedOffer,
    ContractAmended,
    ContractAwarded,
    ContractWithdrawn,
)
from schemas.municipalities import municipality_name
from schemas.result import ContractLine, GroupContract, RoundResult
from schemas.snapshot import RoundSnapshot, SnapshotLine
from services.matcher.domain.ids import award_event_id, contract_id, withdrawal_event_id


def contracts_by_provider(result: RoundResult) -> dict[str, list[GroupContract]]:
    """Each provider's group contracts that serve at least one line, in result order."""
    grouped: dict[str, list[GroupContract]] = defaultdict(list)
    for group in result.contracts:
        if group.lines:
            grouped[group.provider_id].append(group)
    return dict(grouped)


def awards(snapshot: RoundSnapshot, result: RoundResult) -> list[ContractAwarded]:
    """One award per provider, its lines described from the frozen snapshot.

    Names, municipalities, categories, tags and weeks come from the snapshot
    the round solved, never from the book as it is now: the award is exactly
    the round's data, and a replayed round awards the same.
    """
    lines_of = {line.line_id: line for line in snapshot.demand_lines}
    firm_names = {firm.firm_id: firm.name for firm in snapshot.firms}
    provider_names = {p.provider_id: p.name for p in snapshot.providers}
    events = []
    for provider_id, groups in sorted(contracts_by_provider(result).items()):
        contract = contract_id(result.round_id, provider_id)
        events.append(ContractAwarded(
            event_id=award_event_id(contract),
            network_id=result.network_id,
            entity_version=1,  # the award is the contract's first version; responses follow
            contract_id=contract,
            round_id=result.round_id,
            provider_id=provider_id,
            provider_name=provider_names.get(provider_id) or None,
            offers=[_awarded_offer(group, lines_of, firm_names) for group in groups],
        ))
    return events


def _awarded_offer(group: GroupContract, lines_of: dict[str, SnapshotLine],
                   firm_names: dict[str, str | None]) -> AwardedOffer:
    return AwardedOffer(
        offer_id=group.offer_id,
        tier_index=group.tier_index,
        unit_price_eur=group.unit_price_eur,
        volume_unit_weeks=group.volume_unit_weeks,
        running_weeks=group.running_weeks,
        fixed_cost_eur=group.fixed_cost_eur,
        lines=[_awarded_line(line, lines_of[line.line_id], firm_names) for line in group.lines],
    )


def _awarded_line(served: ContractLine, line: SnapshotLine,
                  firm_names: dict[str, str | None]) -> AwardedLine:
    return AwardedLine(
        firm_id=served.firm_id,
        line_id=served.line_id,
        units=served.units,
        weeks=line.weeks,
        unit_price_eur=served.unit_price_eur,
        cost_eur=served.cost_eur,
        firm_name=firm_names.get(served.firm_id) or None,
        municipality=line.municipality,
        municipality_name=municipality_name(line.municipality),
        category=line.category,
        required_tags=line.required_tags,
    )


@dataclass(frozen=True)
class Standing:
    """A provider's contract in the round being superseded, and what the provider knows of it."""

    contract_id: str  # its row in the superseded round
    told_contract_id: str  # the id the provider was told: an earlier round's if carried over
    told_round_id: str
    provider_id: str
    offers: tuple[AwardedOffer, ...]
    response: str | None  # accepted | declined | None: not answered
    version: int = 1  # the contract's last version: 1 is the award, answers follow


Notice = ContractAwarded | ContractAmended | ContractWithdrawn


@dataclass(frozen=True)
class Notices:
    events: list[Notice] = field(default_factory=list)
    unchanged: dict[str, Standing] = field(default_factory=dict)  # new contract id -> held
    amended: dict[str, Standing] = field(default_factory=dict)  # new contract id -> replaced
    withdrawn: list[Standing] = field(default_factory=list)


def notices(new: list[ContractAwarded], held: dict[str, Standing], network_id: str,
            round_id: str) -> Notices:
    """What to tell each provider, given its new award and the contract it holds (by provider)."""
    out = Notices()
    for award in new:
        before = held.get(award.provider_id)
        if before is None:
            out.events.append(award)
        elif same_content(before.offers, award.offers):
            out.unchanged[award.contract_id] = before
        else:
            out.amended[award.contract_id] = before
            out.events.append(amendment(award, before))
    awarded = {award.provider_id for award in new}
    for provider_id, before in sorted(held.items()):
        if provider_id not in awarded:
            out.withdrawn.append(before)
            out.events.append(withdrawal(before, network_id, round_id))
    return out


def amendment(award: ContractAwarded, before: Standing) -> ContractAmended:
    return ContractAmended(
        event_id=award.event_id,  # the event that announces this contract id
        network_id=award.network_id, entity_version=1, contract_id=award.contract_id,
        round_id=award.round_id, provider_id=award.provider_id,
        replaces_contract_id=before.told_contract_id, replaces_round_id=before.told_round_id,
        offers=award.offers)


def withdrawal(before: Standing, network_id: str, round_id: str) -> ContractWithdrawn:
    return ContractWithdrawn(
        event_id=withdrawal_event_id(before.told_contract_id, round_id),
        network_id=network_id, entity_version=before.version + 1,
        contract_id=before.told_contract_id, round_id=before.told_round_id,
        provider_id=before.provider_id, withdrawn_by_round_id=round_id,
        reason=f"round {round_id} gives this provider no contract")


def same_content(before: tuple[AwardedOffer, ...] | list[AwardedOffer],
                 after: tuple[AwardedOffer, ...] | list[AwardedOffer]) -> bool:
    """The same offers, tiers, prices, lines, units and weeks, in whatever order, and
    each line still to be staffed where and as it was (municipality, category, tags).

    A firm may move a line or change its tags under the same line id and the same
    offer may still serve it: the provider must then be told, or it staffs the old
    place. A line stored before awards carried those fields (municipality None)
    is not compared on them: nothing says they changed.
    """
    return _content(before) == _content(after) and all(
        _staffing(after).get(key) == needs
        for key, needs in _staffing(before).items() if needs[0] is not None)


def _staffing(offers) -> dict[tuple[str, str, str], tuple]:
    return {(offer.offer_id, line.firm_id, line.line_id):
            (line.municipality, line.category, tuple(sorted(line.required_tags)))
            for offer in offers for line in offer.lines}


def _content(offers) -> list:
    def offer_key(offer: AwardedOffer) -> tuple:
        lines = sorted((line.firm_id, line.line_id, line.units, tuple(sorted(line.weeks)),
                        line.unit_price_eur, line.cost_eur) for line in offer.lines)
        return (offer.offer_id, offer.tier_index, offer.unit_price_eur, offer.volume_unit_weeks,
                tuple(sorted(offer.running_weeks)), offer.fixed_cost_eur, tuple(lines))

    return sorted(offer_key(offer) for offer in offers)
