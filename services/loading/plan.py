"""What a load changes: the sheets compared with what intake and supply hold, then applied.

Reads and writes go through the services' HTTP APIs with the operator's token
(never their databases): ``GET`` a firm, a provider, a firm's lines, a
provider's offers; ``PUT`` what differs. A PUT is idempotent in the services
(an unchanged entity writes no event), so the comparison here is what makes
``--dry-run`` tell the truth, not what keeps a second run harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from pydantic import BaseModel

from schemas.capacity import CapacityOffer, ProviderProfile
from schemas.demand import DemandLine, FirmProfile
from services.common.i18n import DEFAULT_LANGUAGE, N_
from services.common.spreadsheets.problems import CellError, Problem
from services.loading.kinds import ORDER, Item
from services.loading.sheets import Sheet

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


class ServiceError(Exception):
    """A service refused a call or could not be reached (its words, in the language asked)."""


@dataclass(frozen=True)
class Change:
    item: Item
    action: str
    owner_name: str | None  # the firm's or provider's name, shown next to its id


@dataclass(frozen=True)
class Located:
    """A cell error and the sheet it is in."""

    sheet: Sheet
    error: CellError


@dataclass
class Plan:
    network: str
    changes: list[Change] = field(default_factory=list)
    errors: list[Located] = field(default_factory=list)

    def of(self, kind: str, action: str | None = None) -> list[Change]:
        return [c for c in self.changes
                if c.item.kind == kind and (action is None or c.action == action)]

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action != UNCHANGED]


class Services:
    """Intake and supply as the operator reaches them, asked in ``language``: what they
    refuse (an id held by another firm, a network that differs) is said in it."""

    def __init__(self, intake_url: str, supply_url: str, token: str,
                 transport: httpx.BaseTransport | None = None,
                 language: str = DEFAULT_LANGUAGE) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": language}
        self.intake = httpx.Client(base_url=intake_url, headers=headers, timeout=60,
                                   transport=transport)
        self.supply = httpx.Client(base_url=supply_url, headers=headers, timeout=60,
                                   transport=transport)

    def close(self) -> None:
        self.intake.close()
        self.supply.close()

    def get(self, client: httpx.Client, path: str) -> dict | list | None:
        """The body, or None when the service does not hold it (404)."""
        response = self._call(client, "GET", path)
        return None if response.status_code == 404 else response.json()

    def put(self, client: httpx.Client, path: str, body: dict) -> dict:
        return self._call(client, "PUT", path, json=body).json()

    @staticmethod
    def _call(client: httpx.Client, method: str, path: str, **kw) -> httpx.Response:
        try:
            response = client.request(method, path, **kw)
        except httpx.TransportError as exc:
            raise ServiceError(f"{client.base_url}: {exc}") from None
        if response.status_code >= 400 and not (method == "GET" and response.status_code == 404):
            try:
                said = response.json().get("error") or response.json().get("detail")
            except ValueError:
                said = response.text[:300]
            raise ServiceError(f"{method} {client.base_url}{path}: {response.status_code} {said}")
        return response


def make_plan(network: str, items: list[Item], services: Services) -> Plan:
    """Each item as to create, to update or unchanged; a line or offer whose owner is
    neither in the sheets nor enrolled, or an owner of another network, is an error."""
    plan = Plan(network)
    by_kind = {kind: [i for i in items if i.kind == kind] for kind in ORDER}
    names: dict[tuple[str, str], str] = {}
    known: dict[tuple[str, str], bool] = {}  # (firms|providers, id) -> in the sheet or enrolled

    def located(item: Item, key: str, problem: Problem) -> Located:
        return Located(item.source, item.binding.error(item.row, key, problem))

    for kind, client, path, model, wrapper in (
            ("firms", services.intake, "/v1/firms/{}", FirmProfile, "firm"),
            ("providers", services.supply, "/v1/providers/{}", ProviderProfile, "provider")):
        for item in by_kind[kind]:
            held = services.get(client, path.format(item.entity_id))
            names[(kind, item.entity_id)] = item.entity.name
            known[(kind, item.entity_id)] = True
            if held is None:
                plan.changes.append(Change(item, CREATE, None))
            elif held["network_id"] != network:
                plan.errors.append(located(item, item.kind[:-1] + "_id", Problem(
                    N_("belongs to network {network}, not to the one being loaded"),
                    {"network": held["network_id"]})))
            else:
                same = model.model_validate(held[wrapper]) == item.entity
                plan.changes.append(Change(item, UNCHANGED if same else UPDATE, None))

    held_entities: dict[tuple[str, str], dict[str, BaseModel]] = {}
    for kind, owners, client, owner_path, list_path, model in (
            ("lines", "firms", services.intake, "/v1/firms/{}", "/v1/firms/{}/demand",
             DemandLine),
            ("offers", "providers", services.supply, "/v1/providers/{}",
             "/v1/providers/{}/offers", CapacityOffer)):
        for item in by_kind[kind]:
            owner = (owners, item.owner)
            if owner not in known:
                found = services.get(client, owner_path.format(item.owner))
                known[owner] = found is not None and found["network_id"] == network
                if found is not None:
                    names[owner] = found[owners[:-1]]["name"]
            if not known[owner]:
                column = "firm_id" if kind == "lines" else "provider_id"
                message = (N_("is neither in the firms' sheet nor enrolled in the network")
                           if kind == "lines" else
                           N_("is neither in the providers' sheet nor enrolled in the network"))
                plan.errors.append(located(item, column, Problem(message)))
                continue
            if owner not in held_entities:
                held_entities[owner] = _held(services, client, list_path.format(item.owner),
                                             kind, model)
            before = held_entities[owner].get(item.entity_id)
            action = CREATE if before is None else (
                UNCHANGED if before == item.entity else UPDATE)
            plan.changes.append(Change(item, action, names.get(owner)))
    return plan


def _held(services: Services, client: httpx.Client, path: str, kind: str,
          model: type[BaseModel]) -> dict[str, BaseModel]:
    found = services.get(client, path)
    if found is None:  # the owner is in the sheets, not enrolled yet: it holds nothing
        return {}
    if kind == "lines":  # the firm's own lines; those intake aggregated from answers aside
        return {p["line"]["line_id"]: model.model_validate(p["line"])
                for p in found["lines"] if p["source"] == "firm"}
    return {s["offer"]["offer_id"]: model.model_validate(s["offer"]) for s in found}


def apply(plan: Plan, services: Services,
          advance: Callable[[Change], None] = lambda change: None) -> dict:
    """PUT every change, owners first; ``advance`` after each. Returns counts by kind
    and action, as the services' receipts tell them."""
    done: dict[str, dict[str, int]] = {k: {CREATE: 0, UPDATE: 0, UNCHANGED: 0} for k in ORDER}
    for change in plan.changes:
        item = change.item
        if change.action == UNCHANGED:
            done[item.kind][UNCHANGED] += 1
            continue
        entity = item.entity.model_dump(mode="json")
        if item.kind == "firms":
            receipt = services.put(services.intake, f"/v1/firms/{item.entity_id}",
                                   {"network_id": plan.network, "firm": entity})
        elif item.kind == "providers":
            receipt = services.put(services.supply, f"/v1/providers/{item.entity_id}",
                                   {"network_id": plan.network, "provider": entity})
        elif item.kind == "lines":
            receipt = services.put(services.intake,
                                   f"/v1/firms/{item.owner}/demand/{item.entity_id}",
                                   {"line": entity})
        else:
            receipt = services.put(services.supply,
                                   f"/v1/providers/{item.owner}/offers/{item.entity_id}",
                                   {"offer": entity})
        done[item.kind][change.action if receipt.get("changed", True) else UNCHANGED] += 1
        advance(change)
    return done
