"""Where a running round is, in words: the CLI's ``--wait`` and the console's progress page.

The matcher's round detail carries ``phase`` (``waiting_for_book``,
``snapshot``, ``solving`` with ``part`` of ``parts``, ``storing``) while a
runner works on the round, and none before a runner claims it or once it
completed or failed: then the status says where it is. One set of words for
both readers, so that a phase reads the same in a terminal and on a page; a
reader may put its own words on a code (the console names the matcher
differently for people who do not know what a matcher is).
"""

from __future__ import annotations

from collections.abc import Mapping

from services.common.i18n import words
from services.common.i18n.catalogue import N_, Texts

PHASES = {
    # A status, when no phase is known: the matcher has not taken the round yet, or
    # took it a moment ago (or is an older matcher that publishes no phase).
    "requested": N_("waiting for the matcher to take the round and for its book to hold "
                    "what was sent"),
    "running": N_("solving"),
    # The phases a matcher publishes.
    "waiting_for_book": N_("waiting for the matcher's book to hold what was sent"),
    "snapshot": N_("freezing the snapshot"),
    "solving": N_("solving"),
    "storing": N_("storing the result"),
}

ENDED = ("completed", "failed")


def code_of(detail: Mapping) -> str | None:
    """The phase, else the status; the status alone once the round ended."""
    status = detail.get("status")
    if status in ENDED:
        return status
    return detail.get("phase") or status


def round_phase(t: Texts, detail: Mapping, own: Mapping[str, str] | None = None) -> str:
    """The phase of a round detail in words; ``own``: a reader's messages for some codes."""
    texts = {**PHASES, **(own or {})}
    code = code_of(detail)
    if code in ENDED or code not in texts:
        return words.round_status(t, code)
    if code == "solving" and detail.get("parts"):
        return t._("solving part {part} of {parts}", part=detail.get("part") or 1,
                   parts=detail["parts"])
    return t._(texts[code])
