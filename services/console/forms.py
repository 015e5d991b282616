"""Reading the console's forms: each field checked, each error named in words.

A form comes back with every error next to its field (in the reader's language)
and nothing is sent to a service until the whole form reads. What a service
still refuses (intake's k-anonymity, say) is shown above the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from schemas import limits
from schemas.types import Category, weeks_between
from services.common.i18n import Texts, formats
from services.console.texts import say
from services.scenario.municipalities import municipalities

_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)
_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass
class FormResult:
    values: dict
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _whole(t: Texts, result: FormResult, name: str, low: int, high: int) -> int | None:
    text = str(result.values.get(name, "")).strip().replace(".", "")
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        result.errors[name] = say(t, "must be a whole number from {low} to {high}",
                                  low=formats.number(t, low), high=formats.number(t, high))
        return None
    return value


def _decimal(t: Texts, result: FormResult, name: str, high: Decimal) -> Decimal | None:
    text = str(result.values.get(name, "")).strip().replace("€", "").strip()
    # Italian writes 1.234,50; accept that and 1234.50.
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value > high:
        result.errors[name] = say(t, "must be an amount in euro above zero, such as 12,50")
        return None
    return value.quantize(Decimal("0.01"))


def _week(t: Texts, result: FormResult, name: str) -> str | None:
    match = _WEEK.match(str(result.values.get(name, "")))
    if match and 1 <= int(match[2]) <= 53:
        week = f"{match[1]}-W{int(match[2]):02d}"
        try:
            weeks_between(week, week)
            return week
        except ValueError:
            pass
    result.errors[name] = say(t, "must be an ISO week such as 2027-W24")
    return None


def demand_line(t: Texts, values: dict) -> tuple[FormResult, dict | None]:
    """A firm's demand line from its form: the line for intake, or the errors."""
    result = FormResult(values)
    line_id = str(values.get("line_id", "")).strip()
    if not _IDENT.match(line_id):
        result.errors["line_id"] = say(
            t, "must be 1 to 64 letters, digits, dots, dashes or underscores")
    category = str(values.get("category", ""))
    if category not in {c.value for c in Category}:
        result.errors["category"] = say(t, "choose one of the services listed")
    municipality = str(values.get("municipality", "")).strip()
    if municipality not in municipalities():
        result.errors["municipality"] = say(
            t, "must be the six-digit ISTAT code of a municipality, such as 036023 for Modena")
    first, last = _week(t, result, "first_week"), _week(t, result, "last_week")
    weeks: list[str] = []
    if first and last:
        if last < first:
            result.errors["last_week"] = say(t, "must not come before the first week")
        else:
            weeks = weeks_between(first, last)
            if len(weeks) > limits.MAX_WEEKS:
                result.errors["last_week"] = say(t, "the line may span at most {n} weeks",
                                                 n=limits.MAX_WEEKS)
    units = _whole(t, result, "units", 1, limits.MAX_UNITS)
    price = _decimal(t, result, "max_unit_price_eur", limits.MAX_UNIT_PRICE_EUR)
    priority = _whole(t, result, "priority", 1, 5)
    respondents = _whole(t, result, "respondents", 1, limits.MAX_EMPLOYEES)
    if not result.ok:
        return result, None
    return result, {"line_id": line_id, "category": category, "municipality": municipality,
                    "weeks": weeks, "units": units, "max_unit_price_eur": str(price),
                    "priority": priority, "respondents": respondents}


def dry_run(t: Texts, values: dict) -> tuple[FormResult, dict | None]:
    """The operator's dry run: its weeks, time limit and the objective's weights."""
    result = FormResult(values)
    first, last = _week(t, result, "first_week"), _week(t, result, "last_week")
    if first and last and last < first:
        result.errors["last_week"] = say(t, "must not come before the first week")
    limit = _whole(t, result, "time_limit_s", 1, 3600)
    weights = {name: _whole(t, result, name, 0, 10)
               for name in ("coverage_weight", "fairness_weight", "cost_weight")}
    if not result.ok:
        return result, None
    return result, {"first_week": first, "last_week": last, "dry_run": True,
                    "parameters": {"time_limit_s": limit, **weights}}


# --- a provider's answer to an award (helper "provider") ---------------------------
MAX_NOTE = 500  # supply's bound on the note (services/supply/domain/answers.py)


def contract_answer(t: Texts, form: dict, reasons: dict) -> tuple[dict | None, dict[str, str]]:
    """The answer's body for supply, or the errors by field (``reason``, ``note``)."""
    answer = str(form.get("answer", ""))
    if answer == "accepted":
        return {"answer": "accepted"}, {}
    errors: dict[str, str] = {}
    if answer != "declined":
        return None, {"answer": say(t, "choose whether to accept or decline")}
    reason = str(form.get("reason", "")).strip()
    note = " ".join(str(form.get("note", "")).split())
    if reason not in reasons:
        errors["reason"] = say(t, "choose why you decline")
    if reason == "other" and not note:
        errors["note"] = say(t, "say why you decline")
    if len(note) > MAX_NOTE:
        errors["note"] = say(t, "at most {n} characters", n=formats.number(t, MAX_NOTE))
    if errors:
        return None, errors
    return {"answer": "declined", "reason": reason, "note": note}, {}
