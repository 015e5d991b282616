"""``welfare tokens list|revoke`` and token expiry, through the CLI and a service's 401."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from services.cli.main import main
from services.common.auth import (
    Principal,
    Role,
    TokenExpired,
    TokenStore,
    authenticator,
    digest,
    issue,
)


@pytest.fixture
def path(tmp_path, monkeypatch):
    monkeypatch.delenv("WELFARE_TOKENS_FILE", raising=False)
    monkeypatch.delenv("WELFARE_TOKENS", raising=False)
    return tmp_path / "tokens.json"


def _issue(path, capsys, *extra: str) -> str:
    assert main(["tokens", "issue", "--file", str(path), *extra]) == 0
    return capsys.readouterr().out.strip()


def test_list_shows_role_subject_dates_and_a_digest_prefix_never_the_token(path, capsys):
    firm = _issue(path, capsys, "--role", "firm", "--subject", "ceramiche-rossi",
                  "--expires-in", "30")
    ops = _issue(path, capsys, "--role", "operator", "--subject", "ops")
    assert main(["tokens", "list", "--file", str(path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["ROLE", "SUBJECT", "ISSUED", "EXPIRES", "DIGEST"]
    in_30_days = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d")
    assert "firm" in lines[1] and "ceramiche-rossi" in lines[1] and in_30_days in lines[1]
    assert digest(firm)[:12] in lines[1] and digest(firm) not in out
    assert "never" in lines[2] and digest(ops)[:12] in lines[2]
    assert firm not in out and ops not in out


def test_revoke_by_subject_and_role_leaves_the_others_working(path, capsys):
    firm = _issue(path, capsys, "--role", "firm", "--subject", "acme")
    op = _issue(path, capsys, "--role", "operator", "--subject", "acme")
    other = _issue(path, capsys, "--role", "firm", "--subject", "other")
    store = TokenStore([], path)
    assert store.authenticate(firm) is not None  # read before the revocation
    assert main(["tokens", "revoke", "--file", str(path), "--subject", "acme",
                 "--role", "firm"]) == 0
    assert "revoked firm acme" in capsys.readouterr().out
    assert store.authenticate(firm) is None  # the running store reads the change
    assert store.authenticate(op) == Principal(Role.OPERATOR, "acme")
    assert store.authenticate(other) == Principal(Role.FIRM, "other")
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # rewritten atomically, still private


def test_revoke_by_digest_prefix_removes_one_and_refuses_an_ambiguous_or_unknown_prefix(
        path, capsys):
    tokens = [_issue(path, capsys, "--role", "firm", "--subject", f"f{n}") for n in range(3)]
    before = path.read_text()
    assert main(["tokens", "revoke", "--file", str(path), "--digest", "ffffffffff"]) == 2
    assert "no token" in capsys.readouterr().err
    entries = json.loads(before)["tokens"]
    # Two digests sharing a prefix: forge it, since real ones rarely do.
    entries[1]["sha256"] = entries[0]["sha256"][:8] + entries[1]["sha256"][8:]
    path.write_text(json.dumps({"tokens": entries}))
    assert main(["tokens", "revoke", "--file", str(path), "--digest",
                 entries[0]["sha256"][:8]]) == 2
    assert "2 tokens have a digest starting with" in capsys.readouterr().err
    assert len(json.loads(path.read_text())["tokens"]) == 3  # nothing revoked
    assert main(["tokens", "revoke", "--file", str(path), "--digest",
                 digest(tokens[2])[:10].upper()]) == 0
    assert [e["subject"] for e in json.loads(path.read_text())["tokens"]] == ["f0", "f1"]


def test_a_too_short_digest_prefix_is_refused(path, capsys):
    _issue(path, capsys, "--role", "firm", "--subject", "acme")
    assert main(["tokens", "revoke", "--file", str(path), "--digest", "ab"]) == 2
    assert "at least 6 hex digits" in capsys.readouterr().err


def test_an_expired_token_is_refused_with_401_saying_it_expired(path):
    expired = issue(path, Role.FIRM, "acme", datetime.now(UTC) - timedelta(minutes=1))
    fresh = issue(path, Role.FIRM, "acme", datetime.now(UTC) + timedelta(days=1))
    store = TokenStore([], path)
    with pytest.raises(TokenExpired):
        store.authenticate(expired)
    app = FastAPI()

    @app.get("/me")
    def me(principal: Principal = Depends(authenticator(store))) -> str:
        return principal.subject

    client = TestClient(app)
    refused = client.get("/me", headers={"Authorization": f"Bearer {expired}"})
    assert refused.status_code == 401
    assert "expired at" in refused.json()["detail"]
    assert client.get("/me", headers={"Authorization": f"Bearer {fresh}"}).json() == "acme"


def test_a_token_expires_when_its_time_comes(path):
    soon = datetime.now(UTC) + timedelta(hours=1)
    token = issue(path, Role.OPERATOR, "ops", soon)
    store = TokenStore([], path)
    assert store.authenticate(token, now=soon - timedelta(seconds=1)) is not None
    with pytest.raises(TokenExpired):
        store.authenticate(token, now=soon)


def test_expiry_options_store_the_moment_and_refuse_the_past(path, capsys):
    _issue(path, capsys, "--role", "firm", "--subject", "acme", "--expires", "2099-06-30")
    assert json.loads(path.read_text())["tokens"][0]["expires_at"] == "2099-06-30T00:00:00+00:00"
    assert main(["tokens", "issue", "--file", str(path), "--role", "firm", "--subject", "b",
                 "--expires", "2020-01-01"]) == 2
    assert "in the past" in capsys.readouterr().err
    assert main(["tokens", "issue", "--file", str(path), "--role", "firm", "--subject", "b",
                 "--expires", "next tuesday"]) == 2
    assert "--expires 'next tuesday'" in capsys.readouterr().err
    assert main(["tokens", "issue", "--file", str(path), "--role", "firm", "--subject", "b",
                 "--expires-in", "0"]) == 2
    assert len(json.loads(path.read_text())["tokens"]) == 1


def test_a_file_without_dates_still_works_and_lists(path, capsys):
    path.write_text(json.dumps({"tokens": [{"sha256": digest("old"), "role": "operator",
                                            "subject": "ops"}]}))
    assert TokenStore([], path).authenticate("old") == Principal(Role.OPERATOR, "ops")
    assert main(["tokens", "list", "--file", str(path)]) == 0
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[:4] == ["operator", "ops", "-", "never"]
