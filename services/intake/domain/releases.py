"""Releases that cannot be differenced: a cell's line changes only by k answers at once.

k-anonymity per release is not enough across releases. A cell of exactly k
answers publishes 55 units; one employee joins and the next version says 62:
every reader of the topic now knows that one employee asked for 7 units (and,
from the price, priority and tags, more). The defence is a threshold on
change, kept per cell:

- A *release* of a cell is the set of answers one published line was
  aggregated from. Intake remembers, for every release of every survey cell,
  a fingerprint of that set: for each answer, a keyed digest of its pseudonym
  and one of its whole content (``fingerprint``), never the answer itself.
- Two sets differ by the number of pseudonyms whose answer is not the same in
  both (``changed``): a new answer, a withdrawn one, or one replaced by a
  different answer each count once; withdrawing an answer and submitting it
  again under another pseudonym counts twice.
- The current answers of a cell become a new release only if they differ by
  at least k answers from *every* earlier release of the cell whose figures
  differ from theirs (``choose``). Every earlier one, not only the last:
  otherwise k answers added and then withdrawn with one more would leave two
  releases one answer apart. A set whose figures equal an earlier release's
  (a change that moved nothing published) is remembered as a release too, so
  that a later change is measured from it as well.
- Otherwise the line shows the nearest earlier release whose figures differ
  from the current ones (it is fewer than k answers away), published again
  unchanged. Nothing new is learnt from figures already published, and the
  firm's demand is never out of date by k answers or more, so it is never
  starved: a cell that stands always shows a line, stale by at most k - 1
  answers, and the change goes out as soon as k answers of the cell changed.

Hence any two different lines ever published for a cell, at moments when
each truly described the cell's answers, were aggregated from answer sets
at least k answers apart; a difference of two releases, or a sum of such
differences over a firm's cells, always spans nothing or at least k changed
answers. Whether a cell is held depends on the counts of changed answers
and on whether its figures moved, never on which answers changed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from schemas.demand import DemandLine
from services.intake.domain.answers import SurveyAnswer

# pseudonym digest -> answer digest, both keyed with the firm's secret
Fingerprint = Mapping[str, str]


@dataclass(frozen=True)
class Release:
    line: DemandLine  # as published
    answers: Fingerprint  # the answers it was aggregated from


@dataclass(frozen=True)
class Choice:
    line: DemandLine  # what the cell's line shows now
    new_release: Release | None  # to remember, when the current answers are released
    pending: int  # answers changed since the release shown (0 when it is current)


def fingerprint(answers: Iterable[SurveyAnswer], secret: bytes) -> dict[str, str]:
    """Keyed digests, so that the stored releases say nothing without the secret."""
    return {
        _digest(secret, b"pseudonym|", answer.pseudonym):
            _digest(secret, b"answer|", answer.model_dump_json())
        for answer in answers
    }


def changed(before: Fingerprint, after: Fingerprint) -> int:
    """How many pseudonyms' answers differ between two sets (present in one only,
    or present in both with different content)."""
    return sum(1 for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def choose(fresh: DemandLine, answers: Fingerprint, earlier: Sequence[Release],
           k: int) -> Choice:
    """The line a cell shows, given its fresh aggregate and its earlier releases
    (oldest first)."""
    distances = [changed(release.answers, answers) for release in earlier]
    other = [(d, -i) for i, (release, d) in enumerate(zip(earlier, distances, strict=True))
             if release.line != fresh]  # releases whose figures the fresh ones differ from
    if all(d >= k for d, _ in other):
        known = any(d == 0 for d in distances)  # this very set was released before
        return Choice(fresh, None if known else Release(fresh, dict(answers)), 0)
    # Held back: the nearest release whose figures differ from the fresh ones (of
    # equals, the latest). Never one that happens to equal them: shown now, it
    # would truly describe the current answers, fewer than k from another release.
    d, minus_index = min(other)
    return Choice(earlier[-minus_index].line, None, d)


@dataclass(frozen=True)
class Held:
    """A firm's survey lines after the threshold, and what to remember."""

    lines: tuple[DemandLine, ...]
    new_releases: Mapping[str, Release]  # line id -> release to remember
    pending_answers: int  # changed answers not yet in the lines shown
    pending_lines: int  # lines showing an earlier release


def hold_back(lines: Sequence[DemandLine],
              answers_by_line: Mapping[str, Sequence[SurveyAnswer]],
              releases: Mapping[str, Sequence[Release]], k: int, secret: bytes) -> Held:
    """Apply ``choose`` to every line that k-anonymity lets stand."""
    shown, new, pending, stale = [], {}, 0, 0
    for line in lines:
        choice = choose(line, fingerprint(answers_by_line[line.line_id], secret),
                        releases.get(line.line_id, ()), k)
        shown.append(choice.line)
        if choice.new_release is not None:
            new[line.line_id] = choice.new_release
        pending += choice.pending
        stale += choice.pending > 0
    return Held(tuple(shown), new, pending, stale)


def _digest(secret: bytes, purpose: bytes, text: str) -> str:
    return hmac.new(secret, purpose + text.encode(), hashlib.sha256).hexdigest()[:32]
