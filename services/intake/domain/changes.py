"""What to publish after a firm's survey changed: only the differences.

Each line keeps one version counter for its whole life, withdrawals
included, so that a consumer applying "later versions replace earlier ones"
never takes a re-published line for a stale one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from schemas.demand import DemandLine


@dataclass(frozen=True)
class StoredLine:
    line: DemandLine
    version: int  # of the last event about the line, submitted or withdrawn
    standing: bool  # False once withdrawn


@dataclass(frozen=True)
class Changes:
    submitted: tuple[tuple[DemandLine, int], ...]  # (line, its new version)
    withdrawn: tuple[tuple[str, int], ...]  # (line id, its new version)

    def __bool__(self) -> bool:
        return bool(self.submitted or self.withdrawn)


def plan_changes(stored: Mapping[str, StoredLine], fresh: Sequence[DemandLine]) -> Changes:
    """New or changed lines are submitted again; standing lines no longer fresh are withdrawn."""
    submitted = []
    for line in fresh:
        before = stored.get(line.line_id)
        if before is None:
            submitted.append((line, 1))
        elif not before.standing or before.line != line:
            submitted.append((line, before.version + 1))
    fresh_ids = {line.line_id for line in fresh}
    withdrawn = [
        (line_id, before.version + 1)
        for line_id, before in sorted(stored.items())
        if before.standing and line_id not in fresh_ids
    ]
    return Changes(tuple(submitted), tuple(withdrawn))
