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
from schemas.types import TAG_PATTERN, Category, weeks_between
from services.common.i18n import Texts, formats, words
from services.common.spreadsheets import cells
from services.common.spreadsheets.problems import CellProblem
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


def demand_line(t: Texts, values: dict, line_id: str | None = None
                ) -> tuple[FormResult, dict | None]:
    """A firm's demand line from its form: the line for intake, or the errors.
    Editing, ``line_id`` is the page's (the line being edited), not the form's."""
    result = FormResult(values if line_id is None else {**values, "line_id": line_id})
    values = result.values
    fixed = line_id is not None  # the service's own id, checked when it was made
    line_id = str(values.get("line_id", "")).strip()
    if not fixed and not _IDENT.match(line_id):
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
    extras = _line_extras(t, result)
    if not result.ok:
        return result, None
    return result, {"line_id": line_id, "category": category, "municipality": municipality,
                    "weeks": weeks, "units": units, "max_unit_price_eur": str(price),
                    "priority": priority, "respondents": respondents, **extras}


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


# --- a firm's lines edited, a provider's offers (helper "forms") -------------------
TIER_ROWS = 4  # empty price rows the offer form shows; an offer with more gets more
PAYERS = ("firm", "municipality")
_CODE_IN_BRACKETS = re.compile(r"^(.*?)\s*\(\s*(\d{6})\s*\)\s*$")  # "Modena (036023)"
_TAG = re.compile(TAG_PATTERN)


def line_form(t: Texts, line: dict) -> dict:
    """A stored line as its form shows it, for editing: the values a person would type."""
    weeks = line["weeks"]
    known, other = _split_tags(line.get("required_tags") or [])
    return {"line_id": line["line_id"], "category": line["category"],
            "municipality": line["municipality"], "first_week": weeks[0],
            "last_week": weeks[-1], "units": str(line["units"]),
            "max_unit_price_eur": _written(t, line["max_unit_price_eur"]),
            "priority": str(line.get("priority", 1)), "respondents": str(line["respondents"]),
            "payer": line.get("payer", "firm"), "tags": known, "other_tags": other}


def has_gaps(weeks: list[str]) -> bool:
    """Weeks that are not every week from the first to the last (a spreadsheet may say so)."""
    return bool(weeks) and list(weeks) != weeks_between(weeks[0], weeks[-1])


def _line_extras(t: Texts, result: FormResult) -> dict:
    """The line's required tags and who pays (the firm unless the form says)."""
    tags = _tags(t, result)
    payer = str(result.values.get("payer") or "firm")
    if payer not in PAYERS:
        result.errors["payer"] = say(t, "choose who pays")
    return {"required_tags": tags, "payer": payer}


def offer_form(t: Texts, offer: dict) -> dict:
    """A standing offer as its form shows it: names beside codes, weeks as ranges."""
    known, other = _split_tags(offer.get("tags") or [])
    values = {"offer_id": offer["offer_id"], "category": offer["category"],
              "municipalities": "; ".join(_place(code) for code in offer["municipalities"]),
              "weeks": week_ranges(offer["weeks"]),
              "capacity_per_week": str(offer["capacity_per_week"]),
              "min_group_per_week": str(offer.get("min_group_per_week", 0)),
              "fixed_cost_per_week_eur": _written(t, offer.get("fixed_cost_per_week_eur", 0)),
              "tags": known, "other_tags": other}
    for i, tier in enumerate(offer["price_tiers"]):
        values[f"tier_volume_{i}"] = str(tier["min_volume"])
        values[f"tier_price_{i}"] = _written(t, tier["unit_price_eur"])
    return values


def tier_rows(values: dict) -> int:
    """How many price rows the form shows: the filled ones and at least one empty."""
    filled = [i for i in range(limits.MAX_TIERS)
              if str(values.get(f"tier_volume_{i}", "")).strip()
              or str(values.get(f"tier_price_{i}", "")).strip()]
    return min(limits.MAX_TIERS, max(TIER_ROWS, (filled[-1] + 2) if filled else 0))


