"""Reading and writing firms and lines, inside the caller's transaction.

Employee-level answers have a module of their own, ``answers_store``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, update

from schemas.demand import DemandLine, FirmProfile
from services.intake.adapters.tables import firms, lines, releases
from services.intake.domain.changes import StoredLine
from services.intake.domain.releases import Release


@dataclass(frozen=True)
class FirmRecord:
    network_id: str
    profile: FirmProfile
    version: int
    secret: bytes


def lock_firm(db: Connection, firm_id: str) -> FirmRecord | None:
    """The firm, locked until the transaction ends.

    Touching the row takes SQLite's write lock at once, or the row's lock on
    PostgreSQL, so that two requests for one firm queue instead of both
    reading the same versions and publishing the same version twice.
    """
    db.execute(update(firms).where(firms.c.firm_id == firm_id).values(version=firms.c.version))
    return get_firm(db, firm_id)


def get_firm(db: Connection, firm_id: str) -> FirmRecord | None:
    row = db.execute(select(firms).where(firms.c.firm_id == firm_id)).first()
    if row is None:
        return None
    return FirmRecord(row.network_id, FirmProfile.model_validate_json(row.profile), row.version,
                      row.secret)


def firm_ids(db: Connection) -> list[str]:
    return list(db.execute(select(firms.c.firm_id).order_by(firms.c.firm_id)).scalars())


def save_firm(db: Connection, record: FirmRecord, *, new: bool) -> None:
    values = {
        "network_id": record.network_id,
        "profile": record.profile.model_dump_json(),
        "version": record.version,
        "secret": record.secret,
        "updated_at": _now(),
    }
    if new:
        db.execute(insert(firms).values(firm_id=record.profile.firm_id, **values))
    else:
        db.execute(update(firms).where(firms.c.firm_id == record.profile.firm_id).values(**values))


def stored_lines(db: Connection, firm_id: str, source: str | None = None) -> dict[str, StoredLine]:
    query = select(lines).where(lines.c.firm_id == firm_id)
    if source is not None:
        query = query.where(lines.c.source == source)
    return {
        row.line_id: StoredLine(DemandLine.model_validate_json(row.content), row.version,
                                row.standing)
        for row in db.execute(query)
    }


def stored_line(db: Connection, firm_id: str, source: str, line_id: str) -> StoredLine | None:
    """One line of the firm from ``source``, if it has it (one row, not all of them)."""
    row = db.execute(select(lines).where(lines.c.line_id == line_id, lines.c.firm_id == firm_id,
                                         lines.c.source == source)).first()
    if row is None:
        return None
    return StoredLine(DemandLine.model_validate_json(row.content), row.version, row.standing)


def standing_line_ids(db: Connection, firm_id: str) -> set[str]:
    query = select(lines.c.line_id).where(lines.c.firm_id == firm_id, lines.c.standing)
    return set(db.execute(query).scalars())


def line_holder(db: Connection, line_id: str) -> tuple[str, str] | None:
    """(firm id, source) of the line with this id, if any firm has one."""
    row = db.execute(select(lines.c.firm_id, lines.c.source).where(lines.c.line_id == line_id))
    found = row.first()
    return (found.firm_id, found.source) if found else None


def save_line(db: Connection, firm_id: str, source: str, line: DemandLine, version: int,
              standing: bool) -> None:
    values = {"version": version, "standing": standing, "content": line.model_dump_json(),
              "updated_at": _now()}
    changed = db.execute(update(lines).where(lines.c.line_id == line.line_id).values(**values))
    if changed.rowcount == 0:
        db.execute(insert(lines).values(line_id=line.line_id, firm_id=firm_id, source=source,
                                        **values))


def releases_of(db: Connection, firm_id: str) -> dict[str, list[Release]]:
    """Every release of the firm's survey cells, by line id, oldest first."""
    query = (select(releases).where(releases.c.firm_id == firm_id)
             .order_by(releases.c.line_id, releases.c.release_no))
    found: dict[str, list[Release]] = {}
    for row in db.execute(query):
        pairs = (entry.split(":") for entry in row.answers.split(";") if entry)
        found.setdefault(row.line_id, []).append(
            Release(DemandLine.model_validate_json(row.content), dict(pairs)))
    return found


def add_release(db: Connection, firm_id: str, release: Release) -> None:
    line_id = release.line.line_id
    last = db.execute(select(func.max(releases.c.release_no))
                      .where(releases.c.line_id == line_id)).scalar()
    db.execute(insert(releases).values(
        line_id=line_id, release_no=(last or 0) + 1, firm_id=firm_id,
        content=release.line.model_dump_json(),
        answers=";".join(f"{p}:{a}" for p, a in sorted(release.answers.items()))))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
