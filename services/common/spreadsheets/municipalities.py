"""Municipalities by name: "Modena", "forli", "Castro (LE)", against ISTAT's list.

The list is the one the contracts ship (``schemas/municipalities.csv``:
code, name, province); names compare without case,
accents or apostrophes, so that "Forli'" finds Forlì. A name two
municipalities share (Castro, in Bergamo and in Lecce) is refused with both
named, and the province written after it, "Castro (LE)", chooses.
"""

from __future__ import annotations

import re
from functools import cache

from schemas.municipalities import municipalities
from services.common.i18n import N_
from services.common.spreadsheets.problems import CellProblem

_WITH_PROVINCE = re.compile(r"(.+?)\s*\(\s*([A-Za-z]{2})\s*\)")


def _key(name: str) -> str:
    from services.common.spreadsheets.cells import fold

    return re.sub(r"[^0-9a-z]+", " ", fold(name)).strip()


@cache
def _by_name() -> dict[str, list[tuple[str, str, str]]]:
    """name key -> [(code, name, province abbreviation)]"""
    index: dict[str, list[tuple[str, str, str]]] = {}
    for code, name, province in municipalities():
        index.setdefault(_key(name), []).append((code, name, province))
    return index


def code_of(written: str) -> str:
    match = _WITH_PROVINCE.fullmatch(written.strip())
    name, province = (match.group(1), match.group(2).upper()) if match else (written, None)
    candidates = _by_name().get(_key(name), [])
    if province is not None:
        candidates = [c for c in candidates if c[2] == province]
    if len(candidates) == 1:
        return candidates[0][0]
    if not candidates:
        raise CellProblem(N_("is neither an ISTAT code nor the name of a municipality "
                             "(write e.g. 036023 or Modena)"))
    listed = ", ".join(f"{n} ({p})" for _, n, p in candidates)
    shown = candidates[0][1]
    raise CellProblem(N_("{name}: {count} municipalities have this name ({candidates}): "
                         "write the ISTAT code or the province, e.g. '{example}'"),
                      name=shown, count=len(candidates), candidates=listed,
                      example=f"{shown} ({candidates[-1][2]})")
