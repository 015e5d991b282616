"""A round's contracts, one row per firm line, as CSV and XLSX.

CSV: Italian is the dialect Excel reads in an Italian locale (``;`` between
fields, a decimal comma); English uses ``,`` and a decimal point. Both are
UTF-8 with a byte order mark, which is how Excel knows the file is UTF-8. Money
is a bare number (``2880,00``): a spreadsheet sums it, the header names the euro.

XLSX: typed cells, so a spreadsheet sums and sorts without parsing: units are
integers, prices and costs numbers in a euro number format, weeks text
(``2027-W27``, which a spreadsheet would otherwise take for a date).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import astuple, dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from services.common.i18n import Texts, formats, words
from services.operator.adapters.exports.subjects import names, served_lines

EURO_FORMAT = '#,##0.00 "€"'
CSV_DIALECT = {"it": ";", "en": ","}


@dataclass(frozen=True)
class ContractRow:
    firm: str
    provider: str
    offer: str
    municipality: str
    category: str
    weeks: str
    units: int
    unit_price_eur: Decimal
    cost_eur: Decimal


def headers(t: Texts) -> list[str]:
    return [t._("Firm"), t._("Provider"), t._("Offer"), t._("Municipality"), t._("Category"),
            t._("Weeks"), t._("Units"), t._("Unit price per week (€)"), t._("Cost (€)")]


def week_runs(weeks: list[str]) -> str:
    """``2027-W27–2027-W29, 2027-W31``: consecutive ISO weeks as one run."""
    runs: list[list[str]] = []
    for week in sorted(weeks):
        if runs and _next_week(runs[-1][-1]) == week:
            runs[-1].append(week)
        else:
            runs.append([week])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}{formats.DASH}{run[-1]}"
                     for run in runs)


def _next_week(week: str) -> str:
    monday, _ = formats.week_dates(week)
    year, number, _ = (monday + dt.timedelta(days=7)).isocalendar()
    return f"{year}-W{number:02d}"


def contract_rows(t: Texts, detail: dict) -> list[ContractRow]:
    named = names(detail)
    rows = []
    for contract, offer, line in served_lines(detail):
        rows.append(ContractRow(
            firm=named(line["firm_id"]),
            provider=named(contract["provider_id"]),
            offer=named(offer["offer_id"]),
            municipality=line.get("municipality_name") or line.get("municipality")
            or formats.MISSING,
            category=words.category(t, line["category"]) if line.get("category")
            else formats.MISSING,
            weeks=week_runs(line["weeks"]),
            units=int(line["units"]),
            unit_price_eur=Decimal(str(line["unit_price_eur"])),
            cost_eur=Decimal(str(line["cost_eur"]))))
    return rows


def contracts_csv(t: Texts, detail: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DIALECT[t.language])
    writer.writerow(headers(t))
    for row in contract_rows(t, detail):
        cells = list(astuple(row))
        cells[-2:] = [_decimal(t, row.unit_price_eur), _decimal(t, row.cost_eur)]
        writer.writerow(cells)
    return out.getvalue().encode("utf-8-sig")


def _decimal(t: Texts, value: Decimal) -> str:
    # No thousands separator: Excel and LibreOffice read "12095,00" in an Italian
    # locale as a number, but "12.095,00" only sometimes.
    text = f"{value.quantize(Decimal('0.01'))}"
    return text.replace(".", ",") if CSV_DIALECT[t.language] == ";" else text


def contracts_xlsx(t: Texts, detail: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = t._("Contracts")
    sheet.append(headers(t))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in contract_rows(t, detail):
        sheet.append(list(astuple(row)))
        for cell in sheet[sheet.max_row][-2:]:
            cell.number_format = EURO_FORMAT
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHI", (34, 34, 38, 20, 34, 24, 8, 14, 14)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
