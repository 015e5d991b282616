"""The console's words: its own ``console`` catalogue, then the shared one.

The console's messages live in ``locale/<lang>/LC_MESSAGES/console.po`` beside
the shared ``messages.po``, so that the engineers adding messages to either do
not edit the same file. Its own lookups fall back to the shared catalogue, so a
template may use the reason codes' and statuses' sentences of ``words`` too.

Python code here marks its messages with ``L_`` (not ``_``): the shared
catalogue's test extracts ``_`` from ``services/`` and expects them in
``messages.po``; tests/browser/test_console_catalogue.py extracts ``L_`` and
the templates' ``_`` and expects them in ``console.po``.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from services.common.i18n import LANGUAGES, Texts
from services.common.i18n.catalogue import LOCALE_DIR, _translations

DOMAIN = "console"


def L_(message: str) -> str:
    """Marks a console message; the page translates it when it is shown."""
    return message


def console_po(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def console_texts(language: str) -> Texts:
    shared = _translations(language)
    path = console_po(language)
    if not path.exists():  # English is the source language
        return Texts(language, shared)
    with path.open("rb") as po:
        catalog = read_po(po, locale=LANGUAGES[language])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    own = gettext.GNUTranslations(compiled)
    own.add_fallback(shared)
    return Texts(language, own)


def say(t: Texts, message: str, /, **values: object) -> str:
    """``t._`` for a console message (a name the shared catalogue's test does not extract)."""
    return t._(message, **values)


def say_n(t: Texts, singular: str, plural: str, n: int, /, **values: object) -> str:
    """``t.ngettext`` for a console message."""
    return t.ngettext(singular, plural, n, **values)
