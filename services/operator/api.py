"""The operator's HTTP API: start rounds, commit a reviewed dry run, list them, read one.

Only operators may call it, but a firm may read its own outcome of the latest
committed round (``GET /v1/firms/{firm_id}/outcome``). Starting or committing a
round answers 202 at once: the round runs in the matcher; poll
``GET /v1/rounds/{round_id}`` for its progress. Rounds are read through the
matcher's API with the caller's own token (services/operator/adapters/rounds.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from fastapi import APIRouter, Depends, Path, Request, Response, status
from pydantic import BaseModel
from sqlalchemy import Engine

from schemas.types import Identifier
from services.common.auth import Principal, Role, require_role, require_subject
from services.common.http import REFUSALS
from services.common.i18n import N_
from services.common.outbox import Outbox
from services.common.refusals import Conflict, NotFound, Word
from services.operator.api_models import (
    CommitAccepted,
    FirmOutcome,
    NetworkBook,
    ProviderAward,
    RoundChanges,
    RoundDetail,
    RoundListed,
    RoundStarted,
)
from services.operator.service_layer.commands import StartRoundRequest, commit_round, start_round
from services.operator.adapters.rounds import RelayedJson

# What the matcher relays is passed on as it wrote it: no field it left out becomes null.
RELAYED = {"response_model_exclude_unset": True}


class RoundReader(Protocol):
    """Read access to the rounds the matcher stored, as the calling operator."""

    async def list_rounds(self, token: str, network: str | None, limit: int) -> list[Any]: ...

    async def get_round(self, token: str, round_id: str) -> Any | None: ...

    async def round_as_sent(self, token: str, round_id: str) -> Any | None:
        """``get_round``, or the matcher's own bytes of it (``RelayedJson``)."""

    async def network_known(self, token: str, network: str) -> bool: ...

    async def firm_outcome(self, token: str, firm_id: str) -> Any | None: ...

    async def provider_awards(self, token: str, provider_id: str) -> Any: ...

    async def round_changes(self, token: str, round_id: str) -> Any | None: ...

    async def network_book(self, token: str, network: str) -> Any: ...

    async def round_of_firm(self, token: str, round_id: str, firm_id: str) -> Any | None:
        """The firm's slice of a committed round; None: no committed round has it."""

    async def round_of_provider(self, token: str, round_id: str, provider_id: str
                                ) -> Any | None:
        """The provider's slice of a committed round; None: none has its contract."""


def bearer_token(request: Request) -> str:
    """The caller's token as it sent it (authentication has already checked it)."""
    _, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip()


