"""The operator's HTTP API: start rounds, list them, read one in detail.

Only operators may call it. Starting a round answers 202 at once: the round
runs in the matcher; poll ``GET /v1/rounds/{round_id}`` for its progress.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from fastapi import APIRouter, Depends, HTTPException, Path, status
from sqlalchemy import Engine

from schemas.types import Identifier
from services.common.auth import Principal, Role, require_role
from services.common.outbox import Outbox
from services.common.refusals import NotFound
from services.operator.commands import StartRoundRequest, start_round


class RoundReader(Protocol):
    """Read access to the rounds the matcher stored."""

    def list_rounds(self, network: str | None, limit: int) -> list[Any]: ...

    def get_round(self, round_id: str) -> Any | None: ...

    def network_known(self, network: str) -> bool: ...


def operator_router(
    *,
    authenticate: Callable[..., Principal],
    engine: Engine,
    outbox: Outbox,
    rounds: RoundReader,
    on_queued: Callable[[], None],
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["rounds"])

    def operator(principal: Principal = Depends(authenticate)) -> Principal:
        require_role(principal, Role.OPERATOR)
        return principal

    @router.post("/networks/{network_id}/rounds", status_code=status.HTTP_202_ACCEPTED)
    async def start(
        request: StartRoundRequest,
        network_id: Identifier = Path(),
        principal: Principal = Depends(operator),
    ) -> dict[str, Any]:
        if not await asyncio.to_thread(rounds.network_known, network_id):
            raise NotFound(f"network {network_id!r} is unknown to the matcher: no firm, "
                           "provider or offer of it has reached its book (check the "
                           "network's name; enrol firms and providers first)")
        command = start_round(network_id, request, requested_by=principal.subject)

        def record() -> None:
            with engine.begin() as connection:
                outbox.add(connection, command)

        await asyncio.to_thread(record)
        on_queued()
        return {
            "round_id": command.round_id,
            "status": "requested",
            "network_id": network_id,
            "first_week": command.first_week,
            "last_week": command.last_week,
            "dry_run": command.dry_run,
        }

    @router.get("/rounds")
    async def list_rounds(
        network: Identifier | None = None, limit: int = 50,
        _principal: Principal = Depends(operator),
    ) -> list[Any]:
        return await asyncio.to_thread(rounds.list_rounds, network, min(max(limit, 1), 500))

    @router.get("/rounds/{round_id}")
    async def show_round(round_id: Identifier, _principal: Principal = Depends(operator)) -> Any:
        found = await asyncio.to_thread(rounds.get_round, round_id)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no round {round_id!r}")
        return found

    return router
