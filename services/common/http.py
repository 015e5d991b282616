"""What every HTTP service has: /health, /ready, /metrics, its docs and readable 4xx bodies.

``/health`` says the process is alive. ``/ready`` runs the service's checks
(broker and database reachable) and answers 503 naming what is down.
``/metrics`` serves the service's own Prometheus registry. A request that
fails validation gets 422 with one line naming each bad field, e.g.
``body.line.municipality: is not an ISTAT municipality code (...)``. A body larger
than the service's limit is refused with 413 before it is read whole.

Every request is logged on one JSON line (``services.common.access_log``);
``/docs``, ``/redoc`` and ``/asyncapi.json`` are served with their assets
(``services.common.api_docs``); the readiness gauge is refreshed by a loop of
its own (``services.common.readiness``), which ``app.state.loops`` hands to the
runtime.
"""

from __future__ import annotations

import json
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

from services.common.access_log import log_request
from services.common.api_docs import add_docs
from services.common.csv_rows import CsvRejected
from services.common.errors import describe, message_of
from services.common.metrics import ServiceMetrics
from services.common.readiness import DEFAULT_INTERVAL_S, Readiness, ReadinessCheck
from services.common.refusals import Invalid, Refused

# A request body no client of a JSON API needs: the largest, a round's parameters
# or a firm's profile, is a few kilobytes. Services that take uploads pass more.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class Refusal(BaseModel):
    """Why a request was refused: ``error`` (or ``detail``) says it in one line; for
    bad input, ``errors`` names each field (and, for a CSV file, its row)."""

    error: str | None = None
    detail: str | None = None
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


def field_errors(errors: list[dict]) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(step) for step in e["loc"] if not str(step)[:1].isupper()),
            "message": message_of(e),
        }
        for e in errors
    ]


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
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(list(exc.errors()))
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return JSONResponse(status_code=422, content={"error": summary, "errors": errors})

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:  # only FastAPI and Starlette raise it: see below
            return _unreadable_body(request)
        # 401, 403, 404...: the same readable "error" as a 422 (and "detail", as before).
        return JSONResponse(status_code=exc.status_code, headers=exc.headers,
                            content={"error": str(exc.detail), "detail": exc.detail})

    @app.exception_handler(Refused)
    async def refused_by_rule(_request: Request, exc: Refused) -> JSONResponse:
        # A use case said no (404, 409, or 422 naming the field it objects to).
        if isinstance(exc, Invalid):
            errors = [{"field": exc.field, "message": exc.message}]
            return JSONResponse(status_code=422, content={"error": str(exc), "errors": errors})
        return JSONResponse(status_code=exc.status,
                            content={"error": str(exc), "detail": str(exc)})

    @app.exception_handler(CsvRejected)
    async def csv_rejected(request: Request, exc: CsvRejected) -> JSONResponse:
        # Every bad row and column of an uploaded file (the first 50), none applied,
        # in the request's language (Accept-Language; Italian by default).
        return JSONResponse(status_code=422,
                            content=exc.body(request.headers.get("accept-language")))

    @app.exception_handler(ValidationError)
    async def invalid_content(_request: Request, exc: ValidationError) -> JSONResponse:
        # Raised when a handler validates content itself (an uploaded file, say).
        return JSONResponse(
            status_code=422,
            content={"error": describe(exc), "errors": field_errors(exc.errors())},
        )

    @app.middleware("http")
    async def measure(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")  # bounded: templates, not URLs
        metrics.http_requests.labels(template, request.method, str(response.status_code)).inc()
        metrics.http_duration.labels(template, request.method).observe(
            time.perf_counter() - started)
        return response

    # Added last, so outermost: it sees the status the client gets, 413s included.
    app.middleware("http")(log_request)

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
    declared = request.headers.get("content-type", "").split(";")[0].strip() or "none"
    message = (f"could not be read as the content type it declares ({declared}): "
               "send JSON in UTF-8, or a file as a multipart form")
    return JSONResponse(status_code=422, content={
        "error": f"body: {message}", "errors": [{"field": "body", "message": message}]})


def too_large_message(max_bytes: int) -> str:
    return (f"the request body is larger than this service accepts "
            f"({_size(max_bytes)}); send less at once")


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):g} MiB" if count >= 1024 * 1024 else f"{count} bytes"


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
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await _refuse_too_large(send, self.max_bytes)
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the route's body parsing: rendered as a 413 by the
                    # HTTPException handler of create_api.
                    raise HTTPException(413, detail=too_large_message(self.max_bytes))
            return message

        return await self.app(scope, counted, send)


async def _refuse_too_large(send, max_bytes: int) -> None:
    message = too_large_message(max_bytes)
    body = json.dumps({"error": message, "detail": message}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
