"""Which language a report is written in: explicit, WELFARE_LOCALE, the system's, Italian."""

from __future__ import annotations

import pytest

from services.common.i18n import choose_language


@pytest.mark.parametrize(("explicit", "environ", "expected"), [
    (None, {}, "it"),  # nothing says: Italian first
    (None, {"LANG": "C.UTF-8"}, "it"),  # the C locale names no language
    (None, {"LANG": "en_US.UTF-8"}, "en"),
    (None, {"LANG": "en_US.UTF-8", "LC_MESSAGES": "it_IT.UTF-8"}, "it"),
    (None, {"LC_MESSAGES": "it_IT", "LC_ALL": "en_GB.UTF-8@euro"}, "en"),  # LC_ALL wins
    (None, {"LANG": "de_DE.UTF-8"}, "it"),  # a language we do not write: Italian
    (None, {"LANG": "en_GB", "WELFARE_LOCALE": "it_IT"}, "it"),  # ours before the system's
    ("en", {"WELFARE_LOCALE": "it"}, "en"),  # the explicit choice first
    ("it-IT", {"LANG": "en_US"}, "it"),
])
def test_the_choice_follows_its_order(explicit, environ, expected):
    assert choose_language(explicit, environ) == expected


def test_an_unknown_choice_of_ours_is_told_with_its_source():
    with pytest.raises(ValueError, match="WELFARE_LOCALE: 'fr_FR' is not a language"):
        choose_language(None, {"WELFARE_LOCALE": "fr_FR"})
    with pytest.raises(ValueError, match="choose one of it, en"):
        choose_language("de", {})
