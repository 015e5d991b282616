"""Reading and writing supply's tables, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from schemas.capacity import CapacityOffer, ProviderProfile
from services.supply.adapters.tables import offers, providers
from services.supply.domain.versions import StoredOffer


@dataclass(frozen=True)
class ProviderRecord:
    network_id: str
    profile: ProviderProfile
    version: int


def lock_provider(db: Connection, provider_id: str) -> ProviderRecord | None:
    """The provider, locked until the transaction ends.

    Touching the row takes SQLite's write lock at once, or the row's lock on
    PostgreSQL, so that two requests for one provider queue instead of both
    reading the same versions and publishing one version twice.
    """
    db.execute(update(providers).where(providers.c.provider_id == provider_id)
               .values(version=providers.c.version))
    return get_provider(db, provider_id)


def get_provider(db: Connection, provider_id: str) -> ProviderRecord | None:
    row = db.execute(select(providers).where(providers.c.provider_id == provider_id)).first()
    if row is None:
        return None
    return ProviderRecord(row.network_id, ProviderProfile.model_validate_json(row.profile),
                          row.version)


def provider_ids(db: Connection) -> list[str]:
    query = select(providers.c.provider_id).order_by(providers.c.provider_id)
    return list(db.execute(query).scalars())


def save_provider(db: Connection, record: ProviderRecord, *, new: bool) -> None:
    values = {"network_id": record.network_id, "profile": record.profile.model_dump_json(),
              "version": record.version, "updated_at": _now()}
    provider_id = record.profile.provider_id
    if new:
        db.execute(insert(providers).values(provider_id=provider_id, **values))
    else:
        db.execute(update(providers).where(providers.c.provider_id == provider_id)
                   .values(**values))


def offers_of(db: Connection, provider_id: str) -> dict[str, StoredOffer]:
    query = select(offers).where(offers.c.provider_id == provider_id)
    return {row.offer_id: _stored(row) for row in db.execute(query)}


def offer_holder(db: Connection, offer_id: str) -> str | None:
    """The provider holding an offer with this id, if any."""
    query = select(offers.c.provider_id).where(offers.c.offer_id == offer_id)
    return db.execute(query).scalar_one_or_none()


def save_offer(db: Connection, provider_id: str, offer: CapacityOffer, version: int,
               standing: bool) -> None:
    values = {"version": version, "standing": standing, "content": offer.model_dump_json(),
              "updated_at": _now()}
    changed = db.execute(update(offers).where(offers.c.offer_id == offer.offer_id)
                         .values(**values))
    if changed.rowcount == 0:
        db.execute(insert(offers).values(offer_id=offer.offer_id, provider_id=provider_id,
                                         **values))


def _stored(row) -> StoredOffer:
    return StoredOffer(CapacityOffer.model_validate_json(row.content), row.version, row.standing)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
