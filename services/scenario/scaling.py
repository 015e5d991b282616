"""Which provinces a scaled scenario adds, and how many demand lines each gets.

A network grows from its province outwards: first the other provinces of its
region, nearest first, then the rest of Italy by distance. An added province
gets a network like the base one scaled by its population (at least half the
base's size): Bologna, with more people than Modena, gets more lines. When
even all of Italy at that density falls short of the target, every province,
the base's too, gets more firms in the same proportion.
"""

from __future__ import annotations

from services.scenario.municipalities import Province, haversine_km, provinces

MIN_SHARE = 0.5


def province_order(base: Province) -> list[Province]:
    """Every other province: the base's region first, each group nearest first."""
    lat, lon = base.centre

    def key(p: Province) -> tuple[bool, float, str]:
        return (p.region != base.region, haversine_km(lat, lon, *p.centre), p.code)

    return sorted((p for p in provinces().values() if p.code != base.code), key=key)


def plan(base: Province, base_lines: int, target: int) -> list[tuple[Province, int]]:
    """(province, lines) to add to the base so that the total is ``target``.

    The base itself may appear, with the lines of firms added beyond its own.
    """
    if target < base_lines:
        raise ValueError(
            f"the {base.name} base alone has {base_lines} demand lines: "
            f"ask for at least that many"
        )
    wanted = target - base_lines
    if wanted == 0:
        return []
    natural = [
        (p, base_lines * max(MIN_SHARE, p.population / base.population))
        for p in province_order(base)
    ]
    chosen, total = [], 0.0
    for province, lines in natural:
        chosen.append((province, lines))
        total += lines
        if total >= wanted:
            return _apportion(chosen, wanted)
    # All of Italy is not enough: more firms everywhere, the base included.
    factor = target / (base_lines + total)
    grown = [(base, base_lines * (factor - 1))] + [(p, n * factor) for p, n in natural]
    return _apportion(grown, wanted)


def _apportion(shares: list[tuple[Province, float]], total: int) -> list[tuple[Province, int]]:
    """Whole numbers proportional to ``shares`` that add up to ``total``."""
    weight = sum(n for _, n in shares)
    exact = [(p, n * total / weight) for p, n in shares]
    whole = [int(n) for _, n in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (whole[i] - exact[i][1], i))
    for i in by_remainder[: total - sum(whole)]:
        whole[i] += 1
    return [(p, n) for (p, _), n in zip(exact, whole) if n > 0]
