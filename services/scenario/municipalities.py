"""The real municipalities of Italy, read from the CSV shipped in the package.

Codes and names are ISTAT's; coordinates are centroids of the municipal
boundaries (see ``data/SOURCES.md``). Distances are great-circle distances
between centroids: good enough to say which municipalities a provider can
reach and where a firm's employees live.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

# Weight of the three municipalities whose 2023 population is unknown (their
# code changed after 2023): a small village, so they draw little demand.
_UNKNOWN_POPULATION = 1000


@dataclass(frozen=True)
class Municipality:
    code: str  # ISTAT code, six digits
    name: str
    province_code: str  # three digits, the first three of ``code``
    province_abbr: str
    province: str
    region: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True)
class Province:
    code: str
    abbr: str
    name: str
    region: str
    municipalities: tuple[Municipality, ...]  # in ISTAT code order

    @cached_property
    def population(self) -> int:
        return sum(m.population for m in self.municipalities)

    @cached_property
    def centre(self) -> tuple[float, float]:
        """Population-weighted centre: where a province's network sits."""
        total = self.population
        lat = sum(m.lat * m.population for m in self.municipalities) / total
        lon = sum(m.lon * m.population for m in self.municipalities) / total
        return lat, lon


@cache
def municipalities() -> dict[str, Municipality]:
    """Every municipality by ISTAT code (read once per process)."""
    text = resources.files("services.scenario.data").joinpath("municipalities.csv").read_text(
        encoding="utf-8"
    )
    result = {}
    for row in csv.DictReader(io.StringIO(text)):
        result[row["istat_code"]] = Municipality(
            code=row["istat_code"],
            name=row["name"],
            province_code=row["province_code"],
            province_abbr=row["province_abbr"],
            province=row["province"],
            region=row["region"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            population=int(row["population"]) if row["population"] else _UNKNOWN_POPULATION,
        )
    return result


@cache
def provinces() -> dict[str, Province]:
    """Every province by its three-digit ISTAT code."""
    grouped: dict[str, list[Municipality]] = {}
    for m in municipalities().values():
        grouped.setdefault(m.province_code, []).append(m)
    result = {}
    for code in sorted(grouped):
        members = tuple(sorted(grouped[code], key=lambda m: m.code))
        first = members[0]
        result[code] = Province(code, first.province_abbr, first.province, first.region, members)
    return result


def distance_km(a: Municipality, b: Municipality) -> float:
    # Equirectangular: within 0.1% of the great circle at the tens of km that
    # matter here, and several times cheaper (it runs millions of times at 100k).
    x = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    y = math.radians(b.lat - a.lat)
    return 6371.0 * math.hypot(x, y)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))



class Plane:
    """Municipalities on a flat map tangent at one latitude, in km.

    Over a province and its neighbours (100 km or so) Pythagoras on this map
    is within 1% of the great circle, and cheap enough for the millions of
    distances a 100,000-line scenario needs.
    """

    def __init__(self, latitude: float) -> None:
        self._ky = 6371.0 * math.pi / 180
        self._kx = self._ky * math.cos(math.radians(latitude))

    def xy(self, m: Municipality) -> tuple[float, float]:
        return (m.lon * self._kx, m.lat * self._ky)

    def points(self, places: tuple[Municipality, ...] | list[Municipality]) -> list[tuple]:
        """(x, y, municipality) for each place: project once, measure many times."""
        kx, ky = self._kx, self._ky
        return [(m.lon * kx, m.lat * ky, m) for m in places]

    def distances(self, centre: Municipality, points: list[tuple]) -> list[tuple[float, str]]:
        """(km, ISTAT code) from ``centre`` to each of ``points``, nearest first."""
        cx, cy = self.xy(centre)
        hypot = math.hypot
        return sorted((hypot(x - cx, y - cy), m.code) for x, y, m in points)
