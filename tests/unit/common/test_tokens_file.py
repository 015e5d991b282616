"""The tokens file under concurrent writers and a reading service."""

from __future__ import annotations

import json
import logging
import multiprocessing
from pathlib import Path

from services.common.auth import Role, TokenStore, issue


def _issue_one(args: tuple[str, int]) -> str:
    path, n = args
    return issue(Path(path), Role.FIRM, f"firm-{n}")


def test_twenty_concurrent_issues_store_twenty_tokens_and_a_reader_never_sees_half_a_file(
        tmp_path, caplog):
    path = tmp_path / "tokens.json"
    store = TokenStore([], path)
    context = multiprocessing.get_context("fork")
    with caplog.at_level(logging.ERROR), context.Pool(20) as pool:
        pending = pool.map_async(_issue_one, [(str(path), n) for n in range(20)])
        while not pending.ready():
            store.count()  # reads the file each time it changes
        tokens = pending.get(timeout=60)
    assert not [r for r in caplog.records if "not read" in r.getMessage()]
    entries = json.loads(path.read_text())["tokens"]
    assert sorted(e["subject"] for e in entries) == sorted(f"firm-{n}" for n in range(20))
    assert all(store.authenticate(token) is not None for token in tokens)
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_broken_tokens_file_keeps_the_tokens_read_before(tmp_path, caplog):
    path = tmp_path / "tokens.json"
    token = issue(path, Role.OPERATOR, "ops")
    store = TokenStore([], path)
    assert store.authenticate(token) is not None
    path.write_text('{"tokens": [')
    with caplog.at_level(logging.ERROR):
        assert store.authenticate(token) is not None
    assert "keeping the 1 token(s) read before" in caplog.text


def test_no_tokens_is_one_loud_line(tmp_path, caplog):
    with caplog.at_level(logging.INFO):
        TokenStore([], tmp_path / "absent.json").announce()
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "every request will be refused with 401" in caplog.text
