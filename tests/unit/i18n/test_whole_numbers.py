"""Whole numbers take a shortcut past babel: it must print exactly what babel prints."""

from __future__ import annotations

import random

from babel.numbers import format_decimal

from services.common.i18n import LANGUAGES, texts
from services.common.i18n import formats


def test_whole_numbers_print_as_babel_prints_them_in_every_language():
    rng = random.Random(7)
    values = [0, 1, -1, 999, 1000, -1000, 12095, 10**6, -(10**9) - 7, 10**15]
    values += [rng.randrange(-(10**12), 10**12) for _ in range(500)]
    for language, locale in LANGUAGES.items():
        t = texts(language)
        for value in values:
            assert formats.number(t, value) == format_decimal(value, locale=locale), value


def test_the_shortcut_is_taken_and_not_for_other_figures():
    t = texts("it")
    assert formats.number(t, 12095) == "12.095"
    assert formats.number(t, 12095.5) == "12.095,5"  # a float: babel's way
    assert formats._group_symbol("it_IT") == "."
