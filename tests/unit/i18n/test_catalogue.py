"""The Italian catalogue against the code: every message translated, none stale.

Messages are extracted from ``services/`` with Babel's own extractor (``_``,
``ngettext``, ``N_`` and the other gettext names), as ``pybabel extract``
would; the catalogue is read as the program reads it.
"""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import services
from services.common.i18n import texts
from services.common.i18n.catalogue import po_path

SERVICES = Path(services.__file__).parent


def used_messages() -> dict:
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(str(SERVICES)):
        found.setdefault(message if isinstance(message, str) else message[0],
                         (message, f"services/{filename}:{lineno}"))
    return found


def catalogue():
    with po_path("it").open("rb") as po:
        return read_po(po)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_in_the_code_has_an_italian_translation():
    po = catalogue()
    problems = []
    for key, (message, where) in used_messages().items():
        entry = po.get(key)
        if entry is None:
            problems.append(f"{where}: {key!r} is not in the Italian catalogue")
            continue
        if entry.fuzzy:
            problems.append(f"{where}: {key!r} is marked fuzzy")
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(translations):
            problems.append(f"{where}: {key!r} has an empty translation")
        if isinstance(message, tuple) != isinstance(entry.id, tuple):
            problems.append(f"{where}: {key!r} is plural in one place and not the other")
        sources = message if isinstance(message, tuple) else (message,)
        if any(fields(t) - set().union(*map(fields, sources)) for t in translations):
            problems.append(f"{where}: {key!r}: a translation names a placeholder the "
                            f"English does not")
    assert problems == []


def test_the_catalogue_holds_no_stale_message():
    used = used_messages()
    stale = [entry.id for entry in catalogue() if entry.id and
             (entry.id if isinstance(entry.id, str) else entry.id[0]) not in used]
    assert stale == []


def test_the_program_reads_the_catalogue_without_a_build_step():
    assert texts("it")._("the best possible plan") == "il miglior piano possibile"
    assert texts("en")._("the best possible plan") == "the best possible plan"
    assert texts("it").ngettext("{n} line", "{n} lines", 1) == "1 riga"
    assert texts("it").ngettext("{n} line", "{n} lines", 4) == "4 righe"


def test_placeholders_take_any_name_and_counts_are_numbers_of_the_locale():
    it = texts("it")
    assert it._("note from the optimiser: {message}", message="x") == (
        "nota dell'ottimizzatore (in inglese): x")
    assert it.ngettext("{n} unit", "{n} units", 12095) == "12.095 unità"
    assert texts("en").ngettext("{n} unit", "{n} units", 12095) == "12,095 units"
