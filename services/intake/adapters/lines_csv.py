"""The demand-lines upload: lines a firm aggregated itself, one per row, as CSV or XLSX.

Columns as ``DemandLine`` names them, or their Italian headers (``linea``,
``rispondenti``, ``pagante``...). Each line must stand for at least k
employees; the whole file is checked before anything is applied.
"""

from __future__ import annotations

from pydantic import ValidationError

from schemas.demand import DemandLine
from schemas.types import Payer
from services.common.i18n import N_
from services.common.spreadsheets import cells
from services.common.spreadsheets import shared_columns as shared
from services.common.spreadsheets.columns import Column, FileKind, model_errors, parse_rows
from services.common.spreadsheets.problems import CellProblem, Problem, SheetRejected
from services.common.spreadsheets.reading import read_table

_PAYERS = {"firm": Payer.FIRM, "impresa": Payer.FIRM, "azienda": Payer.FIRM,
           "municipality": Payer.MUNICIPALITY, "comune": Payer.MUNICIPALITY}


def payer(value: object) -> Payer:
    found = _PAYERS.get(cells.fold(cells.text(value)))
    if found is None:
        raise CellProblem(N_("is not a payer: write impresa (firm) or comune (municipality)"))
    return found


LINES = FileKind("lines", (
    Column("line_id", "linea",
           N_("The line's id, chosen by the firm: a later upload with the same id replaces "
              "the line."),
           "acme.centro-estivo", required=True, aliases=("id linea", "codice linea")),
    shared.CATEGORY, shared.MUNICIPALITY, shared.WEEKS, shared.UNITS, shared.MAX_PRICE,
    Column("priority", "priorità",
           N_("1 (ordinary) to 5 (most vulnerable); empty is 1."), "1", cells.integer,
           aliases=("priorita",)),
    shared.REQUIRED_TAGS,
    Column("payer", "pagante",
           N_("Who pays the units: impresa (the firm's welfare budget) or comune (the "
              "municipality); empty is impresa."), "impresa", payer, aliases=("chi paga",)),
    Column("respondents", "rispondenti",
           N_("How many employees' answers the line aggregates: at least k (the network's "
              "anonymity threshold)."), "12", cells.integer, required=True,
           aliases=("dipendenti",)),
))
COLUMNS = tuple(c.key for c in LINES.columns)


def parse_lines(content: bytes | str, min_respondents: int, filename: str | None = None,
                content_type: str | None = None) -> list[DemandLine]:
    if isinstance(content, str):
        content = content.encode("utf-8")
    rows, errors, binding = parse_rows(read_table(content, filename, content_type), LINES)
    lines: list[DemandLine] = []
    first_row_of: dict[str, int] = {}
    for row in rows:
        if row.bad:
            continue
        try:
            line = DemandLine.model_validate(row.fields)
        except ValidationError as exc:
            errors.extend(model_errors(row.number, exc, binding))
            continue
        if line.respondents < min_respondents:
            errors.append(binding.error(row.number, "respondents", Problem(
                N_("a line must aggregate at least {k} employees (k-anonymity)"),
                {"k": min_respondents})))
            continue
        if line.line_id in first_row_of:
            errors.append(binding.error(row.number, "line_id", Problem(
                N_("repeats the line of row {first}"), {"first": first_row_of[line.line_id]})))
            continue
        first_row_of[line.line_id] = row.number
        lines.append(line)
    if errors:
        raise SheetRejected(sorted(errors, key=lambda e: e.row))
    return lines
