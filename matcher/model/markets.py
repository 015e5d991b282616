"""Markets: connected groups of lines and offers joined by usable pairs.

Lines of different markets never compete for the same capacity, so fairness
between firms is judged inside each market (a "piece" is one firm's lines in
one market), and a market is the unit the round decomposes into. Numbering
follows the lowest line index, so it is the same on every run.
"""

from __future__ import annotations

from matcher.model.prepare import Prepared


def _find(parent: list[int], a: int) -> int:
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


def union_find(size: int, edges: list[tuple[int, int]]) -> list[int]:
    """Root per element, each group's root being its smallest member."""
    parent = list(range(size))
    for a, b in edges:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [_find(parent, a) for a in range(size)]


def line_markets(prep: Prepared) -> list[int]:
    """Market number per line, -1 for a line no offer can serve."""
    data = prep.data
    n = len(data.lines)
    edges = [(p.line, n + p.offer) for k, p in enumerate(data.pairs) if prep.usable[k]]
    roots = union_find(n + len(data.offers), edges)
    numbers: dict[int, int] = {}
    result = []
    for line in range(n):
        if not prep.line_pairs[line]:
            result.append(-1)
            continue
        result.append(numbers.setdefault(roots[line], len(numbers)))
    return result


def pieces(prep: Prepared, markets: list[int]) -> list[list[int]]:
    """Lines per (firm, market) among the optional lines of firms, in a fixed order."""
    groups: dict[tuple[int, int], list[int]] = {}
    for line_index, line in enumerate(prep.data.lines):
        if markets[line_index] >= 0 and line.firm >= 0 and not line.must_serve:
            groups.setdefault((markets[line_index], line.firm), []).append(line_index)
    return [groups[key] for key in sorted(groups)]
