"""The book: firms, demand lines, providers and offers, as events left them.

``apply_book_event`` runs inside the caller's transaction. An entity's row
keeps the version last applied; an event at or below it is stale and changes
nothing. A withdrawal is a version too: it flags the row withdrawn, and when
it arrives before anything else it leaves a tombstone, so that the older
submission arriving late is recognised as stale instead of resurrecting it.

``apply_book_events`` applies a fetched batch with the same rule in a few
statements: per entity only the highest version of the batch can win, and the
winners are written by one bulk upsert per table whose conflict clause repeats
the version check (so a concurrent writer still cannot go backwards) and which
returns the rows it wrote: those events were applied, the others were stale.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, NamedTuple

from pydantic import BaseModel
from sqlalchemy import Connection, Table, and_, insert, select, update

from schemas.capacity import CapacityOffered, CapacityWithdrawn, ProviderEnrolled
from schemas.demand import DemandSubmitted, DemandWithdrawn, FirmEnrolled
from services.common.bulk import upsert_newer
from services.matcher.adapters import tables as t
from services.matcher.domain.ids import cents

APPLIED, DUPLICATE, STALE = "applied", "duplicate", "stale"


class BookRow(NamedTuple):
    table: Table
    key: dict[str, str]  # network_id and the entity's id
    values: dict[str, Any]  # the columns the event sets, besides the version


def book_row(event: BaseModel) -> BookRow:
    """Where a demand or capacity event goes and what it writes."""
    table, columns, values = flat_row(event)
    return BookRow(table, dict(zip(columns[:2], values[:2], strict=True)),
                   dict(zip(columns[2:], values[2:], strict=True)))


def flat_row(event: BaseModel) -> tuple[Table, tuple[str, ...], tuple]:
    """``book_row`` as the batch writes it: the table, its columns (the key's two
    first: network_id and the entity's id) and the values, in that order."""
    try:
        write = _FLAT_ROWS[type(event)]
    except KeyError:
        raise TypeError(f"not a book event: {type(event).__name__}") from None
    return write(event)


_FIRM = ("network_id", "firm_id", "budget_cents", "name", "payload", "withdrawn")
_LINE = ("network_id", "line_id", "firm_id", "category", "first_week", "last_week", "payload",
         "withdrawn")
_LINE_GONE = ("network_id", "line_id", "firm_id", "withdrawn")
_PROVIDER = ("network_id", "provider_id", "name", "payload", "withdrawn")
_OFFER = ("network_id", "offer_id", "provider_id", "category", "first_week", "last_week",
          "payload", "withdrawn")
_OFFER_GONE = ("network_id", "offer_id", "provider_id", "withdrawn")


def _firm(event: FirmEnrolled):
    firm = event.firm
    return t.firms, _FIRM, (event.network_id, firm.firm_id, cents(firm.welfare_budget_eur),
                            firm.name, firm.model_dump_json(), False)


def _line(event: DemandSubmitted):
    line = event.line
    return t.demand_lines, _LINE, (event.network_id, line.line_id, event.firm_id,
                                   line.category.value, line.weeks[0], line.weeks[-1],
                                   line.model_dump_json(), False)


def _line_gone(event: DemandWithdrawn):
    return t.demand_lines, _LINE_GONE, (event.network_id, event.line_id, event.firm_id, True)


def _provider(event: ProviderEnrolled):
    provider = event.provider
    return t.providers, _PROVIDER, (event.network_id, provider.provider_id, provider.name,
                                    provider.model_dump_json(), False)


def _offer(event: CapacityOffered):
    offer = event.offer
    return t.offers, _OFFER, (event.network_id, offer.offer_id, event.provider_id,
                              offer.category.value, offer.weeks[0], offer.weeks[-1],
                              offer.model_dump_json(), False)


def _offer_gone(event: CapacityWithdrawn):
    return t.offers, _OFFER_GONE, (event.network_id, event.offer_id, event.provider_id, True)


_FLAT_ROWS = {FirmEnrolled: _firm, DemandSubmitted: _line, DemandWithdrawn: _line_gone,
              ProviderEnrolled: _provider, CapacityOffered: _offer, CapacityWithdrawn: _offer_gone}


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
    end is the highest version's state. Only that highest version is written,
    by an upsert that says which rows it wrote: for an entity the batch names
    once, that is its outcome. Only for an entity named more than once (a line
    submitted and withdrawn in one batch) is the stored version read first, to
    tell which of its earlier events were applied in turn.
    """
    rows = [flat_row(event) for event in events]
    entities = [(table.name, values[0], values[1]) for table, _, values in rows]
    # The event that wins for each entity: the first of its highest version.
    winner: dict[tuple, int] = {}
    repeated: set[tuple] = set()
    for index, (entity, event) in enumerate(zip(entities, events, strict=True)):
        best = winner.get(entity)
        if best is None:
            winner[entity] = index
            continue
        repeated.add(entity)
        if events[best].entity_version < event.entity_version:
            winner[entity] = index
    stored = (_stored_versions(connection, [book_row(event) for event, entity
                                            in zip(events, entities, strict=True)
                                            if entity in repeated])
              if repeated else {})
    # One statement per table and shape: a withdrawal sets fewer columns.
    writes: dict[tuple, list[tuple]] = defaultdict(list)
    for index in winner.values():
        table, columns, values = rows[index]
        writes[table, columns].append((*values, events[index].entity_version))
    written: set[tuple] = set()
    now = dt.datetime.now(dt.UTC)
    for (table, columns), values in writes.items():
        for key in upsert_newer(connection, table, (*columns, "entity_version"), values,
                                {"updated_at": now}):
            written.add((table.name, *key))
    applied = [False] * len(events)
    highest: dict[tuple, int] = {}  # per repeated entity, the version reached so far
    for index, (entity, event) in enumerate(zip(entities, events, strict=True)):
        if entity not in repeated:
            applied[index] = entity in written
            continue
        reached = highest.get(entity, stored.get(entity, _NONE))
        if event.entity_version > reached:
            applied[index] = True
            highest[entity] = event.entity_version
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


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]
