"""The tokens file is parsed once per change, and a change is seen at the next request."""

from __future__ import annotations

import os

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

import services.common.auth as auth
from services.common.auth import Principal, Role, TokenStore, authenticator, issue, revoke


def test_the_file_is_parsed_once_until_it_changes(tmp_path, monkeypatch):
    path = tmp_path / "tokens.json"
    token = issue(path, Role.FIRM, "acme")
    parsed = []
    real = auth._principals
    monkeypatch.setattr(auth, "_principals", lambda entries: parsed.append(1) or real(entries))
    _age(path)  # a file just written is read at each look-up for a moment: see below
    store = TokenStore([], path)
    for _ in range(50):
        assert store.authenticate(token) == Principal(Role.FIRM, "acme")
    assert len(parsed) == 2  # the entries given (none), then the file once
    later = issue(path, Role.FIRM, "other")
    assert store.authenticate(later) == Principal(Role.FIRM, "other")
    assert len(parsed) == 3


def test_a_file_replaced_in_the_same_clock_tick_with_the_same_size_is_read_again(tmp_path):
    # The file system's clock moves in ticks, and the new file may reuse the old
    # one's inode: size, time and inode can all match. A file read less than
    # RACY_S after it was written is read again until it is older.
    path = tmp_path / "tokens.json"
    first = issue(path, Role.FIRM, "acme1")
    store = TokenStore([], path)
    assert store.authenticate(first) is not None
    before = os.stat(path)
    revoke(path, subject="acme1")
    second = issue(path, Role.FIRM, "acme2")  # a subject of the same length
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same tick
    assert os.stat(path).st_size == before.st_size
    assert store.authenticate(second) == Principal(Role.FIRM, "acme2")
    assert store.authenticate(first) is None


def test_a_file_older_than_the_racy_moment_is_read_again_when_it_is_replaced(tmp_path):
    path = tmp_path / "tokens.json"
    first = issue(path, Role.FIRM, "acme1")
    _age(path)
    store = TokenStore([], path)
    assert store.authenticate(first) is not None
    assert not store.stale()
    revoke(path, subject="acme1")
    second = issue(path, Role.FIRM, "acme2")
    assert store.stale()
    assert store.authenticate(second) == Principal(Role.FIRM, "acme2")
    assert store.authenticate(first) is None


def _age(path, seconds: float = 10 * auth.RACY_S) -> None:
    """Date the file back, as if it were written a while ago."""
    then = os.stat(path).st_mtime_ns - int(seconds * 1e9)
    os.utime(path, ns=(then, then))


def test_over_http_a_token_revoked_is_refused_and_one_issued_accepted_at_once(tmp_path):
    path = tmp_path / "tokens.json"
    acme = issue(path, Role.FIRM, "acme")
    app = FastAPI()

    @app.get("/me")
    async def me(principal: Principal = Depends(authenticator(TokenStore([], path)))) -> str:
        return principal.subject

    client = TestClient(app)

    def subject_of(token: str) -> tuple[int, str]:
        reply = client.get("/me", headers={"Authorization": f"Bearer {token}"})
        return reply.status_code, reply.json() if reply.status_code == 200 else ""

    assert subject_of(acme) == (200, "acme")
    revoke(path, subject="acme")
    assert subject_of(acme) == (401, "")  # the very next request
    other = issue(path, Role.FIRM, "other")
    assert subject_of(other) == (200, "other")
    assert subject_of(acme) == (401, "")
