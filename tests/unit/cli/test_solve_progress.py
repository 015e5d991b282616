"""welfare solve's stages on a terminal and in a pipe (services/cli/progress.py)."""

from __future__ import annotations

import io

from matcher.solve import Progress
from services.cli.progress import SolveProgress
from services.common.i18n import texts


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_pipe_gets_a_line_per_stage_and_the_parts_in_italian():
    out = io.StringIO()
    with SolveProgress(texts("it"), 5.0, stream=out) as shown:
        shown(Progress(0, 0, 0.0, "", stage="preparing"))
        shown(Progress(0, 3, 0.1, ""))
        shown(Progress(3, 3, 0.2, ""))
        shown(Progress(3, 3, 0.3, "", stage="reasons"))
        shown.stage("writing")
    lines = [line.strip().split(" (")[0] for line in out.getvalue().splitlines()]
    assert lines == ["preparazione del round: righe, offerte, mercati e parti",
                     "calcolo della parte 1 di 3", "calcolo della parte 3 di 3",
                     "calcolo dei contratti e dei motivi per cui il resto non è servito",
                     "scrittura del risultato"]
    assert all(" di 5 s)" in line or "5 s" in line for line in out.getvalue().splitlines())


def test_a_terminal_gets_a_live_line_and_each_stage_in_the_scroll_back():
    out = _Terminal()
    with SolveProgress(texts("en"), None, stream=out) as shown:
        shown.stage("reading")
        shown(Progress(0, 2, 0.1, ""))
    assert "reading the snapshot" in out.getvalue()
    assert "solving part 1 of 2" in out.getvalue()
