"""Empty sheets to fill in: the Italian header row, and what to write in each column.

XLSX: a sheet "Dati" with the header row alone (an example row would be
uploaded by mistake), its cells formatted as text where a number format would
spoil what is written (036023's leading zero), and a sheet "Istruzioni" with
each column's header, whether it is required, what to write and an example.
CSV: the header row alone, ``;``-separated and UTF-8 with a
BOM, which is what Excel in Italian opens correctly with a double click; the
instructions go in a second file, ``<kind>-istruzioni.csv``, since a CSV file
has one sheet and a comment line would be read as a record.
"""

from __future__ import annotations

import csv
import io

from services.common.i18n import Texts
from services.common.spreadsheets import cells
from services.common.spreadsheets.columns import FileKind

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _instruction_rows(kind: FileKind, t: Texts) -> list[list[str]]:
    rows = [[t._("Column"), t._("Required"), t._("What to write"), t._("Example")]]
    for column in kind.columns:
        rows.append([column.header, t._("yes") if column.required else t._("no"),
                     t._(column.explanation), column.example])
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_csv(kind: FileKind) -> bytes:
    return _csv([[column.header for column in kind.columns]])


def instructions_csv(kind: FileKind, t: Texts) -> bytes:
    return _csv(_instruction_rows(kind, t))


def template_xlsx(kind: FileKind, t: Texts) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    data = workbook.active
    data.title = "Dati"
    data.append([column.header for column in kind.columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(kind.columns, start=1):
        data.column_dimensions[data.cell(1, index).column_letter].width = max(
            14, len(column.header) + 4)
        # Text cells, so that Excel keeps 036023's leading zero and 2027-W27 as written.
        if column.parse not in (cells.integer, cells.decimal):
            for row in range(2, 502):
                data.cell(row, index).number_format = "@"
    data.freeze_panes = "A2"
    guide = workbook.create_sheet("Istruzioni")
    for row in _instruction_rows(kind, t):
        guide.append(row)
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (32, 12, 90, 40)):
        guide.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def files(kind: FileKind, t: Texts) -> dict[str, bytes]:
    """Every file of a kind's template, by file name."""
    return {f"{kind.name}.csv": template_csv(kind),
            f"{kind.name}-istruzioni.csv": instructions_csv(kind, t),
            f"{kind.name}.xlsx": template_xlsx(kind, t)}