def operator_router(
    *,
    authenticate: Callable[..., Principal],
    engine: Engine,
    outbox: Outbox,
    rounds: RoundReader,
    on_queued: Callable[[], None],
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["rounds"], responses=REFUSALS)

    def operator(principal: Principal = Depends(authenticate)) -> Principal:
        require_role(principal, Role.OPERATOR)
        return principal

    async def queue(command: BaseModel) -> None:
        def record() -> None:
            with engine.begin() as connection:
                outbox.add(connection, command)

        await asyncio.to_thread(record)
        on_queued()

    @router.post("/networks/{network_id}/rounds", status_code=status.HTTP_202_ACCEPTED)
    async def start(
        request: StartRoundRequest,
        network_id: Identifier = Path(),
        principal: Principal = Depends(operator),
        token: str = Depends(bearer_token),
    ) -> RoundStarted:
        if not await rounds.network_known(token, network_id):
            raise NotFound(N_("network '{network_id}' is unknown to the matcher: no firm, "
                              "provider or offer of it has reached its book (check the "
                              "network's name; enrol firms and providers first)"),
                           network_id=network_id)
        command = start_round(network_id, request, requested_by=principal.subject)
        await queue(command)
        return RoundStarted(**{
            "round_id": command.round_id,
            "status": "requested",
            "network_id": network_id,
            "first_week": command.first_week,
            "last_week": command.last_week,
            "dry_run": command.dry_run,
        })

    @router.post("/rounds/{dry_run_id}/commit", status_code=status.HTTP_202_ACCEPTED)
    async def commit(
        dry_run_id: Identifier,
        principal: Principal = Depends(operator),
        token: str = Depends(bearer_token),
    ) -> CommitAccepted:
        """Commit exactly the reviewed dry run: its snapshot and result, no new solve.
        The matcher refuses it (the new round fails, with the reason) if the book
        changed since the dry run."""
        found = await rounds.get_round(token, dry_run_id)
        if found is None:
            raise NotFound(N_("no round '{round_id}'"), round_id=dry_run_id)
        if not found.get("dry_run"):
            raise Conflict(N_("round {round_id} is not a dry run: a committed round has "
                              "nothing more to commit"), round_id=dry_run_id)
        if found.get("status") != "completed":
            raise Conflict(N_("dry run {round_id} is {status}, not completed: only a "
                              "completed dry run, as it was reviewed, can be committed"),
                           round_id=dry_run_id, status=Word(found.get("status")))
        command = commit_round(found["network_id"], dry_run_id,
                               requested_by=principal.subject)
        await queue(command)
        return CommitAccepted(round_id=command.round_id, network_id=command.network_id,
                              commits_round_id=dry_run_id, dry_run=False)

    @router.get("/rounds", **RELAYED)
    async def list_rounds(
        network: Identifier | None = None, limit: int = 50,
        _principal: Principal = Depends(operator),
        token: str = Depends(bearer_token),
    ) -> list[RoundListed]:
        return await rounds.list_rounds(token, network, min(max(limit, 1), 500))

    @router.get("/rounds/{round_id}", **RELAYED)
    async def show_round(round_id: Identifier, _principal: Principal = Depends(operator),
                         token: str = Depends(bearer_token)) -> RoundDetail:
        found = await rounds.round_as_sent(token, round_id)
        if found is None:
            raise NotFound(N_("no round '{round_id}'"), round_id=round_id)
        if isinstance(found, RelayedJson):
            return Response(found.body, media_type="application/json")
        return found

    @router.get("/firms/{firm_id}/outcome", **RELAYED)
    async def firm_outcome(firm_id: Identifier, principal: Principal = Depends(authenticate),
                           token: str = Depends(bearer_token)) -> FirmOutcome:
        """The firm's lines in its network's latest committed round: for each, who serves
        it, in which weeks, at what price, or why it is not served and the smallest change
        that would serve it; and its spend against its budget. Its own firm or operators."""
        require_role(principal, Role.FIRM, Role.OPERATOR)
        require_subject(principal, Role.FIRM, firm_id)
        found = await rounds.firm_outcome(token, firm_id)
        if found is None:
            raise NotFound(N_("no committed round has firm '{firm_id}' yet: its outcome is "
                              "known once the network's operator commits a round with it"),
                           firm_id=firm_id)
        return found

    @router.get("/rounds/{round_id}/changes", **RELAYED)
    async def round_changes(round_id: Identifier, _principal: Principal = Depends(operator),
                            token: str = Depends(bearer_token)) -> RoundChanges:
        """What the round keeps (accepted contracts unchanged), amends and withdraws of
        the contracts providers hold from the committed round before it."""
        found = await rounds.round_changes(token, round_id)
        if found is None:
            raise NotFound(N_("the matcher has no round '{round_id}' yet"), round_id=round_id)
        return found

    @router.get("/providers/{provider_id}/awards", **RELAYED)
    async def provider_awards(provider_id: Identifier,
                              principal: Principal = Depends(authenticate),
                              token: str = Depends(bearer_token)) -> list[ProviderAward]:
        """The provider's awards of every committed round, newest first: each firm line's
        municipality, category, tags, weeks, units and price, and the award's status
        (awaiting an answer, amended, accepted, declined, superseded, withdrawn).
        Its own provider or operators."""
        require_role(principal, Role.PROVIDER, Role.OPERATOR)
        require_subject(principal, Role.PROVIDER, provider_id)
        return await rounds.provider_awards(token, provider_id)

    # --- how fresh the book is (helper "overview") ---------------------------------------
    @router.get("/networks/{network_id}/book", **RELAYED)
    async def network_book(network_id: Identifier, _principal: Principal = Depends(operator),
                           token: str = Depends(bearer_token)) -> NetworkBook:
        """What the matcher's book holds of the network (standing firms, providers, demand
        lines, offers), when it last changed, and how many events sent to the matcher it
        has yet to apply (of every network; null until measured) and when that was
        measured. Operators only."""
        return await rounds.network_book(token, network_id)

    return router
