"""Enrolling a provider and updating its profile (ProviderEnrolled)."""

from __future__ import annotations

from schemas.capacity import ProviderEnrolled, ProviderProfile
from services.common.i18n import N_
from services.common.refusals import Conflict, Forbidden, NotFound
from services.supply.adapters import repository as repo
from services.supply.service_layer.context import Receipt, Supply


def enrol_provider(supply: Supply, network_id: str, profile: ProviderProfile, *,
                   may_enrol: bool) -> Receipt:
    """Publish the profile as the provider's next version; a new provider only by an operator.

    Onboarding is the network operators' job (DESIGN.md); a provider may then
    keep its own profile up to date. An unchanged profile writes no event.
    """
    provider_id = profile.provider_id
    with supply.engine.begin() as db:
        before = repo.lock_provider(db, provider_id)
        if before is None and not may_enrol:
            raise Forbidden(N_("only an operator may enrol a new provider"))
        if before is not None and before.network_id != network_id:
            raise Conflict(N_("the provider belongs to network '{network_id}'; moving it "
                              "is not supported"), network_id=before.network_id)
        if before is not None and before.profile == profile:
            return Receipt(entity_id=provider_id, entity_version=before.version, changed=False)
        version = before.version + 1 if before else 1
        repo.save_provider(db, repo.ProviderRecord(network_id, profile, version),
                           new=before is None)
        supply.outbox.add(db, ProviderEnrolled(network_id=network_id, provider=profile,
                                               entity_version=version))
    return Receipt(entity_id=provider_id, entity_version=version, changed=True)


def provider(supply: Supply, provider_id: str) -> repo.ProviderRecord:
    with supply.engine.connect() as db:
        found = repo.get_provider(db, provider_id)
    if found is None:
        raise NotFound(N_("provider '{provider_id}' is not enrolled"), provider_id=provider_id)
    return found


def provider_ids(supply: Supply) -> list[str]:
    with supply.engine.connect() as db:
        return repo.provider_ids(db)
