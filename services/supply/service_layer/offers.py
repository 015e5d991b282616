"""Publishing, updating and withdrawing a provider's offers (CapacityOffered/Withdrawn).

A batch of offers (a CSV file) is one transaction: all of it is applied, or,
if any offer is refused, none.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy import Connection

from schemas.capacity import CapacityOffer, CapacityOffered, CapacityWithdrawn
from schemas.limits import MAX_OFFERS_PER_PROVIDER
from services.common.i18n import N_
from services.common.refusals import Conflict, Invalid, NotFound
from services.supply.adapters import repository as repo
from services.supply.domain.versions import version_to_offer, version_to_withdraw
from services.supply.service_layer.context import Receipt, Supply


def put_offers(supply: Supply, provider_id: str, offers: Sequence[CapacityOffer]) -> list[Receipt]:
    """Offer each; an unchanged standing offer writes no event."""
    receipts = []
    with supply.engine.begin() as db:
        network = _locked(db, provider_id).network_id
        stored = repo.offers_of(db, provider_id)
        _check_offer_count(stored, offers)
        for offer in offers:
            _claim(db, provider_id, offer.offer_id)
            before = stored.get(offer.offer_id)
            version = version_to_offer(before, offer)
            if version is None:
                receipts.append(Receipt(entity_id=offer.offer_id, entity_version=before.version,
                                        changed=False))
                continue
            repo.save_offer(db, provider_id, offer, version, standing=True)
            supply.outbox.add(db, CapacityOffered(network_id=network, provider_id=provider_id,
                                                  offer=offer, entity_version=version))
            receipts.append(Receipt(entity_id=offer.offer_id, entity_version=version,
                                    changed=True))
    return receipts


def withdraw_offer(supply: Supply, provider_id: str, offer_id: str) -> Receipt:
    """Withdraw a standing offer; withdrawing it again changes nothing."""
    with supply.engine.begin() as db:
        network = _locked(db, provider_id).network_id
        _claim(db, provider_id, offer_id)
        before = repo.offers_of(db, provider_id).get(offer_id)
        if before is None:
            raise NotFound(N_("the provider has no offer '{offer_id}'"), offer_id=offer_id)
        version = version_to_withdraw(before)
        if version is None:
            return Receipt(entity_id=offer_id, entity_version=before.version, changed=False)
        repo.save_offer(db, provider_id, before.offer, version, standing=False)
        supply.outbox.add(db, CapacityWithdrawn(network_id=network, provider_id=provider_id,
                                                offer_id=offer_id, entity_version=version))
    return Receipt(entity_id=offer_id, entity_version=version, changed=True)


class StandingOffer(BaseModel):
    offer: CapacityOffer
    entity_version: int


def standing_offers(supply: Supply, provider_id: str) -> list[StandingOffer]:
    with supply.engine.connect() as db:
        if repo.get_provider(db, provider_id) is None:
            raise NotFound(N_("provider '{provider_id}' is not enrolled"), provider_id=provider_id)
        stored = repo.offers_of(db, provider_id)
    return [StandingOffer(offer=entry.offer, entity_version=entry.version)
            for _, entry in sorted(stored.items()) if entry.standing]


def _locked(db: Connection, provider_id: str) -> repo.ProviderRecord:
    found = repo.lock_provider(db, provider_id)
    if found is None:
        raise NotFound(N_("provider '{provider_id}' is not enrolled"), provider_id=provider_id)
    return found


def _check_offer_count(stored: dict, offers: Sequence[CapacityOffer]) -> None:
    standing = {offer_id for offer_id, entry in stored.items() if entry.standing}
    standing |= {offer.offer_id for offer in offers}
    if len(standing) > MAX_OFFERS_PER_PROVIDER:
        raise Invalid("offers", N_("the provider would have {count} offers; one provider "
                                   "may have at most {limit} (withdraw some first)"),
                      count=len(standing), limit=MAX_OFFERS_PER_PROVIDER)


def _claim(db: Connection, provider_id: str, offer_id: str) -> None:
    """Offer ids are entity ids on a shared topic: one provider's must not replace another's."""
    holder = repo.offer_holder(db, offer_id)
    if holder is not None and holder != provider_id:
        raise Conflict(N_("offer id '{offer_id}' is already used by another provider"),
                       offer_id=offer_id)
