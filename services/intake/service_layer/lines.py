"""Recording changes to a firm's lines: the line table and the events, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import Connection

from schemas.demand import DemandSubmitted, DemandWithdrawn
from schemas.limits import MAX_LINES_PER_FIRM
from services.common.refusals import Conflict, Invalid
from services.intake.adapters import repository as repo
from services.intake.domain.changes import Changes, StoredLine
from services.intake.service_layer.context import Intake

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
            raise Conflict(f"line id {line_id!r} is already used by another firm")
        raise Conflict(f"line {line_id!r} is aggregated from the firm's survey; "
                       "change or withdraw the answers instead" if holder[1] == SURVEY else
                       f"line id {line_id!r} is already used by one of the firm's own lines")


def check_line_count(db: Connection, firm_id: str, changes: Changes, field: str) -> None:
    """Refuse a change that would leave the firm more standing lines than any network
    needs (``MAX_LINES_PER_FIRM``), naming the field that brought them."""
    standing = {line_id for line_id, entry in repo.stored_lines(db, firm_id).items()
                if entry.standing}
    standing |= {line.line_id for line, _ in changes.submitted}
    standing -= {line_id for line_id, _ in changes.withdrawn}
    if len(standing) > MAX_LINES_PER_FIRM:
        raise Invalid(field, f"the firm would have {len(standing):,} demand lines; one firm "
                             f"may have at most {MAX_LINES_PER_FIRM:,} (withdraw some first)")


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
