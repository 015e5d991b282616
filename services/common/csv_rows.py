"""Reading an uploaded CSV file row by row, with errors that name the row and column.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first
record row 2. Empty cells count as absent, so that defaults apply and a
missing required value reads "Field required".
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import ValidationError

from services.common.errors import message_of

HEADER_ROW = 1


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


class CsvRejected(Exception):
    """The file is refused as a whole; nothing of it was applied."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:3]))


def decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")  # spreadsheets often prepend a BOM
    except UnicodeDecodeError as exc:
        raise CsvRejected([RowError(0, "file", f"not UTF-8 text ({exc.reason})")]) from None


def rows(text: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, non-empty cells by column) for each record."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in required if column not in (reader.fieldnames or [])]
    if missing:
        raise CsvRejected([RowError(HEADER_ROW, column, "column is missing") for column in missing])
    for number, record in enumerate(reader, start=HEADER_ROW + 1):
        yield number, {
            column: value.strip()
            for column, value in record.items()
            if column is not None and value is not None and value.strip()
        }


# How Italian spreadsheets and people write yes and no (VERO/FALSO is Excel's own),
# compared without case or accents, so that "Sì", "SI" and "si" are one answer.
_TRUE = frozenset({"vero", "si", "true", "yes", "1"})
_FALSE = frozenset({"falso", "no", "false", "0"})
BOOLEAN_WORDS = "VERO/FALSO, sì/no, true/false, yes/no or 1/0"


def parse_bool(value: str) -> bool:
    """A yes-or-no cell, the same way in every CSV file the services read."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", value.strip().casefold())
                     if not unicodedata.combining(c))
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(f"must be yes or no, written {BOOLEAN_WORDS}")


def bool_cells(number: int, cells: dict[str, str], columns: tuple[str, ...],
               errors: list[RowError]) -> dict[str, object]:
    """The row's cells with the given boolean columns parsed; a bad one is an error of
    the row (without quoting the cell: it may be someone's answer)."""
    parsed: dict[str, object] = dict(cells)
    for column in columns:
        if column in cells:
            try:
                parsed[column] = parse_bool(cells[column])
            except ValueError as exc:
                errors.append(RowError(number, column, str(exc)))
                parsed.pop(column)
    return parsed


def split_list(value: str | None) -> list[str]:
    """A ``;``-separated cell as a list; an absent cell as an empty list."""
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def errors_of(row: int, exc: ValidationError) -> list[RowError]:
    return [
        RowError(row, ".".join(str(step) for step in e["loc"]) or "row", message_of(e))
        for e in exc.errors()
    ]
