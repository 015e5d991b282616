"""Lines a firm aggregated itself, and the firm's view of its published demand."""

from __future__ import annotations

from pydantic import BaseModel

from schemas.demand import DemandLine
from services.common.i18n import N_
from services.common.refusals import Invalid, NotFound
from services.intake.adapters import repository as repo
from services.intake.domain.changes import Changes, StoredLine, plan_changes
from services.intake.service_layer import firms, survey
from services.intake.service_layer.context import Intake, Receipt
from services.intake.service_layer.lines import (
    FIRM,
    SURVEY,
    check_line_count,
    claim,
    count_published,
    record,
)
from services.intake.service_layer.notices import pending_notice


async def put_line(intake: Intake, firm_id: str, line: DemandLine) -> Receipt:
    """Submit or replace an aggregated line; it must stand for at least k employees.

    Its transaction may be shared with other requests' lines (``GroupCommit``, in a
    worker thread): the receipt comes once it is committed.
    """
    if line.respondents < intake.k:
        raise Invalid("body.line.respondents",
                      N_("a line must aggregate at least {k} employees (k-anonymity)"),
                      k=intake.k)

    def write(db) -> tuple[Changes, StoredLine | None]:
        firm = _locked(db, firm_id)
        claim(db, firm_id, FIRM, [line.line_id])
        # This line only: the firm's other lines are neither read nor parsed.
        before = repo.stored_line(db, firm_id, FIRM, line.line_id)
        stored = {line.line_id: before} if before else {}
        changes = plan_changes(stored, [line])
        check_line_count(db, firm_id, changes, "body.line")
        record(intake, db, firm, FIRM, changes, stored)
        return changes, before

    changes, before = await intake.writes.run(write)
    count_published(intake, changes)
    if changes:
        return Receipt(entity_id=line.line_id, entity_version=changes.submitted[0][1], changed=True)
    return Receipt(entity_id=line.line_id, entity_version=before.version, changed=False)


async def withdraw_line(intake: Intake, firm_id: str, line_id: str) -> Receipt:
    """Withdraw one of the firm's own lines; withdrawing it again changes nothing."""

    def write(db) -> Receipt:
        firm = _locked(db, firm_id)
        claim(db, firm_id, FIRM, [line_id])
        before = repo.stored_line(db, firm_id, FIRM, line_id)
        if before is None:
            raise NotFound(N_("the firm has no line '{line_id}'"), line_id=line_id)
        if not before.standing:
            return Receipt(entity_id=line_id, entity_version=before.version, changed=False)
        changes = Changes(submitted=(), withdrawn=((line_id, before.version + 1),))
        record(intake, db, firm, FIRM, changes, {line_id: before})
        return Receipt(entity_id=line_id, entity_version=before.version + 1, changed=True)

    return await intake.writes.run(write)


class PublishedLine(BaseModel):
    line: DemandLine
    entity_version: int
    source: str  # "survey" (aggregated by intake) or "firm" (aggregated by the firm)


class FirmDemand(BaseModel):
    firm_id: str
    lines: list[PublishedLine]
    survey_answers: int
    withheld_answers: int  # how many, never which cells: those stay unpublished
    pending_answers: int  # changed answers the published lines do not show yet
    pending_lines: int  # published lines showing an earlier release of their cell
    notice: str  # what is pending and why, in the reader's language ("" if nothing)


def firm_demand(intake: Intake, firm_id: str) -> FirmDemand:
    found = firms.firm(intake, firm_id)
    answers, aggregation, held = survey.current(intake, found)
    with intake.engine.connect() as db:
        stored = {source: repo.stored_lines(db, firm_id, source) for source in (SURVEY, FIRM)}
    lines = [
        PublishedLine(line=entry.line, entity_version=entry.version, source=source)
        for source, entries in stored.items()
        for _, entry in sorted(entries.items())
        if entry.standing
    ]
    return FirmDemand(firm_id=firm_id, lines=lines, survey_answers=answers,
                      withheld_answers=aggregation.withheld_answers,
                      pending_answers=held.pending_answers, pending_lines=held.pending_lines,
                      notice=pending_notice(held.pending_answers, held.pending_lines, intake.k))


def _locked(db, firm_id: str) -> repo.FirmRecord:
    firm = repo.lock_firm(db, firm_id)
    if firm is None:
        raise NotFound(N_("firm '{firm_id}' is not enrolled"), firm_id=firm_id)
    return firm

