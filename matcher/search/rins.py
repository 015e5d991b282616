"""RINS: the part's MIP with every integer column fixed where the relaxation and the
best solution so far agree (Danna, Rothberg and Le Pape, "Exploring relaxation induced
neighborhoods to improve MIP solutions", Math. Programming 102, 2005).

Rounding the relaxation (heuristic.py) loses 5-15 % of a large part's coverage where
minimum groups close weeks: on the Modena 1k round's two largest parts it reached
8,537,800 and 14,935,900 of the relaxation's 9,682,794 and 16,692,751 counts. HiGHS's
own search on the whole part finds better only after its root's cut rounds, 3-4 s there,
and given 0.5 s more than the relaxation took it found nothing better on 15 of the 21
largest parts of the Modena 1k and 10k and summer 1k rounds. The agreeing columns (72-91 %
of the integer ones) fixed, the MIP left is small: HiGHS solved it in 0.05-0.5 s on 20 of
those parts (0.84 s on the largest, 51,892 columns), better than the rounding on 19
(+5.9 % and +5.1 % on the two above; median +3.9 %, at most +19 %), never worse (the best
solution is its hint and keeps every row). Done again around the solution it finds, it
found nothing more on 20 of the 21: once per part. (Measured one call each, offline, on
the dumped models, 2026-12-03.)

Its bound is the restricted MIP's, not the part's, and is not kept.
"""

from __future__ import annotations

from matcher.backends.linear import LinearModel

AGREE = 1e-6  # how close a column's two values must be to count as agreeing


def agreeing(m: LinearModel, relaxed: list[float], best: list[float]
             ) -> dict[int, tuple[float, float]]:
    """Bounds fixing each integer column of ``m`` at ``best``'s value where the
    relaxation ``relaxed`` has the same value (LinearModel.overridden's ``bounds``)."""
    return {col: (float(round(best[col])),) * 2 for col in range(m.num_cols)
            if m.integer[col] and abs(relaxed[col] - best[col]) <= AGREE}
