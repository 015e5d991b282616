"""Where the operator reads rounds: the matcher's own API, then its own outbox.

The operator never opens the matcher's database (DESIGN.md, "Services own
their data"): it asks the matcher's read API (services/matcher/read_api.py,
``WELFARE_MATCHER_URL``) with the calling operator's own token, so no new
secret is needed and the matcher checks the role itself.

A round exists in the matcher once it has taken the command. Until then the
operator still knows it asked for it, so a fresh round shows as ``requested``
instead of "not found".
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from sqlalchemy import Engine, select

from schemas.topics import ROUND_COMMANDS
from services.common.outbox import Outbox
from services.common.refusals import Refused

ROUND_COMMAND_TYPES = ("StartRound", "CommitRound")


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

    async def close(self) -> None:
        await self.http.aclose()

    async def _get(self, token: str, path: str, *, missing_ok: bool = False,
                   **kwargs: Any) -> Any:
        try:
            reply = await self.http.get(path, headers={"Authorization": f"Bearer {token}"},
                                        **kwargs)
        except httpx.TransportError as exc:
            raise MatcherUnavailable(
                f"the matcher's API at {self.http.base_url} does not answer ({exc}); "
                f"rounds cannot be read until it does") from None
        if reply.status_code == 404 and missing_ok:
            return None
        if reply.status_code >= 400:
            try:
                said = reply.json().get("error") or reply.text
            except ValueError:
                said = reply.text
            raise MatcherUnavailable(
                f"the matcher's API answered {reply.status_code} to {path}: {said}")
        return reply.json()

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
