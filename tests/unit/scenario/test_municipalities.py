"""The shipped municipality data: real ISTAT codes, names and coordinates."""

from __future__ import annotations

import pytest

from services.scenario.municipalities import distance_km, haversine_km, municipalities, provinces


def test_modena_has_its_47_municipalities():
    modena = provinces()["036"]
    assert (modena.abbr, modena.name, modena.region) == ("MO", "Modena", "Emilia-Romagna")
    assert len(modena.municipalities) == 47
    assert [m.code for m in modena.municipalities] == [f"036{i:03d}" for i in range(1, 48)]


# Checked by hand against a second source (town centres from a public
# city-coordinates table): the CSV holds centroids of the municipal territory,
# within a few km of the town centre.
@pytest.mark.parametrize(
    ("code", "name", "lat", "lon"),
    [
        ("036023", "Modena", 44.6471, 10.9252),
        ("036005", "Carpi", 44.7836, 10.8781),
        ("036040", "Sassuolo", 44.5401, 10.7812),
        ("037006", "Bologna", 44.4949, 11.3426),
        ("034027", "Parma", 44.8015, 10.3279),
    ],
)
def test_known_rows(code, name, lat, lon):
    m = municipalities()[code]
    assert m.name == name
    assert haversine_km(m.lat, m.lon, lat, lon) < 5


def test_codes_are_well_formed_and_consistent():
    rows = municipalities()
    assert len(rows) > 7800  # all of Italy but six municipalities merged in 2024
    for code, m in rows.items():
        assert len(code) == 6 and code.isdigit()
        assert m.province_code == code[:3]
        assert 35.4 < m.lat < 47.1 and 6.6 < m.lon < 18.6  # inside Italy
        assert m.population > 0


def test_every_province_of_emilia_romagna_is_there():
    abbrs = {p.abbr for p in provinces().values() if p.region == "Emilia-Romagna"}
    assert abbrs == {"PC", "PR", "RE", "MO", "BO", "FE", "RA", "FC", "RN"}
    assert len(provinces()) == 107
    assert len({p.abbr for p in provinces().values()}) == 107


def test_local_distance_agrees_with_the_great_circle():
    modena, carpi = municipalities()["036023"], municipalities()["036005"]
    exact = haversine_km(modena.lat, modena.lon, carpi.lat, carpi.lon)
    assert distance_km(modena, carpi) == pytest.approx(exact, rel=1e-3)
    assert 15 < exact < 20
