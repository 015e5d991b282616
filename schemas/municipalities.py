"""Municipality names by ISTAT code: "Modena (MO)" beside "036023".

Why in ``schemas`` and not in ``services/scenario``: an award names the
municipality of every firm line it carries, and the matcher that fills the
award must not depend on the scenario generator. The names ship with the
contracts, beside the codes they accept (``istat_codes.txt``), so a provider's
copy of ``schemas`` can name a code too. ``municipalities.csv`` keeps only code,
name and province of ``services/scenario/data/municipalities.csv``;
tests/unit/schemas/test_municipalities.py checks that the two agree.
Regenerate: ``cut -d, -f1,2,4`` of that file (no name holds a comma).
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources


@cache
def municipalities() -> tuple[tuple[str, str, str], ...]:
    """(ISTAT code, name, province abbreviation) of every municipality accepted."""
    text = resources.files("schemas").joinpath("municipalities.csv").read_text(encoding="utf-8")
    return tuple((row["istat_code"], row["name"], row["province_abbr"])
                 for row in csv.DictReader(io.StringIO(text)))


@cache
def municipality_names() -> dict[str, str]:
    """``{"036023": "Modena (MO)", ...}``: every municipality the contracts accept."""
    return {code: f"{name} ({province})" for code, name, province in municipalities()}


def municipality_name(code: str) -> str | None:
    """The name of an ISTAT code with its province, or None for a code not in the list."""
    return municipality_names().get(code)
