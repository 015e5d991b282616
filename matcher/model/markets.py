"""Markets: connected groups of lines and offers joined by usable pairs.

Lines of different markets never compete for the same capacity, so fairness
between firms is judged inside each market (a "piece" is one firm's lines in
one market), and a market is the unit the round decomposes into. Numbering
follows the lowest line index, so it is the same on every run.
"""

from __future__ import annotations

import numpy as np

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
    usable = np.fromiter(prep.usable, bool, len(data.pairs))
    ends = np.fromiter(((p.line, p.offer) for p in data.pairs), np.dtype((np.int64, 2)),
                       len(data.pairs))[usable]
    roots = components(n + len(data.offers), ends[:, 0], n + ends[:, 1])[:n]
    served = np.fromiter(map(bool, prep.line_pairs), bool, n)
    # Numbered in the order of their first line: that is np.unique's order of first index.
    found, first, inverse = np.unique(roots[served], return_index=True, return_inverse=True)
    number = np.empty(len(found), np.int64)
    number[np.argsort(first)] = np.arange(len(found))
    result = np.full(n, -1, np.int64)
    result[served] = number[inverse]
    return result.tolist()


def components(size: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """union_find's roots for the edges (a[e], b[e]), on arrays: each root is hooked
    under the smallest root it meets, then every element points to its root, until
    no edge joins two roots (a few rounds; 1.2 million edges at 100k lines)."""
    parent = np.arange(size)
    while True:
        ra, rb = parent[a], parent[b]
        apart = ra != rb
        if not apart.any():
            return parent
        np.minimum.at(parent, np.maximum(ra, rb)[apart], np.minimum(ra, rb)[apart])
        while True:
            up = parent[parent]
            if (up == parent).all():
                break
            parent = up


def pieces(prep: Prepared, markets: list[int]) -> list[list[int]]:
    """Lines per (firm, market) among the optional lines of firms, in a fixed order."""
    groups: dict[tuple[int, int], list[int]] = {}
    for line_index, line in enumerate(prep.data.lines):
        if markets[line_index] >= 0 and line.firm >= 0 and not line.must_serve:
            groups.setdefault((markets[line_index], line.firm), []).append(line_index)
    return [groups[key] for key in sorted(groups)]
