"""The book: firms, demand lines, providers and offers, as events left them.

``apply_book_event`` runs inside the caller's transaction. An entity's row
keeps the version last applied; an event at or below it is stale and changes
nothing. A withdrawal is a version too: it flags the row withdrawn, and when
it arrives before anything else it leaves a tombstone, so that the older
submission arriving late is recognised as stale instead of resurrecting it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Table, and_, insert, select, update

from schemas.capacity import CapacityOffered, CapacityWithdrawn, ProviderEnrolled
from schemas.demand import DemandSubmitted, DemandWithdrawn, FirmEnrolled
from services.matcher import tables as t
from services.matcher.ids import cents

APPLIED, DUPLICATE, STALE = "applied", "duplicate", "stale"


def apply_book_event(connection: Connection, event: BaseModel) -> bool:
    """Apply one demand or capacity event; False if its version is stale."""
    match event:
        case FirmEnrolled():
            return put_version(connection, t.firms, event,
                               {"firm_id": event.firm.firm_id},
                               budget_cents=cents(event.firm.welfare_budget_eur),
                               name=event.firm.name,
                               payload=event.firm.model_dump_json(), withdrawn=False)
        case DemandSubmitted():
            line = event.line
            return put_version(connection, t.demand_lines, event,
                               {"line_id": line.line_id},
                               firm_id=event.firm_id, category=line.category.value,
                               first_week=line.weeks[0], last_week=line.weeks[-1],
                               payload=line.model_dump_json(), withdrawn=False)
        case DemandWithdrawn():
            return put_version(connection, t.demand_lines, event,
                               {"line_id": event.line_id},
                               firm_id=event.firm_id, withdrawn=True)
        case ProviderEnrolled():
            return put_version(connection, t.providers, event,
                               {"provider_id": event.provider.provider_id},
                               name=event.provider.name,
                               payload=event.provider.model_dump_json(), withdrawn=False)
        case CapacityOffered():
            offer = event.offer
            return put_version(connection, t.offers, event,
                               {"offer_id": offer.offer_id},
                               provider_id=event.provider_id, category=offer.category.value,
                               first_week=offer.weeks[0], last_week=offer.weeks[-1],
                               payload=offer.model_dump_json(), withdrawn=False)
        case CapacityWithdrawn():
            return put_version(connection, t.offers, event,
                               {"offer_id": event.offer_id},
                               provider_id=event.provider_id, withdrawn=True)
    raise TypeError(f"not a book event: {type(event).__name__}")


def put_version(connection: Connection, table: Table, event: Any, key: dict[str, str],
                **values: Any) -> bool:
    """Write ``values`` as the entity's state if the event's version is newer."""
    key = {"network_id": event.network_id, **key}
    where = and_(*(table.c[name] == value for name, value in key.items()))
    current = connection.execute(select(table.c.entity_version).where(where)).scalar()
    if current is not None and current >= event.entity_version:
        return False
    values |= {"entity_version": event.entity_version, "updated_at": dt.datetime.now(dt.UTC)}
    if current is None:
        connection.execute(insert(table).values(**key, **values))
    else:
        # The version guard repeats the check, so a concurrent writer cannot go backwards.
        connection.execute(update(table).where(where, table.c.entity_version < event.entity_version)
                           .values(**values))
    return True
