"""Where a load's sheets are: a workbook with a sheet per kind, or a directory of files.

A sheet or a file is known by its name, Italian or English (``imprese`` or
``firms``, ``Linee`` or ``lines.xlsx``...); a template's ``Istruzioni`` sheet
and anything else unknown is skipped, and said so. The cells are read by the
upload readers (services/common/spreadsheets/reading.py): a sheet of a
workbook is first copied alone into a workbook of its own, which is what the
reader reads, so a cell is typed as Excel or Calc typed it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from services.common.i18n import N_
from services.common.spreadsheets.columns import header_key
from services.common.spreadsheets.problems import SheetRejected
from services.common.spreadsheets.reading import Table, read_table

NAMES = {
    "firms": ("firms", "imprese", "aziende"),
    "providers": ("providers", "enti", "fornitori", "cooperative"),
    "lines": ("lines", "linee", "domanda", "demandlines"),
    "offers": ("offers", "offerte"),
}
_KIND_OF = {header_key(name): kind for kind, names in NAMES.items() for name in names}
SUFFIXES = (".xlsx", ".csv")


class NotReadable(Exception):
    """The path is not a workbook or a directory a load can read (why: a msgid)."""


@dataclass(frozen=True)
class Sheet:
    kind: str
    file: Path
    sheet: str | None  # None: the file has one sheet (CSV, or a file named by its kind)
    table: Table | None
    rejected: SheetRejected | None = None  # the reader refused the file as a whole


def kind_of(name: str) -> str | None:
    return _KIND_OF.get(header_key(name))


def find(path: Path) -> tuple[list[Sheet], list[str]]:
    """The sheets to load, and the names of the sheets or files skipped."""
    if path.is_dir():
        found, skipped = [], []
        for file in sorted(path.iterdir()):
            kind = kind_of(file.stem) if file.suffix.lower() in SUFFIXES else None
            if kind is None:
                skipped.append(file.name)
                continue
            found.append(_read(kind, file, None, file.read_bytes()))
        return found, skipped
    if not path.exists():
        raise NotReadable(N_("there is no such file or directory"))
    if path.suffix.lower() != ".xlsx":
        raise NotReadable(N_("a load reads an XLSX workbook or a directory of CSV and XLSX "
                              "files"))
    return _workbook(path)


def _read(kind: str, file: Path, sheet: str | None, content: bytes) -> Sheet:
    try:
        return Sheet(kind, file, sheet, read_table(content, file.name))
    except SheetRejected as exc:
        return Sheet(kind, file, sheet, None, exc)


def _workbook(path: Path) -> tuple[list[Sheet], list[str]]:
    from openpyxl import Workbook, load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise NotReadable(N_("it is not an XLSX workbook Excel or LibreOffice can open")) \
            from None
    found, skipped = [], []
    try:
        for source in book.worksheets:
            kind = kind_of(source.title)
            if kind is None:
                skipped.append(source.title)
                continue
            alone = Workbook(write_only=True)
            copy = alone.create_sheet(source.title)
            for row in source.iter_rows(values_only=True):
                copy.append(row)
            out = io.BytesIO()
            alone.save(out)
            found.append(_read(kind, path, source.title, out.getvalue()))
    finally:
        book.close()
    return found, skipped
