"""The message catalogue: English source strings, translated through gettext.

``texts(lang)`` returns a ``Texts``: ``_`` for one message, ``ngettext`` for
one with a count ``{n}``. Both fill ``{named}`` placeholders, so a translation
may put them in another order. ``N_`` marks a message to translate later (tables
of reason codes), so the extractor still finds it.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.numbers import format_decimal
from babel.messages.pofile import read_po

from services.common.i18n.language import LANGUAGES, choose_language

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:
    return message


class Texts:
    """The messages and the locale of one language."""

    def __init__(self, language: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self.locale = LANGUAGES[language]
        self._translations = translations

    def _(self, message: str, /, **values: object) -> str:
        text = self._translations.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        # The count is printed as a number of the locale: 12.095 units, 12,095 units.
        return self._translations.ngettext(singular, plural, n).format(
            n=format_decimal(n, locale=self.locale), **values)


def texts(language: str | None = None) -> Texts:
    """The texts of ``language``, or of the language the environment chooses."""
    return _texts(choose_language(language))


@lru_cache(maxsize=None)
def _texts(language: str) -> Texts:
    return Texts(language, _translations(language))


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _translations(language: str) -> gettext.NullTranslations:
    path = po_path(language)
    if not path.exists():  # English is the source language: no catalogue needed
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=LANGUAGES[language])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries left out, as msgfmt does
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
