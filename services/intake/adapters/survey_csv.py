"""The survey upload: one employee's answer per row, as CSV or XLSX.

Columns as the scenario writes them (see ``services.scenario.survey``), or
their Italian headers (``pseudonimo``, ``comune``, ``settimane``...); cells as
Italian spreadsheets write them (``services.common.spreadsheets``).

The whole file is checked before anything is applied: a bad row refuses the
file with every bad row and column named. Error messages never quote a cell's
value, since a value may be an employee's answer.
"""

from __future__ import annotations

from pydantic import ValidationError

from services.common.i18n import N_
from services.common.spreadsheets import cells
from services.common.spreadsheets import shared_columns as shared
from services.common.spreadsheets.columns import Column, FileKind, model_errors, parse_rows
from services.common.spreadsheets.problems import Problem, SheetRejected
from services.common.spreadsheets.reading import read_table
from services.intake.domain.answers import SurveyAnswer

SURVEY = FileKind("survey", (
    Column("pseudonym", "pseudonimo",
           N_("A code the firm chooses for the employee, never a name: a later upload "
              "with the same code replaces the answer."),
           "dip-001", required=True, aliases=("codice dipendente",)),
    Column("firm_id", "impresa",
           N_("The firm's id; may be left out (it is the firm of the address)."),
           "acme", aliases=("id impresa", "azienda")),
    shared.CATEGORY, shared.MUNICIPALITY, shared.WEEKS,
    Column("units", "unità", shared.UNITS.explanation, "1", cells.integer, required=True,
           aliases=shared.UNITS.aliases),
    shared.MAX_PRICE,
    Column("single_parent", "genitore solo",
           N_("Whether the employee is a single parent: VERO/FALSO, sì/no; empty is no."),
           "FALSO", cells.boolean, aliases=("monogenitore",)),
    Column("dependent_relative", "familiare non autosufficiente",
           N_("Whether the employee cares for a dependent relative: VERO/FALSO, sì/no; "
              "empty is no."),
           "VERO", cells.boolean, aliases=("familiare a carico",)),
    shared.REQUIRED_TAGS,
))
COLUMNS = tuple(c.key for c in SURVEY.columns)
REQUIRED = tuple(c.key for c in SURVEY.columns if c.required)


def parse_survey(content: bytes | str, firm_id: str, filename: str | None = None,
                 content_type: str | None = None) -> list[SurveyAnswer]:
    if isinstance(content, str):
        content = content.encode("utf-8")
    rows, errors, binding = parse_rows(read_table(content, filename, content_type), SURVEY)
    answers: list[SurveyAnswer] = []
    first_row_of: dict[str, int] = {}
    for row in rows:
        if row.fields.get("firm_id", firm_id) != firm_id:
            errors.append(binding.error(row.number, "firm_id",
                                        Problem(N_("belongs to another firm than the address's"))))
            continue
        if row.bad:
            continue
        try:
            answer = SurveyAnswer.model_validate(row.fields)
        except ValidationError as exc:
            errors.extend(model_errors(row.number, exc, binding))
            continue
        if answer.pseudonym in first_row_of:
            errors.append(binding.error(row.number, "pseudonym", Problem(
                N_("repeats the pseudonym of row {first}"),
                {"first": first_row_of[answer.pseudonym]})))
            continue
        first_row_of[answer.pseudonym] = row.number
        answers.append(answer)
    if errors:
        raise SheetRejected(sorted(errors, key=lambda e: e.row))
    return answers
