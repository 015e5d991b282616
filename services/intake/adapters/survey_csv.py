"""``survey.csv``: one employee's answer per row (columns as the scenario writes them,
see ``services.scenario.survey``).

The whole file is checked before anything is applied: a bad row refuses the
file with every bad row and column named. Error messages never quote a cell's
value, since a value may be an employee's answer.
"""

from __future__ import annotations

from pydantic import ValidationError

from services.common.csv_rows import (
    CsvRejected,
    RowError,
    bool_cells,
    errors_of,
    rows,
    split_list,
)
from services.intake.domain.answers import SurveyAnswer

COLUMNS = (
    "pseudonym", "firm_id", "category", "municipality", "weeks", "units", "max_unit_price_eur",
    "single_parent", "dependent_relative", "required_tags",
)
REQUIRED = ("pseudonym", "category", "municipality", "weeks", "units", "max_unit_price_eur")
BOOLEANS = ("single_parent", "dependent_relative")


def parse_survey(text: str, firm_id: str) -> list[SurveyAnswer]:
    answers: list[SurveyAnswer] = []
    errors: list[RowError] = []
    first_row_of: dict[str, int] = {}
    for number, cells in rows(text, REQUIRED):
        if cells.get("firm_id", firm_id) != firm_id:
            errors.append(RowError(number, "firm_id", "belongs to another firm than the URL's"))
            continue
        fields = bool_cells(number, cells, BOOLEANS, errors)
        try:
            answer = SurveyAnswer.model_validate(
                {**fields, **{column: split_list(cells[column])
                              for column in ("weeks", "required_tags") if column in cells}}
            )
        except ValidationError as exc:
            errors.extend(errors_of(number, exc))
            continue
        if answer.pseudonym in first_row_of:
            first = first_row_of[answer.pseudonym]
            errors.append(RowError(number, "pseudonym", f"repeats the pseudonym of row {first}"))
            continue
        first_row_of[answer.pseudonym] = number
        answers.append(answer)
    if errors:
        raise CsvRejected(errors)
    return answers
