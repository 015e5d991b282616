"""An upload's bytes as rows of cells: CSV in the dialects Italian spreadsheets save, or XLSX.

CSV: UTF-8 with or without a BOM, else Windows-1252 (what Excel's "CSV" saves
on an Italian Windows); the delimiter is sniffed from the header row, ``;``
(Excel and LibreOffice in Italian, where the comma is the decimal mark), ``,``
or a tab. XLSX: the first sheet, read-only, cells as Excel typed them
(numbers, dates, booleans); a template's "Istruzioni" sheet is not read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from services.common.i18n import N_
from services.common.spreadsheets.problems import CellError, Problem, SheetRejected

HEADER_ROW = 1
XLSX_SIGNATURE = b"PK\x03\x04"  # a ZIP archive, which every XLSX is
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DELIMITERS = ";,\t"

Value = str | int | float | bool | object  # object: datetime / date / time from XLSX


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it: the header is row 1
    values: tuple[Value | None, ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[Row, ...]


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as the spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def is_xlsx(content: bytes, filename: str | None = None, content_type: str | None = None) -> bool:
    # The bytes decide: a browser may send an XLSX as application/octet-stream.
    return content.startswith(XLSX_SIGNATURE) or (
        not content and (content_type == XLSX_TYPE or (filename or "").lower().endswith(".xlsx")))


def read_table(content: bytes, filename: str | None = None,
               content_type: str | None = None) -> Table:
    if not content.strip():
        raise _refused(N_("the file is empty"))
    records = (_xlsx_records(content) if is_xlsx(content, filename, content_type)
               else _csv_records(content))
    headers: tuple[str, ...] | None = None
    rows: list[Row] = []
    for number, values in enumerate(records, start=HEADER_ROW):
        if headers is None:
            headers = tuple("" if v is None else str(v).strip() for v in values)
            continue
        cleaned = tuple(_clean(v) for v in values)
        if any(v is not None for v in cleaned):  # blank rows (Excel keeps a few) are skipped
            rows.append(Row(number, cleaned))
    if not headers or not any(headers):
        raise _refused(N_("the file has no header row"))
    return Table(headers, tuple(rows))


def _clean(value: Value | None) -> Value | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _refused(message: str) -> SheetRejected:
    return SheetRejected([CellError(0, "file", Problem(message))])


def decode(content: bytes) -> str:
    """UTF-8 (a BOM dropped), else Windows-1252: every byte string is one or the other
    but for five bytes Windows-1252 leaves undefined, which a spreadsheet never writes."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise _refused(N_("the file is neither UTF-8 nor Windows-1252 text; save it as "
                          "CSV UTF-8 or as XLSX")) from None


def _csv_records(content: bytes) -> Iterator[list[str]]:
    text = decode(content)
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    delimiter = max(_DELIMITERS, key=lambda d: counts[d])  # ";" first when tied
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_records(content: bytes) -> Iterator[tuple]:
    from openpyxl import load_workbook  # only XLSX uploads pay for the import

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _refused(N_("the file is not an XLSX workbook Excel or LibreOffice can "
                          "open; save it again as XLSX or as CSV")) from None
    try:
        sheet = workbook.worksheets[0]
        return iter([tuple(row) for row in sheet.iter_rows(values_only=True)])
    finally:
        workbook.close()
