"""The matcher's read API: the rounds it stored and whether its book knows a network.

Served by the matcher's own process beside /health, /ready and /metrics, so
that the operator service reads rounds through it and never opens the
matcher's database (DESIGN.md, "Services own their data"). Operators only,
but for a firm's own outcome of the latest committed round, which its firm's
token may read too, and a provider's own awards, which its provider's token may.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Engine

from schemas.types import Identifier
from services.common.auth import Principal, Role, require_role, require_subject
from services.common.http import REFUSALS
from services.common.i18n import N_
from services.common.refusals import NotFound
from services.matcher.adapters import queries
from services.matcher.adapters.firm_outcome import FirmOutcomeView, firm_outcome
from services.matcher.adapters.freshness import BookView, MeasuredLag
from services.matcher.adapters.provider_awards import (
    ProviderAward,
    RoundChanges,
    provider_awards,
    round_changes,
)
from services.matcher.adapters.round_slices import firm_slice, provider_slice
from services.matcher.views import RoundDetail, RoundView

MAX_LIMIT = 500


def read_router(*, authenticate: Callable[..., Principal], engine: Engine,
                book_lag: Callable[[], MeasuredLag | None] = lambda: None) -> APIRouter:
    """``book_lag``: the last measured count of book events not yet applied (None: not
    measured yet), for ``GET /v1/networks/{network_id}/book``."""
    router = APIRouter(prefix="/v1", tags=["rounds"], responses=REFUSALS)

    def operator(principal: Principal = Depends(authenticate)) -> Principal:
        require_role(principal, Role.OPERATOR)
        return principal

    @router.get("/rounds")
    async def list_rounds(
        network: Identifier | None = None,
        limit: int = Query(default=50, ge=1, le=MAX_LIMIT),
        _principal: Principal = Depends(operator),
    ) -> list[RoundView]:
        return await asyncio.to_thread(queries.list_rounds, engine, network, limit)

    @router.get("/rounds/{round_id}")
    async def show_round(round_id: Identifier,
                         _principal: Principal = Depends(operator)) -> RoundDetail:
        found = await asyncio.to_thread(queries.get_round, engine, round_id)
        if found is None:
            raise NotFound(N_("the matcher has no round '{round_id}'"), round_id=round_id)
        return found

    @router.get("/rounds/{round_id}/changes")
    async def changes_of_round(round_id: Identifier,
                               _principal: Principal = Depends(operator)) -> RoundChanges:
        """What the round keeps, amends and withdraws of the contracts providers hold."""
        found = await asyncio.to_thread(round_changes, engine, round_id)
        if found is None:
            raise NotFound(N_("the matcher has no round '{round_id}'"), round_id=round_id)
        return found

    @router.get("/networks/{network_id}/known")
    async def known(network_id: Identifier,
                    _principal: Principal = Depends(operator)) -> dict[str, Any]:
        present = await asyncio.to_thread(queries.network_known, engine, network_id)
        return {"network_id": network_id, "known": present}

    @router.get("/firms/{firm_id}/outcome")
    async def outcome_of_firm(firm_id: Identifier,
                              principal: Principal = Depends(authenticate)) -> FirmOutcomeView:
        """The firm's lines in its network's latest committed round: served or why not."""
        require_role(principal, Role.FIRM, Role.OPERATOR)
        require_subject(principal, Role.FIRM, firm_id)

        def read() -> FirmOutcomeView | None:
            round_id, asked = queries.latest_committed_round_of_firm(engine, firm_id)
            detail = queries.get_round(engine, round_id) if round_id else None
            return firm_outcome(detail, firm_id, asked) if detail else None

        found = await asyncio.to_thread(read)
        if found is None:
            raise NotFound(N_("no committed round has firm '{firm_id}' yet: its outcome is "
                              "known once the network's operator commits a round with it"),
                           firm_id=firm_id)
        return found

    @router.get("/providers/{provider_id}/awards")
    async def awards_of_provider(provider_id: Identifier,
                                 principal: Principal = Depends(authenticate)
                                 ) -> list[ProviderAward]:
        """Every award of a committed round to the provider, newest first, with its
        status: awaiting an answer, amended, accepted, declined, superseded, withdrawn."""
        require_role(principal, Role.PROVIDER, Role.OPERATOR)
        require_subject(principal, Role.PROVIDER, provider_id)
        return await asyncio.to_thread(provider_awards, engine, provider_id)

    # --- one firm's or one provider's slice of a committed round (helper "files") ---
    @router.get("/rounds/{round_id}/firms/{firm_id}")
    async def round_of_firm(round_id: Identifier, firm_id: Identifier,
                            principal: Principal = Depends(authenticate)) -> dict[str, Any]:
        """What a committed round gives the firm (services/matcher/adapters/round_slices.py):
        its firm's own token, or an operator's; for its statement PDF."""
        require_role(principal, Role.FIRM, Role.OPERATOR)
        require_subject(principal, Role.FIRM, firm_id)
        found = await asyncio.to_thread(
            lambda: firm_slice(queries.get_round(engine, round_id), firm_id))
        if found is None:
            raise NotFound(N_("no committed round '{round_id}' with firm '{firm_id}'"),
                           round_id=round_id, firm_id=firm_id)
        return found

    @router.get("/rounds/{round_id}/providers/{provider_id}")
    async def round_of_provider(round_id: Identifier, provider_id: Identifier,
                                principal: Principal = Depends(authenticate)) -> dict[str, Any]:
        """The provider's contract of a committed round: its own token, or an operator's."""
        require_role(principal, Role.PROVIDER, Role.OPERATOR)
        require_subject(principal, Role.PROVIDER, provider_id)
        found = await asyncio.to_thread(
            lambda: provider_slice(queries.get_round(engine, round_id), provider_id))
        if found is None:
            raise NotFound(N_("no committed round '{round_id}' with a contract of provider "
                              "'{provider_id}'"), round_id=round_id, provider_id=provider_id)
        return found

    # --- how fresh the book is (helper "overview") ---------------------------------------
    @router.get("/networks/{network_id}/book")
    async def book_of_network(network_id: Identifier,
                              _principal: Principal = Depends(operator)) -> BookView:
        """What the book holds of the network (standing firms, providers, lines, offers),
        when it last changed, and how many events sent to the matcher it has yet to
        apply (of every network; None until measured), as of when that was measured."""
        state = await asyncio.to_thread(queries.book_state, engine, network_id)
        lag = book_lag()
        return BookView(network_id=network_id, **state,
                        unapplied_events=lag.unapplied_events if lag else None,
                        measured_at=lag.measured_at if lag else None)

    return router
