"""The phase of a round while ``welfare round start|commit --wait`` waits for it.

On a terminal: one live line (rich) with a spinner, the phase and the time
elapsed against the solver's limit, redrawn at every poll. Anywhere else (a
pipe, a CI log): a plain line when the phase changes and every few seconds,
so that a log shows the same story without control codes.

The matcher publishes where a running round is: the round detail carries
``phase`` (``waiting_for_book`` while its book catches up with what was sent,
``snapshot``, ``solving`` with the ``part`` being solved of ``parts``,
``storing``), written by the runner that holds the round (at most about once
a second while it solves; services/matcher/service_layer/phases.py). Before a matcher takes
the round, and once it ended, there is no phase and the status says where it
is: ``requested``, then ``completed`` or ``failed``. A ``running`` round with
no phase yet (just taken, or an older matcher) reads as solving. The words
are shared with the console's progress page (services/common/i18n/round_phase.py).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from services.common.i18n import N_, Texts, formats
from services.common.i18n.round_phase import PHASES, round_phase

__all__ = ["PHASES", "RoundProgress", "clock", "phase"]


def phase(t: Texts, detail: dict) -> str:
    return round_phase(t, detail)


def clock(t: Texts, elapsed_s: float, limit_s: float | None) -> str:
    if limit_s:
        return t._("{elapsed} of {limit}", elapsed=formats.duration(t, elapsed_s),
                   limit=formats.duration(t, limit_s))
    return formats.duration(t, elapsed_s)


class _LiveLine:
    """On a terminal, one live line (rich, a spinner) for as long as the ``with``
    lasts; ``_progress`` stays None anywhere else, where the subclasses print lines."""

    stream: TextIO
    live: bool
    _progress = None
    _task = None

    def __enter__(self):
        if self.live:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                      console=Console(file=self.stream), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


class RoundProgress(_LiveLine):
    """``on_change`` and ``on_tick`` for ``OperatorClient.wait``, and how often to tick."""

    def __init__(self, t: Texts, limit_s: float | None, stream: TextIO | None = None) -> None:
        self.t, self.limit_s = t, limit_s
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        # Called at every poll (tick 0); a plain line only when the phase changes or
        # every ``quiet_s``, so a long solve does not look stuck nor flood a log.
        self.quiet_s = 5.0
        self.began = time.monotonic()
        self._printed_at = 0.0
        self._told: str | None = None

    def _show(self, detail: dict, elapsed_s: float, *, changed: bool) -> None:
        text = f"{phase(self.t, detail)} ({clock(self.t, elapsed_s, self.limit_s)})"
        if self._progress is not None:
            self._progress.update(self._task, description=text)
            now = phase(self.t, detail)
            if changed or now != self._told:  # the phases stay in the scroll-back
                self._progress.console.print("  " + now, highlight=False)
            self._told = now
            return
        now = phase(self.t, detail)
        if changed or now != self._told:
            print("  " + text, file=self.stream, flush=True)
        elif elapsed_s - self._printed_at >= self.quiet_s:
            print("  " + self.t._("still {status}, {elapsed}", status=now,
                                  elapsed=clock(self.t, elapsed_s, self.limit_s)),
                  file=self.stream, flush=True)
        else:
            return
        self._told, self._printed_at = now, elapsed_s

    def on_change(self, detail: dict) -> None:
        self._show(detail, time.monotonic() - self.began, changed=True)

    def on_tick(self, detail: dict, elapsed_s: float) -> None:
        self._show(detail, elapsed_s, changed=False)

    def callbacks(self) -> dict[str, Callable | float]:
        return {"on_change": self.on_change, "on_tick": self.on_tick, "tick_s": 0.0}


SOLVE_STAGES = {
    "reading": N_("reading the snapshot"),
    "preparing": N_("preparing the round: lines, offers, markets and parts"),
    "reasons": N_("working out the contracts and why the rest is not served"),
    "writing": N_("writing the result"),
}


class SolveProgress(_LiveLine):
    """Where ``welfare solve`` is, on stderr: reading, preparing, solving part k of n,
    the reasons, writing; with the time against the limit.

    On a terminal one live line (rich), each stage left in the scroll-back; anywhere
    else a plain line per stage, and the parts at most once a second. ``stage()``
    is the CLI's own steps, ``__call__`` the optimiser's ``progress`` callback.
    """

    def __init__(self, t: Texts, limit_s: float | None, stream: TextIO | None = None,
                 began: float | None = None) -> None:
        self.t, self.limit_s = t, limit_s
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.began = time.perf_counter() if began is None else began
        self._told = ""
        self._parts_at = float("-inf")

    def stage(self, code: str) -> None:
        self._say(self.t._(SOLVE_STAGES[code]), new=True)

    def __call__(self, report) -> None:
        stage = getattr(report, "stage", "solving")
        if stage != "solving":
            self.stage(stage)
            return
        text = self.t._("solving part {part} of {parts}",
                        part=min(report.parts_done + 1, report.parts_total),
                        parts=report.parts_total)
        now = time.perf_counter()
        if report.parts_done == 0 or now - self._parts_at >= 1.0 \
                or report.parts_done == report.parts_total:
            self._parts_at = now
            self._say(text, new=text != self._told)

    def _say(self, text: str, *, new: bool) -> None:
        line = f"{text} ({clock(self.t, time.perf_counter() - self.began, self.limit_s)})"
        if self._progress is not None:
            self._progress.update(self._task, description=line)
            if new:
                self._progress.console.print("  " + text, highlight=False)
        elif new:
            print("  " + line, file=self.stream, flush=True)
        self._told = text