def offer(t: Texts, values: dict, offer_id: str | None = None) -> tuple[FormResult, dict | None]:
    """A provider's offer from its form (``offer_id`` fixed when editing): the offer for
    supply, or the errors by field. Municipalities and weeks are read as the offers
    spreadsheet reads them: "Modena; 036005", "2027-W27..2027-W30; 2027-W33"."""
    fixed = offer_id is not None
    result = FormResult(values if offer_id is None else {**values, "offer_id": offer_id})
    values = result.values
    offer_id = str(values.get("offer_id", "")).strip()
    if not fixed and not _IDENT.match(offer_id):
        result.errors["offer_id"] = say(
            t, "must be 1 to 64 letters, digits, dots, dashes or underscores")
    category = str(values.get("category", ""))
    if category not in {c.value for c in Category}:
        result.errors["category"] = say(t, "choose one of the services listed")
    places = _places(t, result, "municipalities")
    weeks = _weeks(t, result, "weeks")
    capacity = _whole(t, result, "capacity_per_week", 1, limits.MAX_CAPACITY_PER_WEEK)
    if not str(values.get("min_group_per_week", "")).strip():
        values["min_group_per_week"] = "0"
    group = _whole(t, result, "min_group_per_week", 0, limits.MAX_CAPACITY_PER_WEEK)
    if capacity is not None and group is not None and group > capacity:
        result.errors["min_group_per_week"] = say(
            t, "must not be more than the places per week ({n})",
            n=formats.number(t, capacity))
    tiers = _tiers(t, result)
    fixed = _amount(t, result, "fixed_cost_per_week_eur", limits.MAX_FIXED_COST_PER_WEEK_EUR,
                    empty=Decimal("0.00"))
    tags = _tags(t, result)
    if not result.ok:
        return result, None
    return result, {"offer_id": offer_id, "category": category, "municipalities": places,
                    "weeks": weeks, "capacity_per_week": capacity,
                    "min_group_per_week": group, "price_tiers": tiers,
                    "fixed_cost_per_week_eur": str(fixed), "tags": tags}


def week_ranges(weeks: list[str]) -> str:
    """``2027-W27..2027-W30; 2027-W33``: runs of consecutive weeks, as the form reads them."""
    runs: list[list[str]] = []
    for week in sorted(weeks):
        if runs and weeks_between(runs[-1][-1], week)[1:] == [week]:
            runs[-1].append(week)
        else:
            runs.append([week])
    return "; ".join(r[0] if len(r) == 1 else f"{r[0]}..{r[-1]}" for r in runs)


def _written(t: Texts, amount) -> str:
    """An amount as a person types it in the page's language: ``12,50`` (no grouping)."""
    text = f"{Decimal(str(amount)):.2f}"
    return text.replace(".", ",") if t.language == "it" else text


def _place(code: str) -> str:
    found = municipalities().get(code)
    return f"{found.name} ({code})" if found else code


def _split_tags(tags: list[str]) -> tuple[list[str], str]:
    return ([tag for tag in tags if tag in words.TAGS],
            ", ".join(tag for tag in tags if tag not in words.TAGS))


