"""What every HTTP service has: /health, /ready, /metrics, its docs and readable 4xx bodies.

``/health`` says the process is alive. ``/ready`` runs the service's checks
(broker and database reachable) and answers 503 naming what is down.
``/metrics`` serves the service's own Prometheus registry. A request that
fails validation gets 422 with one line naming each bad field, e.g.
``body.line.municipality: is not an ISTAT municipality code (...)``. A body larger
than the service's limit is refused with 413 before it is read whole.

Every refusal (401, 403, 404, 409, 413, 422) is said in the request's language
(``Accept-Language``; Italian by default) and carries a stable ``code``
(``token_missing``, ``role_forbidden``, ``not_found``, ``body_too_large``,
``invalid``...), so that a program reads the code and a person the words.

Every request is logged on one JSON line (``services.common.access_log``);
``/docs``, ``/redoc`` and ``/asyncapi.json`` are served with their assets
(``services.common.api_docs``); the readiness gauge is refreshed by a loop of
its own (``services.common.readiness``), which ``app.state.loops`` hands to the
runtime.
"""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

from services.common.access_log import AccessLog
from services.common.api_docs import add_docs
from services.common.csv_rows import CsvRejected
from services.common.field_messages import field_message
from services.common.i18n import N_, Texts, formats, texts
from services.common.i18n.language import language_of_request
from services.common.metrics import ServiceMetrics
from services.common.readiness import DEFAULT_INTERVAL_S, Readiness, ReadinessCheck
from services.common.refusals import CODE_OF_STATUS, Invalid, Refused, Worded

# A request body no client of a JSON API needs: the largest, a round's parameters
# or a firm's profile, is a few kilobytes. Services that take uploads pass more.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class Refusal(BaseModel):
    """Why a request was refused: ``error`` (or ``detail``) says it in one line, in the
    request's language; ``code`` says it for programs (it never changes with the
    language); for bad input, ``errors`` names each field (and, for a CSV file, its row)."""

    error: str | None = None
    detail: str | None = None
    code: str | None = None
    errors: list[dict] | None = None


# For an APIRouter's ``responses``: how each refusal looks in OpenAPI.
REFUSALS: dict[int | str, dict] = {
    401: {"model": Refusal, "description": "No valid bearer token."},
    403: {"model": Refusal, "description": "The token's role or identity may not do this."},
    404: {"model": Refusal, "description": "Not enrolled, or no such entity."},
    409: {"model": Refusal, "description": "Conflicts with what is stored (an id held by "
                                           "another, a change of network)."},
    413: {"model": Refusal, "description": "The body is larger than the service accepts."},
    422: {"model": Refusal, "description": "Bad input; the body names each field."},
}


# A refusal without a message of its own (Starlette's 404 for an unknown path, 405):
# its code, and its words in the catalogue.
_BY_STATUS: dict[int, tuple[str, str]] = {
    401: ("token_missing", N_("a valid bearer token is required")),
    403: ("forbidden", N_("this may not be done with this token")),
    404: ("not_found", N_("there is nothing at this address")),
    405: ("method_not_allowed", N_("this address does not take this method")),
    409: ("conflict", N_("conflicts with what is stored")),
    413: ("body_too_large", N_("the request body is larger than this service accepts")),
}
# Starlette's own English phrases, which say nothing a person needs beyond the above.
_STOCK_DETAILS = {"Not Found", "Method Not Allowed", "Unauthorized", "Forbidden",
                  "Conflict", "Not authenticated", "Request Entity Too Large"}


def request_texts(request: Request) -> Texts:
    """The texts of the language the request prefers (Accept-Language; Italian else)."""
    return texts(language_of_request(request.headers.get("accept-language")))


def field_errors(errors: list[dict], t: Texts | None = None) -> list[dict[str, str]]:
    """Each bad field and its message, in the language of ``t`` (English if none)."""
    t = t or texts("en")
    return [
        {
            "field": ".".join(str(step) for step in e["loc"] if not str(step)[:1].isupper()),
            "message": field_message(e, t),
        }
        for e in errors
    ]


def invalid_body(t: Texts, errors: list[dict[str, str]], shown: int = 5) -> dict:
    """The 422 body: one line naming the first fields, and every field."""
    summary = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"]
                        for e in errors[:shown])
    if len(errors) > shown:
        summary += "; " + t._("and {count} more", count=len(errors) - shown)
    return {"error": summary, "code": "invalid", "errors": errors}


