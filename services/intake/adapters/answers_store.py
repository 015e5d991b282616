"""The one module that reads and writes employee-level answers (``intake_answers``).

Whatever leaves this module goes to the aggregation, never to an event, a log
or a response.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy import Connection, delete, insert, select

from services.intake.adapters.tables import answers
from services.intake.domain.answers import SurveyAnswer


def answers_of(db: Connection, firm_id: str) -> list[SurveyAnswer]:
    query = select(answers).where(answers.c.firm_id == firm_id).order_by(answers.c.pseudonym)
    return [_answer(row) for row in db.execute(query)]


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
