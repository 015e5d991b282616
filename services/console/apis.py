"""The services' HTTP APIs, called with the logged-in person's bearer token.

The console holds no data of its own and opens no database: what a page shows
is what intake, supply and the operator service answer to that person's token,
so each service still enforces who may see what.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from services.common.i18n import DEFAULT_LANGUAGE


class ApiRefused(Exception):
    """A service answered 4xx or 5xx; ``status`` and its one-line ``detail``."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        # A refused spreadsheet's errors as the service lists them: row, column, header,
        # message and ``where`` ("riga 3, colonna B (unità)"), in the language asked for.
        self.errors = errors or []


class ServiceDown(Exception):
    """A service did not answer at all."""


@dataclass(frozen=True)
class ServiceUrls:
    intake: str
    supply: str
    operator: str


class Apis:
    """One person's view of the services: every call carries their token, and asks in
    their language (``Accept-Language``), so that a refusal's words shown on a page
    are in the page's language."""

    def __init__(self, client: httpx.AsyncClient, urls: ServiceUrls, token: str,
                 language: str = DEFAULT_LANGUAGE) -> None:
        self._client = client
        self._urls = urls
        self._headers = {"Authorization": f"Bearer {token}", "Accept-Language": language}

    async def _call(self, method: str, base: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._send(method, base + path, **kwargs)
        except httpx.TransportError as exc:
            raise ServiceDown(f"{base}: {exc!r}") from None
        if response.status_code >= 400:
            raise _refusal(response)
        return response.json() if response.content else None

    async def _send(self, method: str, url: str, *, language: str | None = None,
                    **kwargs: Any) -> httpx.Response:
        headers = dict(self._headers)
        if language:  # the language of the page that sends it, if it says
            headers["Accept-Language"] = language
        try:
            return await self._client.request(method, url, headers=headers, **kwargs)
        except httpx.RemoteProtocolError:
            # The server closed a kept-alive connection as it was reused: a read is
            # safe to send once more; a write is not (it may have been applied).
            if method != "GET":
                raise
            return await self._client.request(method, url, headers=headers, **kwargs)

    # --- files: uploads and downloads (helper "files") ----------------------------
    async def upload(self, service: str, path: str, upload: Upload, language: str) -> Any:
        """A spreadsheet to intake or supply, as the person chose it: all of it, or none."""
        base = getattr(self._urls, service)
        return await self._call("POST", base, path, language=language,
                                files={"file": (upload.filename, upload.content,
                                                upload.content_type)})

    async def download(self, service: str, path: str, language: str) -> Download:
        """A file of a service, streamed: checked for a refusal before the first byte."""
        base = getattr(self._urls, service)
        request = self._client.build_request(
            "GET", base + path, params={"lang": language} if service == "operator" else None,
            headers={**self._headers, "Accept-Language": language})
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TransportError as exc:
            raise ServiceDown(f"{base}: {exc!r}") from None
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            raise _refusal(response)
        return Download(response)

    # --- intake ------------------------------------------------------------------
    async def firm_ids(self) -> list[str]:
        return await self._call("GET", self._urls.intake, "/v1/firms")

    async def every_firms_demand(self) -> list[dict]:
        """Every firm's profile and published lines, in one request (operators)."""
        return await self._call("GET", self._urls.intake, "/v1/demand")

    async def every_providers_offers(self) -> list[dict]:
        """Every provider's profile and standing offers, in one request (operators)."""
        return await self._call("GET", self._urls.supply, "/v1/offers")

    async def firm(self, firm_id: str) -> dict:
        return await self._call("GET", self._urls.intake, f"/v1/firms/{firm_id}")

    async def firm_demand(self, firm_id: str) -> dict:
        return await self._call("GET", self._urls.intake, f"/v1/firms/{firm_id}/demand")

    async def put_line(self, firm_id: str, line: dict) -> dict:
        return await self._call("PUT", self._urls.intake,
                                f"/v1/firms/{firm_id}/demand/{line['line_id']}",
                                json={"line": line})

    async def withdraw_line(self, firm_id: str, line_id: str) -> dict:
        """The firm's own line no longer stands (intake publishes its withdrawal)."""
        return await self._call("DELETE", self._urls.intake,
                                f"/v1/firms/{_q(firm_id)}/demand/{_q(line_id)}")

    # --- supply ------------------------------------------------------------------
    async def put_offer(self, provider_id: str, offer: dict) -> dict:
        """Publish or replace one offer (helper "forms")."""
        return await self._call("PUT", self._urls.supply,
                                f"/v1/providers/{_q(provider_id)}/offers/"
                                f"{_q(offer['offer_id'])}",
                                json={"offer": offer})

    async def withdraw_offer(self, provider_id: str, offer_id: str) -> dict:
        return await self._call("DELETE", self._urls.supply,
                                f"/v1/providers/{_q(provider_id)}/offers/{_q(offer_id)}")

    async def provider_ids(self) -> list[str]:
        return await self._call("GET", self._urls.supply, "/v1/providers")

    async def provider(self, provider_id: str) -> dict:
        return await self._call("GET", self._urls.supply, f"/v1/providers/{provider_id}")

    async def offers(self, provider_id: str) -> list[dict]:
        return await self._call("GET", self._urls.supply, f"/v1/providers/{provider_id}/offers")

    async def answer_contract(self, provider_id: str, contract_id: str, body: dict) -> dict:
        """Accept or decline an award: supply publishes the answer a provider system would."""
        return await self._call("POST", self._urls.supply,
                                f"/v1/providers/{provider_id}/contracts/{contract_id}/answer",
                                json=body)

    # --- operator ----------------------------------------------------------------
    async def rounds(self, network: str | None = None) -> list[dict]:
        params = {"network": network} if network else {}
        return await self._call("GET", self._urls.operator, "/v1/rounds", params=params)

    async def round(self, round_id: str) -> dict:
        return await self._call("GET", self._urls.operator, f"/v1/rounds/{round_id}")

    async def firm_outcome(self, firm_id: str) -> dict:
        """The firm's lines in the latest committed round (its own token, or an operator's)."""
        return await self._call("GET", self._urls.operator, f"/v1/firms/{firm_id}/outcome")

    async def round_changes(self, round_id: str) -> dict:
        """What the round keeps, amends and withdraws of the contracts providers hold."""
        return await self._call("GET", self._urls.operator, f"/v1/rounds/{round_id}/changes")

    async def provider_awards(self, provider_id: str) -> list[dict]:
        """The provider's awards of every committed round, with their status."""
        return await self._call("GET", self._urls.operator,
                                f"/v1/providers/{provider_id}/awards")

    async def start_round(self, network: str, body: dict) -> dict:
        return await self._call("POST", self._urls.operator, f"/v1/networks/{network}/rounds",
                                json=body)

    async def commit_round(self, dry_run_id: str) -> dict:
        """Commit exactly this dry run's snapshot and result (the matcher refuses a stale one)."""
        return await self._call("POST", self._urls.operator, f"/v1/rounds/{dry_run_id}/commit")


async def gather_limited(calls: list, limit: int = 8) -> list:
    """Many calls at once, at most ``limit`` in flight: a network has tens of firms."""
    gate = asyncio.Semaphore(limit)

    async def one(call):
        async with gate:
            return await call

    return await asyncio.gather(*(one(c) for c in calls))


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    content_type: str


class Download:
    """A service's file as it arrives: its bytes, type and name passed on unchanged."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.headers = {name: response.headers[name]
                        for name in ("content-type", "content-disposition")
                        if name in response.headers}

    async def chunks(self):
        try:
            async for chunk in self._response.aiter_bytes():  # decoded, if it came gzipped
                yield chunk
        finally:
            await self._response.aclose()

    async def close(self) -> None:
        await self._response.aclose()


def _q(part: str) -> str:
    """One path segment, whatever it holds (an id read from the console's own URL)."""
    return quote(part, safe="")


def _refusal(response: httpx.Response) -> ApiRefused:
    errors = []
    try:
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("errors"), list):
            errors = [e for e in body["errors"] if isinstance(e, dict)]
    except ValueError:
        pass
    return ApiRefused(response.status_code, _detail(response), errors)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        if body.get("errors"):
            return "; ".join(f"{e.get('field')}: {e.get('message')}" for e in body["errors"])
        return str(body.get("detail") or body.get("error") or body)
    return str(body)
