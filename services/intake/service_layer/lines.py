"""Recording changes to a firm's lines: the line table and the events, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Connection

from schemas.demand import DemandLine, DemandSubmitted, DemandWithdrawn
from schemas.limits import MAX_LINES_PER_FIRM
from services.common.i18n import N_
from services.common.refusals import Conflict, Invalid, NotFound
from services.intake.adapters import repository as repo
from services.intake.domain.changes import Changes, StoredLine, plan_changes
from services.intake.service_layer.context import Intake, Receipt

SURVEY = "survey"  # aggregated here from the firm's answers
FIRM = "firm"  # aggregated by the firm and submitted as a line


def claim(db: Connection, firm_id: str, source: str, line_ids: Iterable[str]) -> None:
    """Refuse line ids that another firm, or the firm's other kind of line, already holds.

    Line ids are entity ids on a shared topic: were two firms to use one, a
    consumer would let one firm's line replace the other's.
    """
    for line_id in line_ids:
        holder = repo.line_holder(db, line_id)
        if holder is None or holder == (firm_id, source):
            continue
        if holder[0] != firm_id:
            raise Conflict(N_("line id '{line_id}' is already used by another firm"),
                           line_id=line_id)
        if holder[1] == SURVEY:
            raise Conflict(N_("line '{line_id}' is aggregated from the firm's survey; change "
                              "or withdraw the answers instead"), line_id=line_id)
        raise Conflict(N_("line id '{line_id}' is already used by one of the firm's own "
                          "lines"), line_id=line_id)


def check_line_count(db: Connection, firm_id: str, changes: Changes, field: str) -> None:
    """Refuse a change that would leave the firm more standing lines than any network
    needs (``MAX_LINES_PER_FIRM``), naming the field that brought them."""
    # Ids only: parsing every line of the firm cost each request a model per line.
    standing = repo.standing_line_ids(db, firm_id)
    standing |= {line.line_id for line, _ in changes.submitted}
    standing -= {line_id for line_id, _ in changes.withdrawn}
    if len(standing) > MAX_LINES_PER_FIRM:
        raise Invalid(field, N_("the firm would have {count} demand lines; one firm may have "
                                "at most {limit} (withdraw some first)"),
                      count=len(standing), limit=MAX_LINES_PER_FIRM)


def record(intake: Intake, db: Connection, firm: repo.FirmRecord, source: str, changes: Changes,
           stored: Mapping[str, StoredLine]) -> None:
    firm_id, network = firm.profile.firm_id, firm.network_id
    events: list = []
    for line, version in changes.submitted:
        repo.save_line(db, firm_id, source, line, version, standing=True)
        events.append(DemandSubmitted(network_id=network, firm_id=firm_id, line=line,
                                      entity_version=version))
    for line_id, version in changes.withdrawn:
        repo.save_line(db, firm_id, source, stored[line_id].line, version, standing=False)
        events.append(DemandWithdrawn(network_id=network, firm_id=firm_id, line_id=line_id,
                                      entity_version=version))
    intake.outbox.add(db, *events)


def count_published(intake: Intake, changes: Changes) -> None:
    for line, _ in changes.submitted:
        intake.metrics.aggregates_published.labels(line.category.value).inc()


def put_lines(intake: Intake, firm_id: str, lines: Sequence[DemandLine]) -> list[Receipt]:
    """Submit or replace many of the firm's own lines (an uploaded sheet), all in one
    transaction: all of them, or none. Lines of the firm not in the sheet stand."""
    for line in lines:
        if line.respondents < intake.k:
            raise Invalid("file", N_("line '{line_id}' must aggregate at least {k} "
                                     "employees (k-anonymity)"),
                          line_id=line.line_id, k=intake.k)
    ids = [line.line_id for line in lines]
    with intake.engine.begin() as db:
        firm = repo.lock_firm(db, firm_id)
        if firm is None:
            raise NotFound(N_("firm '{firm_id}' is not enrolled"), firm_id=firm_id)
        claim(db, firm_id, FIRM, ids)
        stored = repo.stored_lines(db, firm_id, FIRM)
        changes = plan_changes({i: stored[i] for i in ids if i in stored}, lines)
        check_line_count(db, firm_id, changes, "file")
        record(intake, db, firm, FIRM, changes, stored)
    count_published(intake, changes)
    versions = {line.line_id: version for line, version in changes.submitted}
    return [Receipt(entity_id=i, entity_version=versions.get(i) or stored[i].version,
                    changed=i in versions) for i in ids]
