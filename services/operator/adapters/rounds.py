"""Where the operator reads rounds: the matcher's own API, then its own outbox.

The operator never opens the matcher's database (DESIGN.md, "Services own
their data"): it asks the matcher's read API (services/matcher/read_api.py,
``WELFARE_MATCHER_URL``) with the calling operator's own token, so no new
secret is needed and the matcher checks the role itself.

A round exists in the matcher once it has taken the command. Until then the
operator still knows it asked for it, so a fresh round shows as ``requested``
instead of "not found".

Each read asks the matcher in the caller's own language (its ``Accept-Language``,
kept by ``ForwardLanguage`` while its request is served), so that a refusal of
the matcher's quoted inside the operator's own answer is in the same language.
"""

from __future__ import annotations

import asyncio
import json
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import Engine, select

from schemas.topics import ROUND_COMMANDS
from services.common.i18n import N_
from services.common.outbox import Outbox
from services.common.refusals import Refused

ROUND_COMMAND_TYPES = ("StartRound", "CommitRound")

# The Accept-Language of the request being served (None: it sent none, or no request).
CALLER_LANGUAGE: ContextVar[str | None] = ContextVar("caller_language", default=None)


class ForwardLanguage:
    """ASGI middleware: keeps the caller's ``Accept-Language`` while its request is
    served, for ``MatcherRounds`` to ask the matcher in it.

    A context variable rather than a parameter of every read: the routes already
    pass the caller's token to each one, and the language is the request's too."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        said = dict(scope.get("headers") or []).get(b"accept-language")
        kept = CALLER_LANGUAGE.set(said.decode("latin-1") if said else None)
        try:
            return await self.app(scope, receive, send)
        finally:
            CALLER_LANGUAGE.reset(kept)


@dataclass(frozen=True)
class RelayedJson:
    """A matcher's answer passed on byte for byte (it is the same view the operator
    documents: ``api_models`` names its fields and allows the rest)."""

    body: bytes


class MatcherUnavailable(Refused):
    """The matcher's API did not answer, or answered with an error of its own."""

    status = 503


class MatcherRounds:
    def __init__(self, matcher_url: str, engine: Engine, outbox: Outbox,
                 timeout_s: float = 30.0, transport: httpx.AsyncBaseTransport | None = None
                 ) -> None:
        # keepalive_expiry under uvicorn's 5 s keep-alive: never reuse a connection
        # the matcher is closing.
        self.http = httpx.AsyncClient(base_url=matcher_url, timeout=timeout_s,
                                      transport=transport,
                                      limits=httpx.Limits(keepalive_expiry=2))
        self.engine = engine
        self.outbox = outbox

    async def list_rounds(self, token: str, network: str | None, limit: int) -> list[Any]:
        params: dict[str, Any] = {"limit": limit}
        if network is not None:
            params["network"] = network
        return await self._get(token, "/v1/rounds", params=params)

    async def get_round(self, token: str, round_id: str) -> Any | None:
        found = await self._get(token, f"/v1/rounds/{round_id}", missing_ok=True)
        if found is not None:
            return found
        return await asyncio.to_thread(self.requested, round_id)

    async def round_as_sent(self, token: str, round_id: str) -> Any | None:
        """``get_round``, the matcher's answer passed on byte for byte (``RelayedJson``):
        at 1k lines the detail is ~750 KiB of JSON, which parsing, validating and
        writing again took longer than the matcher took to read it."""
        found = await self._get(token, f"/v1/rounds/{round_id}", missing_ok=True, raw=True)
        if found is not None:
            return found
        return await asyncio.to_thread(self.requested, round_id)

    async def network_known(self, token: str, network: str) -> bool:
        return bool((await self._get(token, f"/v1/networks/{network}/known"))["known"])

    async def firm_outcome(self, token: str, firm_id: str) -> Any | None:
        """The firm's lines in the latest committed round; None: no such round has it yet."""
        return await self._get(token, f"/v1/firms/{firm_id}/outcome", missing_ok=True)

    async def provider_awards(self, token: str, provider_id: str) -> Any:
        """The provider's awards of every committed round (its own token, or an operator's)."""
        return await self._get(token, f"/v1/providers/{provider_id}/awards")

    async def round_changes(self, token: str, round_id: str) -> Any | None:
        """What the round keeps, amends and withdraws; None: the matcher has not got it."""
        return await self._get(token, f"/v1/rounds/{round_id}/changes", missing_ok=True)

    async def round_of_firm(self, token: str, round_id: str, firm_id: str) -> Any | None:
        """The firm's slice of a committed round; None: no committed round has it."""
        return await self._get(token, f"/v1/rounds/{round_id}/firms/{firm_id}",
                               missing_ok=True)

    async def round_of_provider(self, token: str, round_id: str, provider_id: str
                                ) -> Any | None:
        """The provider's slice of a committed round; None: none has its contract."""
        return await self._get(token, f"/v1/rounds/{round_id}/providers/{provider_id}",
                               missing_ok=True)

    async def network_book(self, token: str, network: str) -> Any:
        """What the matcher's book holds of the network and how many events it has yet
        to apply (helper "overview")."""
        return await self._get(token, f"/v1/networks/{network}/book")

    async def close(self) -> None:
        await self.http.aclose()

    async def _get(self, token: str, path: str, *, missing_ok: bool = False,
                   raw: bool = False, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"}
        language = CALLER_LANGUAGE.get()
        if language:
            headers["Accept-Language"] = language
        try:
            reply = await self.http.get(path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise MatcherUnavailable(
                N_("the matcher's API at {url} does not answer ({error}); rounds cannot be "
                   "read until it does"), url=str(self.http.base_url), error=str(exc)) from None
        if reply.status_code == 404 and missing_ok:
            return None
        if reply.status_code >= 400:
            try:
                said = reply.json().get("error") or reply.text
            except ValueError:
                said = reply.text
            raise MatcherUnavailable(N_("the matcher's API answered {status} to {path}: "
                                        "{said}"), status=str(reply.status_code), path=path,
                                     said=said)
        return RelayedJson(reply.content) if raw else reply.json()

    def requested(self, round_id: str) -> dict[str, Any] | None:
        """A round the operator asked for that the matcher has not recorded yet."""
        t = self.outbox.table
        query = select(t.c.value, t.c.published_at).where(
            t.c.topic == ROUND_COMMANDS, t.c.event_type.in_(ROUND_COMMAND_TYPES)
        ).order_by(t.c.id.desc()).limit(1000)
        with self.engine.connect() as connection:
            for value, published_at in connection.execute(query):
                command = json.loads(value)
                if command["round_id"] == round_id:
                    shown = {
                        "round_id": round_id,
                        "network_id": command["network_id"],
                        "status": "requested",
                        "dry_run": command.get("dry_run", False),
                        "command_sent": published_at is not None,
                    }
                    if "dry_run_id" in command:
                        shown["commits_round_id"] = command["dry_run_id"]
                    return shown
        return None
