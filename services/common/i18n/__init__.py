"""One i18n and formatting layer: Italian first, English second.

Every text a person reads goes through ``Texts`` (a message catalogue and a
locale); numbers, money, dates, ISO weeks and durations through ``formats``;
reason codes, statuses and categories become words in ``words``; the quality
of a solve in ``quality``; ids get their names beside them through ``Names``.

Why here, in ``services/common/``: the CLI, the operator's reports, the demo
and the coming web console all print for people, and ``common`` is what the
services share. It depends inward only (``schemas`` for the reason codes and
categories), never on ``matcher`` or a service.

Why the ``.po`` file is read at run time and no ``.mo`` is compiled: there is
no build step to forget, and no compiled file that can drift from its source.
``catalogue.py`` parses the ``.po`` with Babel once per process and hands
Python's own ``gettext`` the compiled form in memory; the catalogue is small,
so that takes milliseconds. Fuzzy entries are left out, as ``msgfmt`` would.

Source strings are English, in the code (``texts._("...")``); the Italian
catalogue is ``locale/it/LC_MESSAGES/messages.po``. A test extracts every
message from ``services/`` with Babel's extractor and fails on any without
an Italian translation (tests/unit/i18n/test_catalogue.py).
"""

from services.common.i18n.catalogue import N_, Texts, texts
from services.common.i18n.language import DEFAULT_LANGUAGE, LANGUAGES, choose_language
from services.common.i18n.names import Names

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "N_", "Names", "Texts", "choose_language", "texts"]
