"""Kept for the names other modules import; uploads are read by
``services.common.spreadsheets`` (CSV in every Italian dialect, and XLSX)."""

from __future__ import annotations

from services.common.spreadsheets.cells import boolean as parse_bool
from services.common.spreadsheets.problems import CellError as RowError
from services.common.spreadsheets.problems import SheetRejected as CsvRejected
from services.common.spreadsheets.reading import decode

__all__ = ["CsvRejected", "RowError", "decode", "parse_bool"]
