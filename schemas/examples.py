"""One valid example of every message, for documentation and round-trip checks.

Ids and times are fixed so that the examples are the same on every run.
"""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel

from schemas.assignments import (
    AwardedLine,
    AwardedOffer,
    ContractAmended,
    ContractAnswerRefused,
    ContractAwarded,
    ContractWithdrawn,
)
from schemas.capacity import (
    CapacityOffer,
    CapacityOffered,
    CapacityWithdrawn,
    PriceTier,
    ProviderEnrolled,
    ProviderProfile,
)
from schemas.dead_letter import MessageDeadLettered
from schemas.demand import DemandLine, DemandSubmitted, DemandWithdrawn, FirmEnrolled, FirmProfile
from schemas.responses import ContractAccepted, ContractDeclined, LineOfferPair
from schemas.rounds import (
    CommitRound,
    FirmCoverage,
    RoundCompleted,
    RoundFailed,
    RoundStarted,
    RoundSummary,
    StartRound,
)

_AT = dt.datetime(2027, 5, 3, 9, 30, tzinfo=dt.UTC)
_HASH = "0" * 63 + "1"


def _ids(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


def examples() -> list[BaseModel]:
    base = {"network_id": "modena", "occurred_at": _AT}
    line = DemandLine(
        line_id="ceramiche-rossi.childcare.036040.summer",
        category="childcare",
        municipality="036040",
        weeks=["2027-W27", "2027-W28", "2027-W29"],
        units=12,
        max_unit_price_eur="150.00",
        priority=3,
        required_tags=["meals"],
        respondents=12,
    )
    offer = CapacityOffer(
        offer_id="coop-gulliver.camp-sassuolo",
        category="childcare",
        municipalities=["036040", "036013"],
        weeks=["2027-W26", "2027-W27", "2027-W28", "2027-W29", "2027-W30"],
        capacity_per_week=40,
        min_group_per_week=10,
        price_tiers=[
            PriceTier(min_volume=0, unit_price_eur="140.00"),
            PriceTier(min_volume=60, unit_price_eur="125.00"),
        ],
        fixed_cost_per_week_eur="300.00",
        tags=["accessible", "meals"],
    )
    awarded = AwardedOffer(
        offer_id=offer.offer_id,
        tier_index=0,
        unit_price_eur="140.00",
        volume_unit_weeks=36,
        running_weeks=line.weeks,
        fixed_cost_eur="900.00",
        lines=[
            AwardedLine(
                firm_id="ceramiche-rossi",
                line_id=line.line_id,
                units=12,
                weeks=line.weeks,
                unit_price_eur="140.00",
                cost_eur="5040.00",
            )
        ],
    )
    contract = {"contract_id": "r-2027-summer:coop-gulliver", "round_id": "r-2027-summer"}
    return [
        FirmEnrolled(
            **base, event_id=_ids(1), entity_version=1,
            firm=FirmProfile(
                firm_id="ceramiche-rossi", name="Ceramiche Rossi srl", ateco_sector="C",
                employees=48, welfare_budget_eur="25000.00",
            ),
        ),
        DemandSubmitted(**base, event_id=_ids(2), entity_version=1,
                        firm_id="ceramiche-rossi", line=line),
        DemandWithdrawn(**base, event_id=_ids(3), entity_version=2,
                        firm_id="ceramiche-rossi", line_id=line.line_id),
        ProviderEnrolled(
            **base, event_id=_ids(4), entity_version=1,
            provider=ProviderProfile(
                provider_id="coop-gulliver", name="Gulliver cooperativa sociale",
                kind="social_cooperative",
            ),
        ),
        CapacityOffered(**base, event_id=_ids(5), entity_version=1,
                        provider_id="coop-gulliver", offer=offer),
        CapacityWithdrawn(**base, event_id=_ids(6), entity_version=2,
                          provider_id="coop-gulliver", offer_id=offer.offer_id),
        StartRound(**base, event_id=_ids(7), entity_version=1, round_id="r-2027-summer",
                   first_week="2027-W24", last_week="2027-W36", dry_run=False),
        CommitRound(**base, event_id=_ids(40), entity_version=1,
                    round_id="r-2027-summer.commit", dry_run_id="r-2027-summer.dry"),
        RoundStarted(**base, event_id=_ids(8), entity_version=1, round_id="r-2027-summer",
                     dry_run=False, input_hash=_HASH, demand_lines=1, offers=1),
        RoundCompleted(
            **base, event_id=_ids(9), entity_version=2, round_id="r-2027-summer",
            dry_run=False, input_hash=_HASH,
            summary=RoundSummary(
                status="optimal", objective=108.0, bound=108.0, gap=0.0, coverage=1.0,
                weighted_coverage=1.0, total_cost_eur="5940.00", contracts=1,
                firms=[FirmCoverage(firm_id="ceramiche-rossi", coverage=1.0,
                                    cost_eur="5040.00")],
            ),
        ),
        RoundFailed(**base, event_id=_ids(10), entity_version=2, round_id="r-2027-autumn",
                    reason="solver crashed: out of memory"),
        ContractAwarded(**base, **contract, event_id=_ids(11), entity_version=1,
                        provider_id="coop-gulliver", offers=[awarded]),
        ContractAccepted(**base, **contract, event_id=_ids(12), entity_version=2,
                         provider_id="coop-gulliver"),
        ContractDeclined(
            **base, **contract, event_id=_ids(13), entity_version=2, provider_id="coop-gulliver",
            pairs=[LineOfferPair(line_id=line.line_id, offer_id=offer.offer_id)],
            reason="educators not available in week 29",
        ),
        MessageDeadLettered(
            event_id=_ids(14), occurred_at=_AT, entity_id="welfare.demand.v1:0:17",
            entity_version=1, original_topic="welfare.demand.v1", original_partition=0,
            original_offset=17, original_key="ceramiche-rossi", original_value_b64="e25vdA==",
            consumer_group="matcher", error="Invalid JSON: key must be a string", attempts=1,
        ),
        ContractAmended(
            **base, event_id=_ids(15), entity_version=1,
            contract_id="r-2027-repair:coop-gulliver", round_id="r-2027-repair",
            provider_id="coop-gulliver", replaces_contract_id=contract["contract_id"],
            replaces_round_id=contract["round_id"], offers=[awarded],
        ),
        ContractWithdrawn(
            **base, **contract, event_id=_ids(16), entity_version=3,
            provider_id="coop-gulliver", withdrawn_by_round_id="r-2027-repair",
            reason="round r-2027-repair gives this provider no contract",
        ),
        ContractAnswerRefused(
            **base, **contract, event_id=_ids(17), entity_version=2,
            provider_id="coop-gulliver", answer_event_id=_ids(12), answer="ContractAccepted",
            refusal="superseded", superseded_by_round_id="r-2027-repair",
            current_contract_id="r-2027-repair:coop-gulliver",
            reason=("contract r-2027-summer:coop-gulliver of round r-2027-summer was replaced "
                    "by round r-2027-repair: answer contract r-2027-repair:coop-gulliver "
                    "instead; this answer was not applied"),
        ),
    ]
