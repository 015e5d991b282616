"""The demo's loader sends a request again when a kept-alive connection was closed under it."""

from __future__ import annotations

import httpx
import pytest

from services.demo.loader import request_again_on_reset


def _flaky(failures: int):
    calls = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) <= failures:
            raise httpx.ReadError("connection reset by peer", request=request)
        return httpx.Response(200, json={"status": "unchanged"})

    return calls, httpx.MockTransport(handle)


async def test_a_reset_connection_is_tried_again():
    calls, transport = _flaky(failures=2)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        response = await request_again_on_reset(client, "PUT", "/v1/firms/f1", json={})
    assert response.status_code == 200 and calls == ["PUT"] * 3


async def test_it_gives_up_after_its_tries():
    calls, transport = _flaky(failures=5)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        with pytest.raises(httpx.ReadError):
            await request_again_on_reset(client, "PUT", "/v1/firms/f1", json={})
    assert len(calls) == 3
