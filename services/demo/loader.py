"""Feeding a generated network in through the HTTP APIs, as its members would.

The operator enrols every firm and provider; each firm then submits its
employees' survey (intake aggregates it k-anonymously) or, for firms that
aggregated their needs themselves, its demand lines; each provider uploads its
offers as a CSV file. Each request uses the caller's own token.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.common.auth import Role, issue


@dataclass
class Tokens:
    path: Path
    operator: str = ""
    firms: dict[str, str] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def issue_for(cls, path: Path, firms: list[str], providers: list[str]) -> Tokens:
        tokens = cls(path, operator=issue(path, Role.OPERATOR, "demo-operator"))
        tokens.firms = {f: issue(path, Role.FIRM, f) for f in firms}
        tokens.providers = {p: issue(path, Role.PROVIDER, p) for p in providers}
        return tokens


@dataclass
class Loaded:
    firms: int = 0
    providers: int = 0
    survey_firms: int = 0
    survey_answers: int = 0
    lines_submitted: int = 0
    offers: int = 0


def _rows_by(path: Path, column: str) -> tuple[list[str], dict[str, list[dict]]]:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows: dict[str, list[dict]] = defaultdict(list)
        for row in reader:
            rows[row[column]].append(row)
        return list(reader.fieldnames or []), rows


def _csv(header: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _ok(response: httpx.Response) -> dict | list:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: "
                           f"{response.status_code} {response.text[:500]}")
    return response.json()


async def request_again_on_reset(client: httpx.AsyncClient, method: str, path: str,
                                 tries: int = 3, **kw) -> httpx.Response:
    """The request, sent again when the service closed a kept-alive connection as it
    was reused (its idle timeout met the next request). Only for requests that may
    be repeated: every call of the loader is (a PUT or an upload of the same content
    again changes nothing)."""
    for attempt in range(1, tries + 1):
        try:
            return await client.request(method, path, **kw)
        except (httpx.RemoteProtocolError, httpx.ReadError):
            if attempt == tries:
                raise
    raise AssertionError("tries must be at least 1")


async def load_scenario(scenario: Path, intake_url: str, supply_url: str,
                        tokens: Tokens) -> Loaded:
    network = json.loads((scenario / "network.json").read_text())
    network_id = network["network_id"]
    lines = json.loads((scenario / "demand_lines.json").read_text())
    survey_header, survey = _rows_by(scenario / "survey.csv", "firm_id")
    offers_header, offers = _rows_by(scenario / "offers.csv", "provider_id")
    loaded = Loaded()
    limit = asyncio.Semaphore(8)

    async def call(client: httpx.AsyncClient, method: str, path: str, token: str, **kw):
        async with limit:
            return await _ok(await request_again_on_reset(client, method, path,
                                                          headers=_bearer(token), **kw))

    async with httpx.AsyncClient(base_url=intake_url, timeout=60) as intake, \
            httpx.AsyncClient(base_url=supply_url, timeout=60) as supply:
        await asyncio.gather(*(
            call(intake, "PUT", f"/v1/firms/{firm['firm_id']}", tokens.operator,
                 json={"network_id": network_id, "firm": firm})
            for firm in network["firms"]))
        await asyncio.gather(*(
            call(supply, "PUT", f"/v1/providers/{p['provider_id']}", tokens.operator,
                 json={"network_id": network_id, "provider": p})
            for p in network["providers"]))
        loaded.firms, loaded.providers = len(network["firms"]), len(network["providers"])

        # Firms that ran the survey send their employees' answers; the others
        # send the lines they aggregated themselves.
        await asyncio.gather(*(
            call(intake, "POST", f"/v1/firms/{firm_id}/survey.csv", tokens.firms[firm_id],
                 files={"file": ("survey.csv", _csv(survey_header, rows), "text/csv")})
            for firm_id, rows in survey.items()))
        loaded.survey_firms = len(survey)
        loaded.survey_answers = sum(len(rows) for rows in survey.values())
        own_lines = [entry for entry in lines if entry["firm_id"] not in survey]
        await asyncio.gather(*(
            call(intake, "PUT", f"/v1/firms/{e['firm_id']}/demand/{e['line']['line_id']}",
                 tokens.firms[e["firm_id"]], json={"line": e["line"]})
            for e in own_lines))
        loaded.lines_submitted = len(own_lines)

        await asyncio.gather(*(
            call(supply, "POST", f"/v1/providers/{provider_id}/offers.csv",
                 tokens.providers[provider_id],
                 files={"file": ("offers.csv", _csv(offers_header, rows), "text/csv")})
            for provider_id, rows in offers.items()))
        loaded.offers = sum(len(rows) for rows in offers.values())
    return loaded
