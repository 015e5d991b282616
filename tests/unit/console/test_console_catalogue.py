"""The console's catalogue against its templates and code: every message in Italian.

Messages are extracted as ``pybabel extract`` would: Jinja2's extractor over the
templates (``_`` and ``ngettext``), Babel's Python extractor over
``services/console`` with the console's own markers (``L_``, ``say``, ``say_n``).
"""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import services.console
from services.console.texts import console_po, console_texts

CONSOLE = Path(services.console.__file__).parent
KEYWORDS = {"_": None, "ngettext": (1, 2), "L_": None, "say": (2,), "say_n": (2, 3)}
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]


def used() -> dict:
    found = {}
    for filename, lineno, message, _c, _ctx in extract_from_dir(
            str(CONSOLE), METHODS, keywords=KEYWORDS):
        key = message if isinstance(message, str) else message[0]
        if key:
            found.setdefault(key, (message, f"{filename}:{lineno}"))
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_console_message_has_an_italian_translation():
    with console_po("it").open("rb") as po:
        catalogue = read_po(po)
    problems = []
    found = used()  # (once: extracting every file again per catalogue entry took 2 minutes)
    for key, (message, where) in found.items():
        entry = catalogue.get(key)
        if entry is None:
            problems.append(f"{where}: {key!r} is missing")
            continue
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(translations):
            problems.append(f"{where}: {key!r} is fuzzy or empty")
        sources = message if isinstance(message, tuple) else (message,)
        if any(fields(t) - set().union(*map(fields, sources)) for t in translations):
            problems.append(f"{where}: {key!r} names a placeholder the English does not")
    stale = [e.id for e in catalogue if e.id and
             (e.id if isinstance(e.id, str) else e.id[0]) not in found]
    assert problems == [] and stale == []


def test_the_console_reads_italian_first_and_falls_back_to_the_shared_catalogue():
    it = console_texts("it")
    assert it._("Log in") == "Accedi"
    assert it._("the best possible plan") == "il miglior piano possibile"  # messages.po
    assert console_texts("en")._("Log in") == "Log in"
