"""Writing a scenario's files, and the one-paragraph summary.

Files (all UTF-8; JSON lists hold one item per line, so diffs stay readable
and the same seed gives the same bytes):

- ``network.json``: network id, seed, weeks, provinces, ``firms`` (FirmProfile),
  ``providers`` (ProviderProfile), ``firm_sites`` and ``provider_sites`` (the
  ISTAT code of each seat, and each firm's ATECO division: facts the contracts
  do not carry)
- ``demand_lines.json``: ``[{"firm_id", "line": DemandLine}]``
- ``offers.json``: ``[{"provider_id", "offer": CapacityOffer}]``
- ``offers.csv``: the offers as a provider would upload them, one row each:
  ``provider_id, offer_id, category``; ``municipalities`` (ISTAT codes) and
  ``weeks`` (ISO weeks), ``;``-separated; ``capacity_per_week``,
  ``min_group_per_week``; ``price_tiers`` as ``;``-separated
  ``min_volume:unit_price_eur`` pairs, lowest volume first (``0:150.00;250:142.50``
  means 150 EUR a unit-week, 142.50 for every unit-week once the contract
  reaches 250); ``fixed_cost_per_week_eur``; ``tags``, ``;``-separated
- ``survey.csv``: employee-level answers, columns in ``services.scenario.survey``
- ``snapshot.json``: the whole network as one RoundSnapshot over the weeks

Every object comes from a schema model (built, hence validated, by the
generator) dumped with ``model_dump(mode="json")``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

from schemas.snapshot import RoundSnapshot
from schemas.types import Category, ProviderKind
from services.scenario.catalogue import OFFERS
from services.scenario.model import Scenario
from services.scenario.municipalities import provinces

FILES = (
    "network.json",
    "demand_lines.json",
    "offers.json",
    "offers.csv",
    "survey.csv",
    "snapshot.json",
)
OFFER_COLUMNS = (
    "provider_id", "offer_id", "category", "municipalities", "weeks", "capacity_per_week",
    "min_group_per_week", "price_tiers", "fixed_cost_per_week_eur", "tags",
)
SURVEY_COLUMNS = (
    "pseudonym", "firm_id", "category", "municipality", "weeks", "units", "max_unit_price_eur",
    "single_parent", "dependent_relative", "required_tags",
)


def write_scenario(scenario: Scenario, out: Path) -> list[Path]:
    """Write every file into ``out`` (created if missing); return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    # Each line and offer is dumped and encoded once, without its owner's id,
    # then framed for its own file and for the snapshot, where the owner's id
    # comes last as in the snapshot model's field order. Identifiers need no
    # JSON escaping (their pattern allows letters, digits and ._:- only).
    # (pydantic's model_dump_json is model_dump(mode="json") encoded compactly.)
    lines = [(f, line.model_dump_json(exclude={"firm_id"})) for f, line in scenario.lines]
    offers = [(p, offer.model_dump_json(exclude={"provider_id"})) for p, offer in scenario.offers]
    texts = {
        "network.json": _document(network_document(scenario)),
        "demand_lines.json": _rows(
            f'{{"firm_id":"{f}","line":{text}}}' for f, text in lines
        ),
        "offers.json": _rows(
            f'{{"provider_id":"{p}","offer":{text}}}' for p, text in offers
        ),
        "offers.csv": offers_csv(scenario),
        "survey.csv": survey_csv(scenario),
        "snapshot.json": snapshot_json(scenario.snapshot(), lines, offers),
    }
    paths = []
    for name in FILES:
        path = out / name
        path.write_text(texts[name], encoding="utf-8", newline="\n")
        paths.append(path)
    return paths


def network_document(scenario: Scenario) -> dict:
    known = provinces()
    return {
        "format": "welfare.scenario-network",
        "format_version": 1,
        "network_id": scenario.network_id,
        "seed": scenario.seed,
        "first_week": scenario.first_week,
        "last_week": scenario.last_week,
        "provinces": [
            {"code": c, "abbr": known[c].abbr, "name": known[c].name, "region": known[c].region}
            for c in scenario.provinces
        ],
        "firms": [s.firm.model_dump(mode="json") for s in scenario.firms],
        "providers": [s.provider.model_dump(mode="json") for s in scenario.providers],
        "firm_sites": [
            {
                "firm_id": s.firm.firm_id,
                "municipality": s.municipality,
                "ateco_division": s.ateco_division,
            }
            for s in scenario.firms
        ],
        "provider_sites": [
            {"provider_id": s.provider.provider_id, "municipality": s.municipality}
            for s in scenario.providers
        ],
    }


