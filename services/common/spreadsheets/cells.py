"""One cell to one value, as Italian spreadsheets write it; a bad cell raises ``CellProblem``.

Every parser takes what the reader gives: text from a CSV, or a value Excel
typed (a number, a date, a boolean). None quotes the cell in its message: a
cell may be an employee's answer.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache

from schemas.types import Category, istat_codes
from services.common.i18n import N_, texts
from services.common.i18n.words import CATEGORIES
from services.common.spreadsheets import municipalities
from services.common.spreadsheets.problems import CellProblem

_GROUPED = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+")  # 1.234 or 1.234.567: Italian thousands
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?")
_WEEK = re.compile(r"([0-9]{4})-?W([0-9]{1,2})", re.IGNORECASE)
_DATE = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T].*)?")

_TRUE = frozenset({"vero", "si", "true", "yes", "1"})
_FALSE = frozenset({"falso", "no", "false", "0"})


def fold(text: str) -> str:
    """Case and accents dropped: "Sì" and "SI", "Forlì" and "FORLI'" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def text(value: object) -> str:
    """A text cell; a number Excel typed (a pseudonym 1001) back as its digits."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decimal(value: object) -> Decimal:
    """``1.234,50``, ``1234,50``, ``1234.50``, ``120 €`` or a number cell."""
    if isinstance(value, bool):
        raise CellProblem(N_("is not a number (write e.g. 1.234,50 or 1234,50)"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest form: 120.5, not 120.4999...
    written = str(value).strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
    negative = written.startswith("-")
    written = written.lstrip("+-")
    if "," in written:
        whole, _, cents = written.rpartition(",")
        if "," in whole or not cents.isdigit() or not (_GROUPED.fullmatch(whole)
                                                        or whole.isdigit()):
            raise CellProblem(N_("is not a number (write e.g. 1.234,50 or 1234,50)"))
        written = f"{whole.replace('.', '')}.{cents}"
    elif _GROUPED.fullmatch(written) and written.count(".") > 1:
        written = written.replace(".", "")
    elif re.fullmatch(r"[0-9]{1,3}\.[0-9]{3}", written):
        # "1.000" is a thousand in Italian; a decimal point with three decimals is not
        # how a price or a count is written.
        written = written.replace(".", "")
    if not _PLAIN.fullmatch(written):
        raise CellProblem(N_("is not a number (write e.g. 1.234,50 or 1234,50)"))
    try:
        number = Decimal(written)
    except InvalidOperation:
        raise CellProblem(N_("is not a number (write e.g. 1.234,50 or 1234,50)")) from None
    return -number if negative else number


def integer(value: object) -> int:
    number = decimal(value)
    if number != number.to_integral_value():
        raise CellProblem(N_("must be a whole number"))
    return int(number)


def boolean(value: object) -> bool:
    """Yes or no, the same way in every file: VERO/FALSO (Excel's own), sì/no,
    true/false, yes/no, 1/0, or a boolean cell."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    folded = fold(str(value))
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellProblem(N_("must be yes or no: VERO/FALSO, sì/no, true/false or 1/0"))


def municipality(value: object) -> str:
    """An ISTAT code (its leading zero restored when a spreadsheet dropped it:
    36023 -> 036023) or a municipality's name, "Name" or "Name (PR)"."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = text(value)
    written = str(value).strip()
    if written.isdigit():
        code = written.zfill(6)
        if len(code) == 6 and code in istat_codes():
            return code
        raise CellProblem(N_("is not the ISTAT code of a municipality (6 digits, e.g. "
                             "036023 for Modena)"))
    return municipalities.code_of(written)


def municipality_list(value: object) -> list[str]:
    return [municipality(part) for part in split_list(value)]


def category(value: object) -> Category:
    """A category by its code (``childcare``) or its label, in Italian or English."""
    found = _categories().get(_label_key(text(value)))
    if found is None:
        raise CellProblem(N_("is not a category: write one of {choices}"),
                          choices=", ".join(c.value for c in Category))
    return found


# The short names people write in a cell, beside the catalogue's labels.
_CATEGORY_WORDS = {
    "centro estivo": Category.CHILDCARE, "infanzia": Category.CHILDCARE,
    "servizi per l infanzia": Category.CHILDCARE,
    "assistenza domiciliare": Category.HOME_CARE, "home care": Category.HOME_CARE,
    "assistente familiare": Category.FAMILY_ASSISTANT, "badante": Category.FAMILY_ASSISTANT,
    "babysitter": Category.BABYSITTING, "baby sitter": Category.BABYSITTING,
    "portierato": Category.CONCIERGE, "portierato di quartiere": Category.CONCIERGE,
}


@cache
def _categories() -> dict[str, Category]:
    index: dict[str, Category] = {_label_key(w): c for w, c in _CATEGORY_WORDS.items()}
    for code, label in CATEGORIES.items():
        index[_label_key(code.value)] = code
        for language in ("it", "en"):
            index[_label_key(texts(language)._(label))] = code
    return index


def _label_key(label: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", fold(label)).strip()


def split_list(value: object) -> list[str]:
    """A ``;``-separated cell (``,`` too, where no decimal comma can be meant) as a list."""
    written = text(value)
    parts = re.split(r"[;,\n]", written) if "," in written else written.split(";")
    return [part.strip() for part in parts if part.strip()]


def weeks(value: object) -> list[str]:
    """ISO weeks from ``2027-W27``, ``2027-W27..2027-W35``, dates (``05/07/2027``,
    ``05/07/2027..29/08/2027``) or a date cell, several separated by ``;``;
    sorted, each once."""
    if isinstance(value, (dt.date, dt.datetime)):
        return [_week_of(value if isinstance(value, dt.date) else value.date())]
    found: set[str] = set()
    for part in split_list(value):
        first, sep, last = part.partition("..")
        if sep:
            start, end = _week(first), _week(last)
            if end < start:
                raise CellProblem(N_("the range ends before it starts"))
            found.update(_between(start, end))
        else:
            found.add(_week(part))
    if not found:
        raise CellProblem(N_("is not a week: write an ISO week (2027-W27), a range "
                             "(2027-W27..2027-W35) or a date (05/07/2027)"))
    return sorted(found)


def _week(written: str) -> str:
    written = written.strip()
    match = _WEEK.fullmatch(written)
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        last = dt.date(year, 12, 28).isocalendar().week
        if not 1 <= number <= last:
            raise CellProblem(N_("week {week} does not exist in ISO year {year} "
                                 "(weeks 1 to {last})"), week=number, year=year, last=last)
        return f"{year}-W{number:02d}"
    day = _date(written)
    if day is None:
        raise CellProblem(N_("is not a week: write an ISO week (2027-W27), a range "
                             "(2027-W27..2027-W35) or a date (05/07/2027)"))
    return _week_of(day)


def _date(written: str) -> dt.date | None:
    match = _DATE.fullmatch(written)  # day first, as Italians write it
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    if parts is None:
        iso = _ISO_DATE.fullmatch(written)
        parts = iso.groups() if iso else None
    if parts is None:
        return None
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise CellProblem(N_("is not a date that exists (write e.g. 05/07/2027)")) from None


def _week_of(day: dt.date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _between(first: str, last: str) -> list[str]:
    day = dt.date.fromisocalendar(int(first[:4]), int(first[6:]), 1)
    end = dt.date.fromisocalendar(int(last[:4]), int(last[6:]), 1)
    found = []
    while day <= end:
        found.append(_week_of(day))
        day += dt.timedelta(weeks=1)
    return found