def create_api(
    *,
    title: str,
    description: str,
    metrics: ServiceMetrics,
    checks: dict[str, ReadinessCheck],
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    readiness_interval_s: float = DEFAULT_INTERVAL_S,
) -> FastAPI:
    # FastAPI's own /docs and /redoc load their assets from a CDN: add_docs serves them.
    app = FastAPI(title=title, description=description, version="1",
                  docs_url=None, redoc_url=None)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    readiness = Readiness(checks, metrics, interval_s=readiness_interval_s)
    # Loops the runtime runs beside the service's own (services.common.runtime).
    app.state.loops = [readiness.run]
    add_docs(app)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        t = request_texts(request)
        return JSONResponse(status_code=422,
                            content=invalid_body(t, field_errors(list(exc.errors()), t)))

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:  # only FastAPI and Starlette raise it: see below
            return _unreadable_body(request)
        # 401, 403, 404...: the same readable "error" as a 422 (and "detail", as before).
        t = request_texts(request)
        code, stock = _BY_STATUS.get(exc.status_code, ("refused", None))
        if isinstance(exc, Worded):  # ours: a message of the catalogue and its values
            code, said = exc.code, exc.render(t)
        elif stock is not None and exc.detail in _STOCK_DETAILS:
            said = t._(stock)
        else:  # a detail someone wrote: shown as written
            said = str(exc.detail)
        return JSONResponse(status_code=exc.status_code, headers=exc.headers,
                            content={"error": said, "detail": said, "code": code})

    @app.exception_handler(Refused)
    async def refused_by_rule(request: Request, exc: Refused) -> JSONResponse:
        # A use case said no (404, 409, or 422 naming the field it objects to).
        t = request_texts(request)
        if isinstance(exc, Invalid):
            errors = [{"field": exc.field, "message": exc.render(t)}]
            return JSONResponse(status_code=422, content=invalid_body(t, errors))
        said = exc.render(t)
        code = exc.code or CODE_OF_STATUS.get(exc.status, "refused")
        return JSONResponse(status_code=exc.status,
                            content={"error": said, "detail": said, "code": code})

    @app.exception_handler(CsvRejected)
    async def csv_rejected(request: Request, exc: CsvRejected) -> JSONResponse:
        # Every bad row and column of an uploaded file (the first 50), none applied,
        # in the request's language (Accept-Language; Italian by default).
        body = exc.body(request.headers.get("accept-language"))
        return JSONResponse(status_code=422, content={**body, "code": "invalid"})

    @app.exception_handler(ValidationError)
    async def invalid_content(request: Request, exc: ValidationError) -> JSONResponse:
        # Raised when a handler validates content itself (an uploaded file, say).
        t = request_texts(request)
        return JSONResponse(status_code=422,
                            content=invalid_body(t, field_errors(exc.errors(), t), shown=3))

    # Added last, so outermost: it logs and counts the status the client gets,
    # BodyLimit's 413s included (plain ASGI, as BodyLimit: services.common.access_log).
    app.add_middleware(AccessLog, metrics=metrics)

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/ready", tags=["operations"], responses={
        200: {"description": "Every dependency answers: ``ready`` true, one flag each."},
        503: {"description": "A dependency is down: ``ready`` false, its flag false."}})
    async def ready() -> JSONResponse:
        state = await readiness.check()
        code = 200 if all(state.values()) else 503
        return JSONResponse(status_code=code, content={"ready": code == 200, **state})

    @app.get("/metrics", tags=["operations"], response_class=Response, responses={
        200: {"description": "Prometheus text exposition format.",
              "content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}})
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app


def _unreadable_body(request: Request) -> JSONResponse:
    # FastAPI and Starlette answer 400, in English, for a body they cannot decode
    # (bytes that are not UTF-8 under a JSON content type, a broken multipart form);
    # no route of ours raises 400. Bad input like any other: a 422 naming the body,
    # as for JSON that does not parse.
    t = request_texts(request)
    declared = request.headers.get("content-type", "").split(";")[0].strip() or "none"
    message = t._("could not be read as the content type it declares ({declared}): "
                  "send JSON in UTF-8, or a file as a multipart form", declared=declared)
    return JSONResponse(status_code=422,
                        content=invalid_body(t, [{"field": "body", "message": message}]))


class TooLarge(Worded, HTTPException):
    """A body past the limit, found while it is read: rendered by ``create_api``."""

    code = "body_too_large"

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        super().__init__(413, detail=too_large_message(max_bytes))

    def render(self, t: Texts) -> str:
        return too_large_message(self.max_bytes, t)


def too_large_message(max_bytes: int, t: Texts | None = None) -> str:
    t = t or texts("en")
    return t._("the request body is larger than this service accepts ({size}); send less "
               "at once", size=_size(max_bytes, t))


def _size(count: int, t: Texts) -> str:
    if count >= 1024 * 1024:
        return f"{formats.number(t, round(count / (1024 * 1024), 2))} MiB"
    return t.ngettext("{n} byte", "{n} bytes", count)


class BodyLimit:
    """Refuses a body beyond ``max_bytes`` with 413: at once when its Content-Length
    says so, else as soon as the bytes received pass it (a chunked upload), so that a
    huge body is never held in memory nor parsed."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > self.max_bytes:
                    return await _refuse_too_large(send, self.max_bytes, _scope_language(scope))
                break
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the route's body parsing: rendered as a 413 by the
                    # HTTPException handler of create_api.
                    raise TooLarge(self.max_bytes)
            return message

        return await self.app(scope, counted, send)


def _scope_language(scope) -> Texts:
    # Raw ASGI, before any Request exists: the header as the client sent it (bytes).
    said = dict(scope.get("headers") or []).get(b"accept-language", b"")
    return texts(language_of_request(said.decode("latin-1")))


async def _refuse_too_large(send, max_bytes: int, t: Texts) -> None:
    message = too_large_message(max_bytes, t)
    body = json.dumps({"error": message, "detail": message, "code": "body_too_large"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
