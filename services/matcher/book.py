"""The book: firms, demand lines, providers and offers, as events left them.

``apply_book_event`` runs inside the caller's transaction. An entity's row
keeps the version last applied; an event at or below it is stale and changes
nothing. A withdrawal is a version too: it flags the row withdrawn, and when
it arrives before anything else it leaves a tombstone, so that the older
submission arriving late is recognised as stale instead of resurrecting it.

``apply_book_events`` applies a fetched batch with the same rule in a few
statements: per entity only the highest version of the batch can win, the
current versions are read in one query per table and network (by the primary
key), and the winners are written by one bulk upsert whose conflict clause
repeats the version check, so a concurrent writer still cannot go backwards.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, NamedTuple

from pydantic import BaseModel
from sqlalchemy import Connection, Table, and_, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from schemas.capacity import CapacityOffered, CapacityWithdrawn, ProviderEnrolled
from schemas.demand import DemandSubmitted, DemandWithdrawn, FirmEnrolled
from services.matcher import tables as t
from services.matcher.ids import cents

APPLIED, DUPLICATE, STALE = "applied", "duplicate", "stale"


class BookRow(NamedTuple):
    table: Table
    key: dict[str, str]  # network_id and the entity's id
    values: dict[str, Any]  # the columns the event sets, besides the version


def book_row(event: BaseModel) -> BookRow:
    """Where a demand or capacity event goes and what it writes."""
    match event:
        case FirmEnrolled():
            return _row(t.firms, event, {"firm_id": event.firm.firm_id},
                        budget_cents=cents(event.firm.welfare_budget_eur),
                        name=event.firm.name,
                        payload=event.firm.model_dump_json(), withdrawn=False)
        case DemandSubmitted():
            line = event.line
            return _row(t.demand_lines, event, {"line_id": line.line_id},
                        firm_id=event.firm_id, category=line.category.value,
                        first_week=line.weeks[0], last_week=line.weeks[-1],
                        payload=line.model_dump_json(), withdrawn=False)
        case DemandWithdrawn():
            return _row(t.demand_lines, event, {"line_id": event.line_id},
                        firm_id=event.firm_id, withdrawn=True)
        case ProviderEnrolled():
            return _row(t.providers, event, {"provider_id": event.provider.provider_id},
                        name=event.provider.name,
                        payload=event.provider.model_dump_json(), withdrawn=False)
        case CapacityOffered():
            offer = event.offer
            return _row(t.offers, event, {"offer_id": offer.offer_id},
                        provider_id=event.provider_id, category=offer.category.value,
                        first_week=offer.weeks[0], last_week=offer.weeks[-1],
                        payload=offer.model_dump_json(), withdrawn=False)
        case CapacityWithdrawn():
            return _row(t.offers, event, {"offer_id": event.offer_id},
                        provider_id=event.provider_id, withdrawn=True)
    raise TypeError(f"not a book event: {type(event).__name__}")


def _row(table: Table, event: Any, key: dict[str, str], **values: Any) -> BookRow:
    return BookRow(table, {"network_id": event.network_id, **key}, values)


def apply_book_event(connection: Connection, event: BaseModel) -> bool:
    """Apply one demand or capacity event; False if its version is stale."""
    table, key, values = book_row(event)
    return put_version(connection, table, event, key, **values)


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


_NONE = float("-inf")  # no row yet: any version is newer

# Entity ids per IN list: far below both databases' limits on bound parameters.
_IN_CHUNK = 500


def apply_book_events(connection: Connection, events: list[BaseModel]) -> list[bool]:
    """Apply a batch of demand and capacity events; per event, False if stale.

    The outcome is the one applying them one by one in order would give: an
    event is applied if its version is above both the stored one and every
    earlier event's of the same entity in the batch, and what is stored at the
    end is the highest version's state. Only that highest version is written.
    """
    rows = [book_row(event) for event in events]
    # The event that wins for each entity: the first of its highest version.
    winner: dict[tuple, int] = {}
    for index, (row, event) in enumerate(zip(rows, events, strict=True)):
        entity = (row.table.name, *row.key.values())
        best = winner.get(entity)
        if best is None or events[best].entity_version < event.entity_version:
            winner[entity] = index
    stored = _stored_versions(connection, rows)
    applied = [False] * len(events)
    highest: dict[tuple, int] = {}  # per entity, the version reached so far in the batch
    for index, (row, event) in enumerate(zip(rows, events, strict=True)):
        entity = (row.table.name, *row.key.values())
        reached = highest.get(entity, stored.get(entity, _NONE))
        if event.entity_version > reached:
            applied[index] = True
            highest[entity] = event.entity_version
    now = dt.datetime.now(dt.UTC)
    writes: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for entity, index in winner.items():
        if not applied[index]:
            continue
        row = rows[index]
        # One executemany per statement shape: a withdrawal sets fewer columns.
        writes[row.table, tuple(row.values)].append(
            {**row.key, **row.values, "entity_version": events[index].entity_version,
             "updated_at": now})
    for (table, columns), values in writes.items():
        connection.execute(_upsert(connection, table, columns), values)
    return applied


def _stored_versions(connection: Connection, rows: list[BookRow]) -> dict[tuple, int]:
    """The stored version of each entity the batch touches, one query per table,
    network and chunk. The condition is the primary key's, both columns with
    equality and IN, so the planner takes the primary key even on a table it
    has no statistics for yet."""
    wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
    tables: dict[str, Table] = {}
    for row in rows:
        network, entity_id = row.key.values()
        wanted[row.table.name, network].add(entity_id)
        tables[row.table.name] = row.table
    stored: dict[tuple, int] = {}
    for (name, network), ids in wanted.items():
        table = tables[name]
        id_column = table.primary_key.columns.values()[1]
        for chunk in _chunks(sorted(ids), _IN_CHUNK):
            found = connection.execute(
                select(id_column, table.c.entity_version)
                .where(table.c.network_id == network, id_column.in_(chunk)))
            for entity_id, version in found:
                stored[name, network, entity_id] = version
    return stored


def _upsert(connection: Connection, table: Table, columns: tuple[str, ...]):
    """INSERT ... ON CONFLICT (primary key) DO UPDATE the event's columns, only if
    the stored version is lower: the same rule as ``put_version``, in one statement."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        statement = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:  # pragma: no cover - the service ships for these two
        raise NotImplementedError(f"no bulk upsert for {dialect}")
    changed = (*columns, "entity_version", "updated_at")
    return statement.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key.columns],
        set_={name: statement.excluded[name] for name in changed},
        where=table.c.entity_version < statement.excluded.entity_version,
    )


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]
