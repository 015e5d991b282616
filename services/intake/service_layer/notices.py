"""What the firm's HR person is told about answers the published lines do not show yet."""

from __future__ import annotations

from services.common.i18n import texts


def pending_notice(pending_answers: int, pending_lines: int, k: int,
                   language: str | None = None) -> str:
    """A sentence in the reader's language, or "" when every line is current."""
    if pending_answers == 0:
        return ""
    t = texts(language)
    pending = t.ngettext("{n} changed answer is not published yet",
                         "{n} changed answers are not published yet", pending_answers)
    lines = t.ngettext("{n} line", "{n} lines", pending_lines)
    return t._("{pending} ({lines}): a line changes only once at least {k} of its answers "
               "have changed since it was published, so that no one can work out one "
               "employee's answer from the difference; until then it shows its previous "
               "figures.", pending=pending, lines=lines, k=k)
