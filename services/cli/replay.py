"""``welfare solve --replay``: the replayed result against the recorded one, in words.

A solve that ended by proof (status ``optimal``: proven within the gap asked
for) replays byte for byte: the same snapshot, parameters, seed and solver
version give the same file. One that ended by its time limit (``feasible``, or
``no_solution`` when the limit came before any plan) need not: where the search
stood when the clock ran out depends on the machine's speed and load. Its replay
then says so, and by how much the two differ: the coverage, the objective and the
gap of each.

Exit status:

- 0: the files are identical; or the recorded solve ended by its time limit, the
  solver versions are the same, and the two answers agree with each other's proof:
  neither plan's objective is below the other's proven bound (any plan's is at
  least the optimum, every bound at most: a plan below a bound means one of the two
  results is wrong, and that is no time limit's doing);
- 1: any other difference, among them a recorded proof that the replay did not
  reproduce (a replay that ran out of time where the recorded solve did not: the
  figures are printed, but the record is not confirmed).
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.result import RoundResult, SolveStatus
from services.common.i18n import Texts, formats, words

LIMITED = (SolveStatus.FEASIBLE, SolveStatus.NO_SOLUTION)  # the time limit ended the search
# Objectives are L (matcher/model/objective.py), around 1e11 on a Modena round: a plan
# and a bound agree when they differ by less than this share of the objective.
TOLERANCE = 1e-7


@dataclass(frozen=True)
class Verdict:
    identical: bool
    recorded_limited: bool  # the recorded solve ended by its time limit
    replay_limited: bool
    same_solver: bool
    consistent: bool  # neither plan below the other's proven bound

    @property
    def explained(self) -> bool:
        """The files differ only as far as the recorded solve's time limit allows."""
        return (not self.identical and self.recorded_limited and self.same_solver
                and self.consistent)

    @property
    def exit_code(self) -> int:
        return 0 if self.identical or self.explained else 1


def verdict(recorded: RoundResult, recorded_text: str, replayed: RoundResult) -> Verdict:
    return Verdict(
        identical=replayed.to_file_json() == recorded_text,
        recorded_limited=recorded.status in LIMITED,
        replay_limited=replayed.status in LIMITED,
        same_solver=recorded.solver.version == replayed.solver.version,
        consistent=not (_below_bound(replayed, recorded) or _below_bound(recorded, replayed)))


def _below_bound(plan: RoundResult, proof: RoundResult) -> bool:
    """Whether ``plan``'s objective is below ``proof``'s bound (False when either is
    missing: nothing to contradict)."""
    if plan.objective is None or proof.bound is None:
        return False
    slack = TOLERANCE * max(abs(plan.objective), abs(proof.bound), 1.0)
    return plan.objective < proof.bound - slack


def compare(t: Texts, recorded: RoundResult, recorded_text: str, replayed: RoundResult) -> int:
    """Print how the replay compares with the record; the exit status (above)."""
    v = verdict(recorded, recorded_text, replayed)
    if v.identical:
        print(t._("replay: match (byte-identical result file)"))
        return 0
    new = replayed.to_file_json()
    old_lines, new_lines = recorded_text.splitlines(), new.splitlines()
    where = next((n for n, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b),
                 min(len(old_lines), len(new_lines)))
    end = t._("(end)")
    print(t._("replay: MISMATCH at line {line}", line=where + 1))
    print("  " + t._("recorded: {text}",
                     text=old_lines[where].strip() if where < len(old_lines) else end))
    print("  " + t._("replayed: {text}",
                     text=new_lines[where].strip() if where < len(new_lines) else end))
    if not v.same_solver:
        print("  " + t._("solver versions differ: {recorded} / {replayed}",
                         recorded=recorded.solver.version, replayed=replayed.solver.version))
    if not (v.recorded_limited or v.replay_limited):
        return v.exit_code
    if v.recorded_limited:
        print("  " + t._("the recorded solve ended by its time limit ({limit}), not by a "
                         "proof: where a search stands when its time runs out depends on "
                         "the machine, so the replay may differ",
                         limit=formats.duration(t, recorded.parameters.time_limit_s)))
    else:
        print("  " + t._("a solve stopped at its time limit: its answer depends on the "
                         "machine's speed"))
    print("  " + _figures(t, t._("recorded"), recorded))
    print("  " + _figures(t, t._("replayed"), replayed))
    print("  " + _difference(t, recorded, replayed))
    if v.explained:
        print(t._("replay: differs only as far as the time limit allows (each plan is "
                  "within the other's proven bound)"))
    elif v.recorded_limited and not v.consistent:
        print(t._("replay: the two results contradict each other's proven bound: not "
                  "explained by the time limit"))
    return v.exit_code


def _figures(t: Texts, which: str, r: RoundResult) -> str:
    gap = t._("no bound") if r.gap is None else formats.percent(t, r.gap, digits=3)
    return t._("{which}: {status}; priority-weighted coverage {weighted} ({served} of "
               "{demanded} unit-weeks), at most {ceiling}; objective {objective}, "
               "bound {bound}, gap {gap}",
               which=which, status=words.solve_status(t, r.status.value),
               weighted=formats.percent(t, r.totals.weighted_coverage, digits=2),
               served=formats.number(t, r.totals.served_unit_weeks),
               demanded=formats.number(t, r.totals.demanded_unit_weeks),
               ceiling=formats.percent(t, r.coverage_ceiling, digits=2),
               objective=formats.number(t, r.objective, digits=0),
               bound=formats.number(t, r.bound, digits=0), gap=gap)


def _difference(t: Texts, recorded: RoundResult, replayed: RoundResult) -> str:
    points = 100 * (replayed.totals.weighted_coverage - recorded.totals.weighted_coverage)
    served = replayed.totals.served_unit_weeks - recorded.totals.served_unit_weeks
    if recorded.objective is None or replayed.objective is None:
        change, share = None, None
    else:
        change = replayed.objective - recorded.objective
        share = abs(change) / max(abs(recorded.objective), 1e-9)
    return t._("replayed less recorded: priority-weighted coverage {points} points, "
               "{served} unit-weeks; objective {objective} ({share} of the recorded one; "
               "lower is better)",
               points=formats.number(t, round(points, 2), digits=2),
               served=formats.number(t, served),
               objective=formats.number(t, change, digits=0),
               share=formats.percent(t, share, digits=3))
