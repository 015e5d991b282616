"""The API's documentation pages, served whole by the service: nothing from a CDN.

``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) load their scripts and styles
from ``/static/docs/``, the copies the ``fastapi-offline`` wheel ships, so they
render on a machine with no way out to the internet. ``/asyncapi.json`` is the
AsyncAPI document of the public topics (``services.common.asyncapi``), the same
one ``welfare schemas export`` writes.
"""

from __future__ import annotations

import asyncio
import functools
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

STATIC_URL = "/static/docs"
ASSETS = Path(str(files("fastapi_offline") / "static"))
# Swagger UI would send the document to an online validator for its badge.
SWAGGER_PARAMETERS = {"validatorUrl": None}
# ReDoc's menu shows its maker's logo from their CDN, and no option turns that
# off: the bundle is served with that one address pointing at our own icon.
REDOC_BUNDLE = "redoc.standalone.js"
REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
# And the pages may load nothing but what the service serves, should a later
# bundle refer to another host. The inline scripts start the viewers; ReDoc's
# search runs in a worker made from a blob.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline' blob:; "
                           "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                           "worker-src 'self' blob:; connect-src 'self'; font-src 'self' data:")


def add_docs(app: FastAPI) -> None:
    """Swagger UI at ``/docs``, ReDoc at ``/redoc``, the AsyncAPI document at
    ``/asyncapi.json``; ``app`` must be built with ``docs_url=None, redoc_url=None``."""
    @app.get(f"{STATIC_URL}/{REDOC_BUNDLE}", include_in_schema=False)
    async def redoc_bundle() -> Response:
        return Response(_redoc_bundle(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    app.mount(STATIC_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _own_assets_only(get_swagger_ui_html(
            openapi_url=openapi_url, title=f"{app.title}: Swagger UI",
            oauth2_redirect_url=oauth2_redirect_url,
            swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_URL}/favicon.png",
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), **SWAGGER_PARAMETERS}))

    @app.get(oauth2_redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _own_assets_only(get_redoc_html(
            openapi_url=openapi_url, title=f"{app.title}: ReDoc",
            redoc_js_url=f"{STATIC_URL}/{REDOC_BUNDLE}",
            redoc_favicon_url=f"{STATIC_URL}/favicon.png", with_google_fonts=False))

    @app.get("/asyncapi.json", tags=["operations"],
             summary="AsyncAPI 3.0 document of the public topics")
    async def asyncapi() -> JSONResponse:
        # Imported here: the document is built from the services' composition
        # roots, which import this module's caller.
        from services.common.asyncapi import system_document

        return JSONResponse(await asyncio.to_thread(system_document))


def _own_assets_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return page


@functools.cache
def _redoc_bundle() -> bytes:
    bundle = (ASSETS / REDOC_BUNDLE).read_bytes()
    return bundle.replace(REDOC_CDN_LOGO, f"{STATIC_URL}/favicon.png".encode())
