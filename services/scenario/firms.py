"""Firms: the Modena network's 50 firms, and firms of the provinces added to scale.

The Modena base follows the network's survey: 50 firms of 13 sectors, about
2,500 employees, the manufacturing districts where they really are (ceramics
around Sassuolo, knitwear in Carpi, biomedical around Mirandola). Names are
made up. ``FirmProfile.ateco_sector`` is the ATECO section letter; the
survey's finer sectors (mechanics, ceramics, food, textiles are all section C)
are kept as the ATECO division on the firm's site record.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

from schemas.demand import FirmProfile
from services.scenario.draw import pick
from services.scenario.model import FirmSite, money
from services.scenario.municipalities import Municipality, Province


@dataclass(frozen=True)
class Sector:
    section: str  # ATECO 2007 section letter
    division: str  # ATECO division, two digits
    word: str  # what goes in a made-up firm name
    employees: tuple[int, int]  # size range of its firms
    seats: tuple[str, ...] = ()  # ISTAT codes where the Modena base puts them


# (sector, how many firms of the Modena base)
MODENA_SECTORS: tuple[tuple[Sector, int], ...] = (
    (Sector("C", "23", "Ceramiche", (40, 180), ("036040", "036013", "036019", "036015")), 4),
    (Sector("C", "28", "Meccanica", (20, 150), ("036023", "036006", "036003", "036027")), 5),
    (Sector("C", "10", "Alimentari", (15, 110), ("036007", "036046", "036045", "036008")), 4),
    (Sector("C", "14", "Maglieria", (15, 80), ("036005", "036028", "036044")), 3),
    (Sector("C", "32", "Biomedicale", (30, 160), ("036022", "036021", "036037")), 3),
    (Sector("H", "49", "Trasporti", (20, 120), ("036023", "036003", "036005", "036006")), 4),
    (Sector("G", "47", "Commercio", (12, 70), ("036023", "036005", "036040", "036046")), 5),
    (Sector("F", "41", "Costruzioni", (12, 60), ("036023", "036030", "036022")), 3),
    (Sector("I", "56", "Ristorazione", (12, 50), ("036023", "036043", "036019")), 3),
    (Sector("J", "62", "Software", (15, 60), ("036023",)), 2),
    (Sector("K", "64", "Credito", (25, 90), ("036023", "036005")), 2),
    (Sector("M", "69", "Studio Associato", (12, 40), ("036023", "036040", "036005")), 3),
    (Sector("N", "81", "Servizi Integrati", (25, 120), ("036023", "036015")), 3),
    (Sector("Q", "86", "Poliambulatorio", (20, 80), ("036023", "036046")), 2),
    (Sector("A", "01", "Agricola", (12, 30), ("036008", "036002")), 2),
    (Sector("E", "38", "Ambiente", (30, 100), ("036023",)), 1),
    (Sector("D", "35", "Energia", (20, 60), ("036023",)), 1),
)
MODENA_EMPLOYEES = 2500

# Sector mix of the firms of an added province (weights), seats drawn by population.
GENERIC_SECTORS: tuple[tuple[Sector, float], ...] = tuple(
    (sector, weight)
    for (sector, _), weight in zip(
        MODENA_SECTORS,
        (5, 9, 8, 5, 3, 8, 12, 8, 7, 4, 3, 6, 7, 5, 3, 1, 1),
    )
)

_GENERIC = tuple(sector for sector, _ in GENERIC_SECTORS)
_GENERIC_CUM = tuple(itertools.accumulate(weight for _, weight in GENERIC_SECTORS))

_SURNAMES = (
    "Barbieri", "Bellei", "Bergonzini", "Bonacini", "Borghi", "Casari", "Corradini", "Ferrari",
    "Gibertini", "Guidetti", "Lugli", "Malagoli", "Manzini", "Messori", "Montanari", "Morselli",
    "Pellacani", "Rinaldi", "Rossi", "Sala", "Tagliazucchi", "Vandelli", "Venturelli", "Zanni",
)
_FORMS = ("S.r.l.", "S.p.A.", "S.n.c.", "S.r.l.", "Soc. Coop.")


def modena_firms(rng: random.Random, province: Province) -> list[FirmSite]:
    """The 50 firms of the Modena base, about 2,500 employees in all."""
    by_code = {m.code: m for m in province.municipalities}
    drafts = []
    for sector, count in MODENA_SECTORS:
        for i in range(count):
            seat = by_code[sector.seats[i % len(sector.seats)]]
            drafts.append((sector, seat, _log_uniform(rng, *sector.employees)))
    # Scale the drawn sizes so the network has the survey's 2,500 employees.
    factor = MODENA_EMPLOYEES / sum(size for _, _, size in drafts)
    sites: list[FirmSite] = []
    for i, (sector, seat, size) in enumerate(drafts, start=1):
        employees = max(12, round(size * factor))
        site = _firm(rng, f"{province.abbr}-F{i:04d}", sector, seat, employees)
        while site.firm.name in {s.firm.name for s in sites}:
            site = _firm(rng, site.firm.firm_id, sector, seat, employees)  # names differ here
        sites.append(site)
    return sites


def added_firm(
    rng: random.Random, firm_id: str, seats: tuple[Municipality, ...], cum_weights: list[int]
) -> FirmSite:
    """One firm of an added province, its seat drawn by population."""
    sector = pick(rng, _GENERIC, _GENERIC_CUM)
    seat = pick(rng, seats, cum_weights)
    return _firm(rng, firm_id, sector, seat, _log_uniform(rng, *sector.employees))


def _firm(
    rng: random.Random, firm_id: str, sector: Sector, seat: Municipality, employees: int
) -> FirmSite:
    name = f"{rng.choice(_SURNAMES)} {sector.word} {rng.choice(_FORMS)}"
    # A season's welfare budget of 150-450 EUR per employee: small firms fund
    # part of their employees' needs, so budgets bind for some of them.
    budget_cents = employees * rng.randrange(15000, 45001, 500)
    return FirmSite(
        firm=FirmProfile(
            firm_id=firm_id,
            name=name,
            ateco_sector=sector.section,
            employees=employees,
            welfare_budget_eur=money(budget_cents),
        ),
        municipality=seat.code,
        ateco_division=sector.division,
    )


def _log_uniform(rng: random.Random, low: int, high: int) -> int:
    # Small firms outnumber large ones: sizes spread evenly on a log scale.
    return round(math.exp(rng.uniform(math.log(low), math.log(high))))
