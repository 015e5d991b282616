"""A file kind's columns, bound to a file's header row, and its rows parsed cell by cell.

Headers match ignoring case, accents, spaces, underscores and hyphens, by the
field's own name (``max_unit_price_eur``, as the scenario writes it) or by its
Italian header (``prezzo massimo unitario (€)``) or an alias (``comune``).
Columns a kind does not know are ignored, so that a firm may keep notes beside
its data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError

from services.common.errors import message_of
from services.common.i18n import N_
from services.common.spreadsheets import cells
from services.common.spreadsheets.problems import CellError, CellProblem, Problem, SheetRejected
from services.common.spreadsheets.reading import HEADER_ROW, Table, column_letter


@dataclass(frozen=True)
class Column:
    key: str  # the field it feeds, as the JSON API names it
    header: str  # the Italian header the templates write
    explanation: str  # what to write, an English msgid (N_)
    example: str  # a value as an Italian spreadsheet shows it
    parse: Callable[[object], object] = cells.text
    required: bool = False
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {header_key(n) for n in (self.key, self.header, *self.aliases)}


@dataclass(frozen=True)
class FileKind:
    name: str  # survey, lines, offers: the template's file name
    columns: tuple[Column, ...]


def header_key(header: str) -> str:
    return re.sub(r"[\s_\-()€.'/]+", "", cells.fold(header))


@dataclass(frozen=True)
class Binding:
    """Where each of the kind's columns is in this file, and how the file heads it."""

    positions: dict[str, int]
    headers: dict[str, str]

    def error(self, row: int, key: str, problem: Problem, field_: str | None = None) -> CellError:
        position = self.positions.get(key)
        return CellError(row=row, field=field_ or key, problem=problem,
                         column="" if position is None else column_letter(position),
                         header=self.headers.get(key, key))


@dataclass
class ParsedRow:
    number: int
    fields: dict[str, object] = field(default_factory=dict)
    bad: bool = False


def bind(table: Table, kind: FileKind) -> Binding:
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, written in enumerate(table.headers):
        key = header_key(written)
        for column in kind.columns:
            if key and key in column.names() and column.key not in positions:
                positions[column.key], headers[column.key] = index, written
    missing = [c for c in kind.columns if c.required and c.key not in positions]
    if missing:
        raise SheetRejected([
            CellError(HEADER_ROW, c.key, Problem(N_("the column is missing (its header is "
                                                    "{header})"), {"header": c.header}),
                      header=c.header)
            for c in missing])
    return Binding(positions, headers)


def parse_rows(table: Table, kind: FileKind) -> tuple[list[ParsedRow], list[CellError], Binding]:
    """Each row's cells parsed; a row with a bad cell is marked ``bad`` and its errors
    listed, so that the caller validates only the rows whose cells all read."""
    binding = bind(table, kind)
    parsed: list[ParsedRow] = []
    errors: list[CellError] = []
    for row in table.rows:
        record = ParsedRow(row.number)
        for column in kind.columns:
            position = binding.positions.get(column.key)
            value = row.values[position] if position is not None and position < len(
                row.values) else None
            if value is None:
                continue
            try:
                record.fields[column.key] = column.parse(value)
            except CellProblem as exc:
                errors.append(binding.error(row.number, column.key, exc.problem))
                record.bad = True
        parsed.append(record)
    return parsed, errors, binding


# pydantic's error types a sheet's rows meet, in words of the catalogue.
_BOUNDS = {
    "missing": (N_("is required"), None),
    "greater_than_equal": (N_("must be at least {limit}"), "ge"),
    "less_than_equal": (N_("must be at most {limit}"), "le"),
    "greater_than": (N_("must be more than {limit}"), "gt"),
    "less_than": (N_("must be less than {limit}"), "lt"),
    "too_short": (N_("must have at least {limit} values"), "min_length"),
    "too_long": (N_("must have at most {limit} values"), "max_length"),
    "decimal_max_places": (N_("must have at most {limit} decimals"), "decimal_places"),
}


# What the contracts say of a row (schemas' validators), marked here so that the
# catalogue translates it; any other message of theirs is shown in English.
CONTRACT_WORDS = (
    N_("must not repeat a value"),
    N_("the first tier must start at min_volume 0"),
    N_("min_volume must strictly increase from tier to tier"),
)


def model_errors(row: int, exc: ValidationError, binding: Binding) -> list[CellError]:
    """A model's refusal of a row, each error at the column of the field it names."""
    found = []
    for error in exc.errors():
        loc = [str(step) for step in error["loc"]]
        key = loc[0] if loc else "row"
        known = _BOUNDS.get(error["type"])
        if known is not None:
            message, bound = known
            values = {"limit": (error.get("ctx") or {}).get(bound)} if bound else {}
            problem = Problem(message, values)
        else:
            problem = Problem(message_of(error))  # the contract's own words
        found.append(binding.error(row, key, problem, ".".join(loc) or "row"))
    return found
