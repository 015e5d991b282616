"""Reading and writing intake's tables, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, delete, func, insert, select, update

from schemas.demand import DemandLine, FirmProfile
from services.intake.adapters.tables import answers, firms, lines
from services.intake.domain.answers import SurveyAnswer
from services.intake.domain.changes import StoredLine


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


def answers_of(db: Connection, firm_id: str) -> list[SurveyAnswer]:
    query = select(answers).where(answers.c.firm_id == firm_id).order_by(answers.c.pseudonym)
    return [_answer(row) for row in db.execute(query)]


def count_answers(db: Connection, firm_id: str) -> int:
    query = select(func.count()).select_from(answers).where(answers.c.firm_id == firm_id)
    return int(db.execute(query).scalar_one())


def put_answers(db: Connection, firm_id: str, submitted: Sequence[SurveyAnswer]) -> None:
    """Store answers, replacing any earlier answer under the same pseudonym."""
    delete_answers(db, firm_id, [a.pseudonym for a in submitted])
    if submitted:
        db.execute(insert(answers), [_row(firm_id, a) for a in submitted])


def delete_answers(db: Connection, firm_id: str, pseudonyms: Iterable[str] | None) -> int:
    """Delete the given pseudonyms' answers, or all of the firm's with None."""
    statement = delete(answers).where(answers.c.firm_id == firm_id)
    if pseudonyms is not None:
        statement = statement.where(answers.c.pseudonym.in_(list(pseudonyms)))
    return db.execute(statement).rowcount


def stored_lines(db: Connection, firm_id: str, source: str | None = None) -> dict[str, StoredLine]:
    query = select(lines).where(lines.c.firm_id == firm_id)
    if source is not None:
        query = query.where(lines.c.source == source)
    return {
        row.line_id: StoredLine(DemandLine.model_validate_json(row.content), row.version,
                                row.standing)
        for row in db.execute(query)
    }


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


def _row(firm_id: str, a: SurveyAnswer) -> dict:
    return {
        "firm_id": firm_id,
        "pseudonym": a.pseudonym,
        "category": a.category.value,
        "municipality": a.municipality,
        "weeks": ";".join(a.weeks),
        "units": a.units,
        "max_unit_price_cents": int(a.max_unit_price_eur * 100),
        "single_parent": a.single_parent,
        "dependent_relative": a.dependent_relative,
        "required_tags": ";".join(a.required_tags),
    }


def _answer(row) -> SurveyAnswer:
    return SurveyAnswer(
        pseudonym=row.pseudonym,
        category=row.category,
        municipality=row.municipality,
        weeks=row.weeks.split(";"),
        units=row.units,
        max_unit_price_eur=Decimal(row.max_unit_price_cents) / 100,
        single_parent=row.single_parent,
        dependent_relative=row.dependent_relative,
        required_tags=[t for t in row.required_tags.split(";") if t],
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
