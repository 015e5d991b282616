"""What is wrong with a file, in words, and the refusal of the file as a whole.

A ``Problem`` is an English message of the catalogue and its values; it is
translated when the refusal is written (``SheetRejected.body``), in the
language the request asked for. Values never include a cell's content, except
a municipality's name when it is ambiguous: naming the candidates is the point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.common.i18n import Texts, texts
from services.common.i18n.language import language_of_request

MAX_LISTED = 50  # errors in a body: enough to fix a file, not a megabyte of JSON


@dataclass(frozen=True)
class Problem:
    message: str  # an English msgid (marked with N_ where it is written)
    values: dict = field(default_factory=dict)

    def render(self, t: Texts) -> str:
        values = {name: (value.render(t) if isinstance(value, Problem) else value)
                  for name, value in self.values.items()}
        return t._(self.message, **values) if values else t._(self.message)


class CellProblem(ValueError):
    """Raised by a cell parser: what is wrong with the cell, without quoting it."""

    def __init__(self, message: str, **values: object) -> None:
        self.problem = Problem(message, values)
        super().__init__(message)


@dataclass(frozen=True)
class CellError:
    """One thing wrong with a file: its row as the spreadsheet numbers it (the
    header is row 1; 0 is the file as a whole), the column's letter and header as
    the file has them, the field it feeds, and the problem."""

    row: int
    field: str
    problem: Problem
    column: str = ""
    header: str = ""

    @property
    def message(self) -> str:  # English, for logs and for str()
        return self.problem.render(texts("en"))

    def where(self, t: Texts) -> str:
        if self.row == 0:
            return t._("the file")
        if self.column:
            return t._("row {row}, column {column} ({header})", row=self.row,
                       column=self.column, header=self.header or self.field)
        return t._("row {row}, column {header}", row=self.row, header=self.header or self.field)

    def as_dict(self, t: Texts) -> dict:
        return {"row": self.row, "column": self.column, "header": self.header or self.field,
                "field": self.field, "message": self.problem.render(t),
                "where": self.where(t)}

    def __str__(self) -> str:
        t = texts("en")
        return f"{self.where(t)}: {self.message}"


class SheetRejected(Exception):
    """The file is refused as a whole; nothing of it was applied."""

    def __init__(self, errors: list[CellError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:3]))

    def body(self, accept_language: str | None = None) -> dict:
        """The 422 body: a summary line and every error (the first ``MAX_LISTED``),
        in the language the request prefers (Italian unless it asks for English)."""
        t = texts(language_of_request(accept_language))
        listed = [e.as_dict(t) for e in self.errors[:MAX_LISTED]]
        summary = "; ".join(f"{e['where']}: {e['message']}" for e in listed[:3])
        if len(self.errors) > 3:
            summary += "; " + t._("and {count} more", count=len(self.errors) - 3)
        return {"error": summary, "errors": listed}
