"""From a round result to the awards: one ContractAwarded per provider.

Pure: no I/O. The result lists one group contract per offer; a provider's
award gathers its offers' group contracts under one stable contract id.
"""

from __future__ import annotations

from collections import defaultdict

from schemas.assignments import AwardedLine, AwardedOffer, ContractAwarded
from schemas.result import GroupContract, RoundResult
from schemas.snapshot import RoundSnapshot
from services.matcher.ids import award_event_id, contract_id


def contracts_by_provider(result: RoundResult) -> dict[str, list[GroupContract]]:
    """Each provider's group contracts that serve at least one line, in result order."""
    grouped: dict[str, list[GroupContract]] = defaultdict(list)
    for group in result.contracts:
        if group.lines:
            grouped[group.provider_id].append(group)
    return dict(grouped)


def awards(snapshot: RoundSnapshot, result: RoundResult) -> list[ContractAwarded]:
    weeks_of = {line.line_id: line.weeks for line in snapshot.demand_lines}
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
            offers=[_awarded_offer(group, weeks_of) for group in groups],
        ))
    return events


def _awarded_offer(group: GroupContract, weeks_of: dict[str, list[str]]) -> AwardedOffer:
    return AwardedOffer(
        offer_id=group.offer_id,
        tier_index=group.tier_index,
        unit_price_eur=group.unit_price_eur,
        volume_unit_weeks=group.volume_unit_weeks,
        running_weeks=group.running_weeks,
        fixed_cost_eur=group.fixed_cost_eur,
        lines=[
            AwardedLine(
                firm_id=line.firm_id,
                line_id=line.line_id,
                units=line.units,
                weeks=weeks_of[line.line_id],
                unit_price_eur=line.unit_price_eur,
                cost_eur=line.cost_eur,
            )
            for line in group.lines
        ],
    )
