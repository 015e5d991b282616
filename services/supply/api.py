"""Supply's HTTP API: providers, their capacity offers and their answers to awards.

Every route needs a bearer token. A provider reads and writes only its own
offers; an operator may act for any provider and alone enrols new ones.
"""

# No ``from __future__ import annotations``: FastAPI reads the routes'
# annotations at run time, the local ``Caller`` alias among them.
import asyncio
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, UploadFile

from schemas.types import Identifier
from services.common.auth import Principal, Role, require_role, require_subject
from services.common.http import REFUSALS
from services.common.i18n import N_
from services.common.refusals import Invalid, must_match
from services.common.spreadsheets.downloads import template_routes
from services.supply.adapters.offers_csv import OFFERS, parse_offers
from services.supply.requests import (
    ContractAnswer,
    OfferSubmission,
    ProviderEnrolment,
    ProviderView,
    ProviderWithOffers,
)
from services.supply.service_layer import answers, offers, providers
from services.supply.service_layer.answers import AnswerReceipt
from services.supply.service_layer.context import Receipt, Supply
from services.supply.service_layer.offers import StandingOffer

ProviderId = Annotated[Identifier, Path()]
ContractId = Annotated[Identifier, Path()]
OfferId = Annotated[Identifier, Path()]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# The whole request: an upload of MAX_UPLOAD_BYTES and its multipart framing.
MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024


def routes(supply: Supply, authenticate: Callable, wake: Callable[[], None]) -> APIRouter:
    api = APIRouter(prefix="/v1", responses=REFUSALS)
    Caller = Annotated[Principal, Depends(authenticate)]

    async def run(use_case: Callable, *args, **kwargs):
        """Database work off the event loop; then wake the relay to publish at once."""
        result = await asyncio.to_thread(use_case, supply, *args, **kwargs)
        wake()
        return result

    def for_provider(caller: Principal, provider_id: str) -> None:
        require_subject(caller, Role.PROVIDER, provider_id)

    @api.get("/providers", tags=["providers"], summary="List enrolled providers (operator)")
    async def list_providers(caller: Caller) -> list[str]:
        require_role(caller, Role.OPERATOR)
        return await asyncio.to_thread(providers.provider_ids, supply)

    @api.get("/offers", tags=["offers"],
             summary="Every enrolled provider with its standing offers (operator)")
    async def every_providers_offers(caller: Caller) -> list[ProviderWithOffers]:
        """What an operator's overview shows, in one request instead of two per provider."""
        require_role(caller, Role.OPERATOR)

        def read() -> list[ProviderWithOffers]:
            found = []
            for provider_id in providers.provider_ids(supply):
                record = providers.provider(supply, provider_id)
                found.append(ProviderWithOffers(
                    profile=ProviderView(network_id=record.network_id,
                                         provider=record.profile,
                                         entity_version=record.version),
                    offers=offers.standing_offers(supply, provider_id)))
            return found

        return await asyncio.to_thread(read)

    @api.put("/providers/{provider_id}", tags=["providers"],
             summary="Enrol a provider (operator) or update its profile (operator or provider)")
    async def put_provider(provider_id: ProviderId, body: ProviderEnrolment,
                           caller: Caller) -> Receipt:
        for_provider(caller, provider_id)
        must_match("body.provider.provider_id", body.provider.provider_id, provider_id)
        return await run(providers.enrol_provider, body.network_id, body.provider,
                         may_enrol=caller.role == Role.OPERATOR)

    @api.get("/providers/{provider_id}", tags=["providers"], summary="A provider's profile")
    async def get_provider(provider_id: ProviderId, caller: Caller) -> ProviderView:
        for_provider(caller, provider_id)
        found = await asyncio.to_thread(providers.provider, supply, provider_id)
        return ProviderView(network_id=found.network_id, provider=found.profile,
                            entity_version=found.version)

    @api.get("/providers/{provider_id}/offers", tags=["offers"],
             summary="The provider's standing offers")
    async def list_offers(provider_id: ProviderId, caller: Caller) -> list[StandingOffer]:
        for_provider(caller, provider_id)
        return await asyncio.to_thread(offers.standing_offers, supply, provider_id)

    @api.put("/providers/{provider_id}/offers/{offer_id}", tags=["offers"],
             summary="Publish or update an offer")
    async def put_offer(provider_id: ProviderId, offer_id: OfferId, body: OfferSubmission,
                        caller: Caller) -> Receipt:
        for_provider(caller, provider_id)
        must_match("body.offer.offer_id", body.offer.offer_id, offer_id)
        receipt, = await run(offers.put_offers, provider_id, [body.offer])
        return receipt

    @api.delete("/providers/{provider_id}/offers/{offer_id}", tags=["offers"],
                summary="Withdraw an offer")
    async def delete_offer(provider_id: ProviderId, offer_id: OfferId, caller: Caller) -> Receipt:
        for_provider(caller, provider_id)
        return await run(offers.withdraw_offer, provider_id, offer_id)

    @api.post("/providers/{provider_id}/offers.csv", tags=["offers"],
              summary="Publish or update many offers from a CSV or XLSX sheet: all of the "
                      "file, or none",
              description="CSV (';' or ',' separated, UTF-8 or Windows-1252, decimal comma "
                          "or point) or XLSX, as Excel and LibreOffice save them; a template "
                          "is at /v1/templates/offers.xlsx.")
    async def post_offers_csv(
            provider_id: ProviderId, caller: Caller,
            file: Annotated[UploadFile, File(description="offers.csv or offers.xlsx")]
    ) -> list[Receipt]:
        for_provider(caller, provider_id)
        content = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            raise Invalid("file", N_("larger than {size} MiB"),
                          size=MAX_UPLOAD_BYTES // (1024 * 1024))
        parsed = parse_offers(content, provider_id, file.filename, file.content_type)
        return await run(offers.put_offers, provider_id, parsed)

    @api.post("/providers/{provider_id}/contracts/{contract_id}/answer", tags=["answers"],
              status_code=202,
              summary="Accept or decline an award (for a provider without its own Kafka client)",
              description="Publishes ContractAccepted or ContractDeclined on "
                          "welfare.provider-responses.v1, as a provider's system does. The "
                          "matcher applies it, or refuses it (ContractAnswerRefused) if a "
                          "later round superseded or withdrew the award.")
    async def answer_contract(provider_id: ProviderId, contract_id: ContractId,
                              body: ContractAnswer, caller: Caller) -> AnswerReceipt:
        for_provider(caller, provider_id)
        return await run(answers.answer_contract, provider_id, contract_id, body)

    api.include_router(template_routes((OFFERS,), authenticate))
    return api

