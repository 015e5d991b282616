"""``welfare solve``'s summary says where the round's bound comes from (issue 11)."""

from __future__ import annotations

import matcher
from matcher.backends import highs
from matcher.backends.raw import RawResult
from matcher.solution import Status
from services.cli.solve_cmd import summary
from tests.unit.matcher.rounds import line, offer, snapshot


def out_of_time(*args, **kwargs) -> RawResult:
    return RawResult(Status.NO_SOLUTION, None, None, None)


def test_the_summary_says_which_parts_were_bounded_without_a_solver(monkeypatch):
    snap = snapshot([line("a", "f1", 4), line("b", "f2", 4, municipality="036005")],
                    [offer("camp", 3), offer("other", 2, area=("036005",))])
    monkeypatch.setattr(highs, "solve", out_of_time)
    result = matcher.solve_round(snap, snap.parameters)
    italian = summary(result, "it")
    assert ("da dove viene il limite, su 2 parti: 0 dimostrati dal MIP, 0 dal rilassamento, "
            "2 contati senza solutore") in italian
    assert "of 2 parts: 0 proved by the MIP, 0 by the relaxation, 2 counted without a solver" \
        in summary(result, "en")


def test_the_summary_names_the_parts_bounded_by_their_flows(monkeypatch):
    snap = snapshot([line("a", "f1", 4), line("b", "f2", 4, municipality="036005")],
                    [offer("camp", 3), offer("other", 2, area=("036005",))])
    monkeypatch.setattr(highs, "solve", out_of_time)
    result = matcher.solve_round(snap, snap.parameters)
    flows = result.model_copy(update={"part_bounds": result.part_bounds.model_copy(
        update={"ceiling": 1, "flows": 1})})
    assert ("su 2 parti: 0 dimostrati dal MIP, 0 dal rilassamento, 1 dai soli flussi (troppo "
            "grandi per il rilassamento nel tempo), 1 contati senza solutore") in summary(flows, "it")
    assert ("0 by the relaxation, 1 by the flows alone (too large for the relaxation in the "
            "time), 1 counted without a solver") in summary(flows, "en")
