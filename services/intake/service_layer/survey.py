"""Survey answers in, k-anonymous lines out.

Every change to a firm's answers re-aggregates the whole firm (suppression
depends on all of its cells at once), holds back every cell whose answers
changed by fewer than k since its releases (``domain/releases.py``), and
publishes only the differences: new or changed lines as DemandSubmitted,
vanished ones as DemandWithdrawn.
Logs carry the firm and the figures, never a pseudonym or an answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from pydantic import BaseModel
from sqlalchemy import Connection

from services.common.i18n import N_
from services.common.logs import bind
from services.common.refusals import NotFound
from services.intake.adapters import answers_store
from services.intake.adapters import repository as repo
from services.intake.domain.aggregation import Aggregation, aggregate
from services.intake.domain.answers import SurveyAnswer
from services.intake.domain.changes import plan_changes
from services.intake.domain.releases import Held, hold_back
from services.intake.service_layer.context import Intake
from services.intake.service_layer.lines import (
    SURVEY,
    check_line_count,
    claim,
    count_published,
    record,
)
from services.intake.service_layer.notices import pending_notice

log = logging.getLogger(__name__)


class SurveyOutcome(BaseModel):
    answers_affected: int  # stored or replaced, or withdrawn
    answers_stored: int  # the firm's answers now
    withheld_answers: int  # of those, in cells that are not published
    lines_submitted: list[str]
    lines_withdrawn: list[str]
    pending_answers: int  # changed answers the published lines do not show yet
    pending_lines: int  # published lines showing an earlier release of their cell
    notice: str  # what is pending and why, in the reader's language ("" if nothing)


def submit_answers(intake: Intake, firm_id: str, answers: Sequence[SurveyAnswer], *,
                   replace_all: bool = False) -> SurveyOutcome:
    """Store answers (replacing earlier ones under the same pseudonyms) and re-aggregate.

    ``replace_all`` first drops the firm's other answers, in the same
    transaction, so that a re-submitted survey publishes only what differs.
    """

    def apply(db: Connection) -> int:
        if replace_all:
            answers_store.delete_answers(db, firm_id, None)
        answers_store.put_answers(db, firm_id, answers)
        return len(answers)

    return _change(intake, firm_id, apply)


def withdraw_answers(
    intake: Intake, firm_id: str, pseudonyms: Sequence[str] | None
) -> SurveyOutcome:
    """Delete the given answers (all of the firm's with None) and re-aggregate."""
    return _change(intake, firm_id,
                   lambda db: answers_store.delete_answers(db, firm_id, pseudonyms))


def current(intake: Intake, firm: repo.FirmRecord) -> tuple[int, Aggregation, Held]:
    """The firm's number of answers, their aggregation and what of it is held back."""
    firm_id = firm.profile.firm_id
    with intake.engine.connect() as db:
        answers = answers_store.answers_of(db, firm_id)
        aggregation = aggregate(firm_id, answers, intake.k, firm.secret)
        held = _held(intake, db, firm, aggregation)
    return len(answers), aggregation, held


def _held(intake: Intake, db: Connection, firm: repo.FirmRecord,
          aggregation: Aggregation) -> Held:
    return hold_back(aggregation.lines, aggregation.answers_by_line,
                     repo.releases_of(db, firm.profile.firm_id), intake.k, firm.secret)


def _change(intake: Intake, firm_id: str, apply: Callable[[Connection], int]) -> SurveyOutcome:
    with intake.engine.begin() as db:
        firm = repo.lock_firm(db, firm_id)
        if firm is None:
            raise NotFound(N_("firm '{firm_id}' is not enrolled"), firm_id=firm_id)
        affected = apply(db)
        answers = answers_store.answers_of(db, firm_id)
        aggregation = aggregate(firm_id, answers, intake.k, firm.secret)
        held = _held(intake, db, firm, aggregation)
        stored = repo.stored_lines(db, firm_id, SURVEY)
        changes = plan_changes(stored, held.lines)
        claim(db, firm_id, SURVEY, (line.line_id for line, _ in changes.submitted))
        check_line_count(db, firm_id, changes, "answers")
        for release in held.new_releases.values():
            repo.add_release(db, firm_id, release)
        record(intake, db, firm, SURVEY, changes, stored)
    count_published(intake, changes)
    intake.metrics.cells_suppressed.labels("primary").inc(aggregation.primary_cells)
    intake.metrics.cells_suppressed.labels("secondary").inc(aggregation.secondary_cells)
    with bind(firm_id=firm_id):
        log.info("survey re-aggregated: %d lines submitted, %d withdrawn, %d of %d answers "
                 "withheld, %d pending in %d lines", len(changes.submitted),
                 len(changes.withdrawn), aggregation.withheld_answers, len(answers),
                 held.pending_answers, held.pending_lines)
    return SurveyOutcome(
        answers_affected=affected,
        answers_stored=len(answers),
        withheld_answers=aggregation.withheld_answers,
        lines_submitted=[line.line_id for line, _ in changes.submitted],
        lines_withdrawn=[line_id for line_id, _ in changes.withdrawn],
        pending_answers=held.pending_answers,
        pending_lines=held.pending_lines,
        notice=pending_notice(held.pending_answers, held.pending_lines, intake.k),
    )