def snapshot_json(
    snapshot: RoundSnapshot, lines: list[tuple[str, str]], offers: list[tuple[str, str]]
) -> str:
    """The snapshot's JSON, reusing the lines and offers already encoded."""
    document = snapshot.model_dump(mode="json", exclude={"demand_lines", "offers"})
    parts = []
    for name in RoundSnapshot.model_fields:  # the model's order, as model_dump has it
        if name == "demand_lines":
            text = _list_of(f'{t[:-1]},"firm_id":"{f}"}}' for f, t in lines)
        elif name == "offers":
            text = _list_of(f'{t[:-1]},"provider_id":"{p}"}}' for p, t in offers)
        elif isinstance(document[name], list):
            text = _list_of(_compact(item) for item in document[name])
        else:
            text = _compact(document[name])
        parts.append(f"  {json.dumps(name)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def offers_csv(scenario: Scenario) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(OFFER_COLUMNS)
    for provider_id, o in scenario.offers:
        tiers = ";".join(f"{t.min_volume}:{t.unit_price_eur:.2f}" for t in o.price_tiers)
        out.writerow(
            [
                provider_id, o.offer_id, o.category.value, ";".join(o.municipalities),
                ";".join(o.weeks), o.capacity_per_week, o.min_group_per_week, tiers,
                f"{o.fixed_cost_per_week_eur:.2f}", ";".join(o.tags),
            ]
        )
    return buffer.getvalue()


def survey_csv(scenario: Scenario) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(SURVEY_COLUMNS)
    for a in scenario.survey:
        out.writerow(
            [
                a.pseudonym, a.firm_id, a.category.value, a.municipality, ";".join(a.weeks),
                a.units, f"{a.max_unit_price_eur:.2f}", str(a.single_parent).lower(),
                str(a.dependent_relative).lower(), ";".join(a.required_tags),
            ]
        )
    return buffer.getvalue()


def summary(scenario: Scenario) -> str:
    """One paragraph: what the scenario holds."""
    employees = sum(s.firm.employees for s in scenario.firms)
    sectors = len({s.firm.ateco_sector for s in scenario.firms})
    kinds = Counter(s.provider.kind for s in scenario.providers)
    offers = Counter(o.category for _, o in scenario.offers)
    lines = Counter(line.category for _, line in scenario.lines)
    units = Counter()
    for _, line in scenario.lines:
        units[line.category] += line.units * len(line.weeks)
    abbrs = [provinces()[c].abbr for c in scenario.provinces]
    shown = ", ".join(abbrs[:12]) + (f" and {len(abbrs) - 12} more" if len(abbrs) > 12 else "")
    surveyed = len({a.firm_id for a in scenario.survey})
    return (
        f"Network {scenario.network_id} (seed {scenario.seed}, weeks {scenario.first_week}.."
        f"{scenario.last_week}): {len(abbrs)} province(s) ({shown}); "
        f"{len(scenario.firms):,} firms of {sectors} ATECO sectors with {employees:,} employees; "
        f"{len(scenario.providers):,} providers ({kinds[ProviderKind.COOPERATIVE]:,} social "
        f"cooperatives, {kinds[ProviderKind.ASSOCIATION]:,} associations, "
        f"{kinds[ProviderKind.PUBLIC_BODY]:,} public bodies) publishing {len(scenario.offers):,} "
        f"offers ({_by_category(offers)}); {len(scenario.lines):,} demand lines "
        f"({_by_category(lines)}) asking for "
        + ", ".join(f"{units[c]:,} {OFFERS[c].unit}" for c in Category if units[c])
        + f"; {len(scenario.survey):,} survey answers from {surveyed} firms."
    )


def _by_category(counts: Counter) -> str:
    return ", ".join(f"{c.value} {counts[c]:,}" for c in Category)


def _document(value: dict) -> str:
    """A JSON object with each item of its list values on its own line."""
    parts = []
    for key, item in value.items():
        text = _list_of(_compact(x) for x in item) if isinstance(item, list) else _compact(item)
        parts.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _rows(items) -> str:
    """A top-level JSON list, one item per line."""
    body = ",\n".join(f"  {item}" for item in items)
    return f"[\n{body}\n]\n" if body else "[]\n"


def _list_of(items) -> str:
    body = ",\n".join(f"    {item}" for item in items)
    return f"[\n{body}\n  ]" if body else "[]"


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
