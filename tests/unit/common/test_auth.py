"""Bearer tokens: digests only, from the environment or a file that may change."""

from __future__ import annotations

import json

from services.common.auth import Principal, Role, TokenStore, digest, issue
from services.common.settings import Settings


def test_a_token_issued_after_start_works_without_a_restart(tmp_path):
    path = tmp_path / "tokens.json"
    first = issue(path, Role.OPERATOR, "ops")
    store = TokenStore.from_settings(Settings(tokens_file=path))
    assert store.authenticate(first) == Principal(Role.OPERATOR, "ops")
    later = issue(path, Role.FIRM, "ceramiche-rossi")
    assert store.authenticate(later) == Principal(Role.FIRM, "ceramiche-rossi")
    assert store.authenticate("not-issued") is None


def test_only_digests_are_stored_and_environment_tokens_count_too(tmp_path):
    path = tmp_path / "tokens.json"
    token = issue(path, Role.PROVIDER, "coop-gulliver")
    assert token not in path.read_text() and digest(token) in path.read_text()
    inline = json.dumps({"tokens": [{"sha256": digest("from-env"), "role": "operator",
                                     "subject": "k8s"}]})
    store = TokenStore.from_settings(Settings(tokens=inline, tokens_file=tmp_path / "none.json"))
    assert store.authenticate("from-env") == Principal(Role.OPERATOR, "k8s")
    assert store.authenticate(token) is None
