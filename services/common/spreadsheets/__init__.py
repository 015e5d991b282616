"""Spreadsheets in, templates out: uploads as Italian Excel and LibreOffice write them.

``reading`` turns an upload's bytes (CSV in any of the dialects Italian
spreadsheets save, or XLSX) into rows of cells with their spreadsheet row
numbers and column letters; ``columns`` binds the header row to a file kind's
columns (Italian or English headers, case, accents and spaces ignored);
``cells`` parses one cell (numbers with a decimal comma, yes/no, ISTAT codes
or municipality names, categories by label, weeks as ranges or dates);
``problems`` carries what is wrong in words, rendered in the reader's
language only when the refusal is written; ``templates`` writes the empty
sheets with their columns explained.

Why the message is rendered late: the same refusal is shown to an Italian
firm and an English operator, and the language is the request's, not the
parser's.
"""

from services.common.spreadsheets.columns import Column, FileKind, parse_rows
from services.common.spreadsheets.problems import CellError, Problem, SheetRejected
from services.common.spreadsheets.reading import Table, read_table

__all__ = ["CellError", "Column", "FileKind", "Problem", "SheetRejected", "Table",
           "parse_rows", "read_table"]