def _listed(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _tags(t: Texts, result: FormResult) -> list[str]:
    """The ticked tags and the others written out (``tags``, ``other_tags``)."""
    chosen = [v for v in _listed(result.values.get("tags")) if v]
    written = [part.strip().lower()
               for part in re.split(r"[;,\s]+", str(result.values.get("other_tags") or ""))
               if part.strip()]
    bad = [tag for tag in chosen + written if not _TAG.fullmatch(tag)]
    if bad:
        result.errors["other_tags"] = say(
            t, "{tags}: a tag is 1 to 40 lower-case letters, digits, _ or -, starting with "
               "a letter (e.g. accessible)", tags=", ".join(bad[:5]))
        return []
    tags = sorted(set(chosen + written))
    if len(tags) > limits.MAX_TAGS:
        result.errors["other_tags"] = say(t, "at most {n} tags", n=limits.MAX_TAGS)
    return tags


def _places(t: Texts, result: FormResult, name: str) -> list[str]:
    """ISTAT codes or names, ``;``-separated; "Modena (036023)" as the form writes them."""
    found: set[str] = set()
    problems = []
    written = re.sub(r"\s*\n\s*", ";", str(result.values.get(name, "")))  # one a line too
    for part in cells.split_list(written):
        bracketed = _CODE_IN_BRACKETS.fullmatch(part)
        try:
            if bracketed and bracketed[2] in municipalities():
                found.add(bracketed[2])
            else:
                found.add(cells.municipality(part))
        except CellProblem as exc:
            problems.append(f"«{part}»: {exc.problem.render(t)}")
    if problems:
        result.errors[name] = "; ".join(problems[:3])
    elif not found:
        result.errors[name] = say(
            t, "write at least one municipality: its name or its ISTAT code, such as "
               "Modena or 036023")
    elif len(found) > limits.MAX_MUNICIPALITIES:
        result.errors[name] = say(t, "at most {n} municipalities",
                                  n=formats.number(t, limits.MAX_MUNICIPALITIES))
    return sorted(found)


def _weeks(t: Texts, result: FormResult, name: str) -> list[str]:
    text = str(result.values.get(name, "")).strip()
    try:
        weeks = cells.weeks(text) if text else []
    except CellProblem as exc:
        result.errors[name] = exc.problem.render(t)
        return []
    if not weeks:
        result.errors[name] = say(t, "write the weeks, such as 2027-W27..2027-W30")
    elif len(weeks) > limits.MAX_WEEKS:
        result.errors[name] = say(t, "at most {n} weeks", n=limits.MAX_WEEKS)
    return weeks


def _amount(t: Texts, result: FormResult, name: str, high: Decimal,
            empty: Decimal | None = None) -> Decimal | None:
    """An amount in euro, zero allowed: ``12,50``, ``1.234,50``, ``1234.50``, ``12 €``."""
    text = str(result.values.get(name, "")).strip()
    if not text and empty is not None:
        return empty
    try:
        value = cells.decimal(text)
    except CellProblem:
        value = None
    if value is None or value < 0 or value > high or value != value.quantize(Decimal("0.01")):
        result.errors[name] = say(t, "must be an amount in euro, such as 12,50 (at most "
                                     "{high})", high=formats.money(t, high))
        return None
    return value.quantize(Decimal("0.01"))


def _tiers(t: Texts, result: FormResult) -> list[dict]:
    """The price rows: each from so many unit-weeks, at so much per unit-week."""
    tiers: list[dict] = []
    for i in range(limits.MAX_TIERS):
        volume_name, price_name = f"tier_volume_{i}", f"tier_price_{i}"
        volume_text = str(result.values.get(volume_name, "")).strip()
        price_text = str(result.values.get(price_name, "")).strip()
        if not volume_text and not price_text:
            continue
        if not volume_text and not tiers:
            result.values[volume_name] = volume_text = "0"  # the first price: from the start
        volume = _whole(t, result, volume_name, 0, limits.MAX_TIER_VOLUME) \
            if volume_text else None
        if not volume_text:
            result.errors[volume_name] = say(t, "write from how many unit-weeks this price "
                                                "applies")
        if not price_text:
            result.errors[price_name] = say(t, "write the price per unit-week")
            price = None
        else:
            price = _amount(t, result, price_name, limits.MAX_UNIT_PRICE_EUR)
        if volume is not None:
            if not tiers and volume != 0:
                result.errors[volume_name] = say(t, "the first price must apply from 0 "
                                                    "unit-weeks")
            elif tiers and tiers[-1]["min_volume"] is not None \
                    and volume <= tiers[-1]["min_volume"]:
                result.errors[volume_name] = say(
                    t, "must be more than the row above ({n})",
                    n=formats.number(t, tiers[-1]["min_volume"]))
        tiers.append({"min_volume": volume, "unit_price_eur": str(price)})
    if not tiers:
        result.errors["tier_price_0"] = say(t, "write at least one price")
    return tiers
