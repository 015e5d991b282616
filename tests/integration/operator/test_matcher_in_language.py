"""The operator asks the matcher's read API in its caller's language (Accept-Language,
forwarded by services/operator/adapters/rounds.py), so a refusal of the matcher's it quotes is in
the same language as the words around it; and the matcher away is said in that language.

SQLite only: the words do not depend on the database."""

from __future__ import annotations

import httpx
import pytest

from services.common.auth import Role, issue
from services.common.kafka import KafkaConnection
from services.operator.bootstrap import build
from tests.support.services import running

pytestmark = [pytest.mark.broker,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


async def both(settings, token: str, path: str) -> tuple[httpx.Response, httpx.Response]:
    async with running(build(settings, KafkaConnection.from_settings(settings))) as url, \
            httpx.AsyncClient(base_url=url, timeout=30) as client:
        headers = {"Authorization": f"Bearer {token}"}
        italian = await client.get(path, headers=headers)
        english = await client.get(path, headers={**headers, "Accept-Language": "en-GB,en"})
    assert italian.status_code == english.status_code == 503, italian.text
    assert italian.json()["code"] == english.json()["code"] == "unavailable"
    return italian, english


async def test_the_matchers_refusal_is_quoted_in_the_callers_language(settings, tmp_path):
    # A token only the operator knows: the matcher's read API (conftest.py reads the
    # test's other tokens file) refuses it with 401, in the language it is asked in.
    issue(settings.tokens_file, Role.OPERATOR, "someone-else")  # the matcher's tokens
    operator_only = tmp_path / "operator-only.json"
    token = issue(operator_only, Role.OPERATOR, "ops-modena")
    settings.tokens_file = operator_only
    italian, english = await both(settings, token, "/v1/rounds")
    assert italian.json()["error"] == (
        "l'API del matcher ha risposto 401 a /v1/rounds: serve un token di accesso (bearer) "
        "valido")
    assert english.json()["error"] == (
        "the matcher's API answered 401 to /v1/rounds: a valid bearer token is required")


async def test_a_matcher_that_does_not_answer_is_said_in_the_callers_language(settings):
    token = issue(settings.tokens_file, Role.OPERATOR, "ops-modena")
    settings.matcher_url = "http://127.0.0.1:9"  # the discard port: nothing listens
    italian, english = await both(settings, token, "/v1/rounds")
    assert italian.json()["error"].startswith("l'API del matcher a http://127.0.0.1:9 non "
                                              "risponde (")
    assert italian.json()["error"].endswith("i round non si possono leggere finché non risponde")
    assert english.json()["error"].startswith("the matcher's API at http://127.0.0.1:9 does "
                                              "not answer (")
