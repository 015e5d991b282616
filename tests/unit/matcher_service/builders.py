"""Events and snapshots for the matcher service's tests, small and readable."""

from __future__ import annotations

import uuid

from schemas.capacity import (
    CapacityOffer,
    CapacityOffered,
    CapacityWithdrawn,
    PriceTier,
    ProviderEnrolled,
    ProviderProfile,
)
from schemas.demand import DemandLine, DemandSubmitted, DemandWithdrawn, FirmEnrolled, FirmProfile
from schemas.parameters import RoundParameters
from schemas.responses import ContractAccepted, ContractDeclined, LineOfferPair
from schemas.rounds import StartRound

NETWORK = "modena"
TOWN = "036023"  # Modena
SUMMER = ["2027-W27", "2027-W28"]
SEASON = ["2027-W26", "2027-W27", "2027-W28", "2027-W29", "2027-W30"]


def firm(firm_id: str, budget: str = "100000.00", version: int = 1,
         network: str = NETWORK) -> FirmEnrolled:
    return FirmEnrolled(
        network_id=network, entity_version=version,
        firm=FirmProfile(firm_id=firm_id, name=firm_id.title(), ateco_sector="C",
                         employees=40, welfare_budget_eur=budget))


def line(line_id: str, firm_id: str, *, weeks=SUMMER, units: int = 5, price: str = "200.00",
         version: int = 1, category: str = "childcare", town: str = TOWN, priority: int = 1,
         network: str = NETWORK) -> DemandSubmitted:
    return DemandSubmitted(
        network_id=network, entity_version=version, firm_id=firm_id,
        line=DemandLine(line_id=line_id, category=category, municipality=town,
                        weeks=list(weeks), units=units, max_unit_price_eur=price,
                        priority=priority, respondents=10))


def line_withdrawn(line_id: str, firm_id: str, version: int,
                   network: str = NETWORK) -> DemandWithdrawn:
    return DemandWithdrawn(network_id=network, entity_version=version, firm_id=firm_id,
                           line_id=line_id)


def provider(provider_id: str, network: str = NETWORK) -> ProviderEnrolled:
    return ProviderEnrolled(
        network_id=network, entity_version=1,
        provider=ProviderProfile(provider_id=provider_id, name=provider_id.title(),
                                 kind="social_cooperative"))


def offer(offer_id: str, provider_id: str, *, weeks=SEASON, capacity: int = 20,
          price: str = "100.00", min_group: int = 0, version: int = 1,
          category: str = "childcare", towns=(TOWN,), network: str = NETWORK) -> CapacityOffered:
    return CapacityOffered(
        network_id=network, entity_version=version, provider_id=provider_id,
        offer=CapacityOffer(offer_id=offer_id, category=category, municipalities=list(towns),
                            weeks=list(weeks), capacity_per_week=capacity,
                            min_group_per_week=min_group, fixed_cost_per_week_eur="0.00",
                            price_tiers=[PriceTier(min_volume=0, unit_price_eur=price)]))


def offer_withdrawn(offer_id: str, provider_id: str, version: int,
                    network: str = NETWORK) -> CapacityWithdrawn:
    return CapacityWithdrawn(network_id=network, entity_version=version,
                             provider_id=provider_id, offer_id=offer_id)


def start_round(round_id: str, *, dry_run: bool = False, first: str = "2027-W24",
                last: str = "2027-W36", network: str = NETWORK, **parameters) -> StartRound:
    return StartRound(network_id=network, entity_version=1, round_id=round_id,
                      first_week=first, last_week=last, dry_run=dry_run,
                      parameters=RoundParameters(**parameters))


def accepted(round_id: str, provider_id: str, version: int = 2,
             network: str = NETWORK) -> ContractAccepted:
    return ContractAccepted(network_id=network, entity_version=version,
                            contract_id=f"{round_id}:{provider_id}", round_id=round_id,
                            provider_id=provider_id)


def declined(round_id: str, provider_id: str, pairs=(), version: int = 2,
             network: str = NETWORK) -> ContractDeclined:
    return ContractDeclined(
        network_id=network, entity_version=version, contract_id=f"{round_id}:{provider_id}",
        round_id=round_id, provider_id=provider_id,
        pairs=[LineOfferPair(line_id=a, offer_id=b) for a, b in pairs], reason="no staff")


def again(event, **changes):
    """The same event with a new event id (and any field changed)."""
    return event.model_copy(update={"event_id": uuid.uuid4(), **changes})


def small_book() -> list:
    """Two firms, two providers: each line fits one offer."""
    return [
        firm("ceramiche"), firm("tessile"),
        provider("gulliver"), provider("aurora"),
        offer("gulliver.camp", "gulliver", capacity=20),
        offer("aurora.care", "aurora", category="home_care", capacity=50),
        line("ceramiche.camp", "ceramiche", units=6),
        line("tessile.camp", "tessile", units=4),
        line("tessile.care", "tessile", units=10, category="home_care"),
    ]
