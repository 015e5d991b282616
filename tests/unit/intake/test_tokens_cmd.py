"""``welfare tokens issue``: the token is printed once and only its digest is stored.

(Here because intake and supply are the APIs these tokens open.)
"""

from __future__ import annotations

import json

from services.cli.main import main
from services.common.auth import Role, TokenStore
from services.common.settings import Settings


def test_an_issued_token_authenticates_as_its_role_and_subject(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("WELFARE_TOKENS_FILE", raising=False)
    path = tmp_path / "tokens.json"
    assert main(["tokens", "issue", "--role", "firm", "--subject", "acme", "--file",
                 str(path)]) == 0
    token = capsys.readouterr().out.strip()
    assert token and token not in path.read_text()  # the digest only
    store = TokenStore.from_settings(Settings(tokens_file=path))
    principal = store.authenticate(token)
    assert (principal.role, principal.subject) == (Role.FIRM, "acme")
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_tokens_accumulate_in_the_default_file_under_the_data_dir(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("WELFARE_TOKENS_FILE", raising=False)
    monkeypatch.setenv("WELFARE_DATA_DIR", str(tmp_path))
    for role, subject in (("operator", "ops"), ("provider", "coop-gulliver")):
        assert main(["tokens", "issue", "--role", role, "--subject", subject]) == 0
    captured = capsys.readouterr()
    assert "WELFARE_TOKENS_FILE" in captured.err
    entries = json.loads((tmp_path / "tokens.json").read_text())["tokens"]
    assert [(e["role"], e["subject"]) for e in entries] == [
        ("operator", "ops"), ("provider", "coop-gulliver")]


def test_a_subject_that_is_not_an_identifier_is_refused(capsys):
    assert main(["tokens", "issue", "--role", "firm", "--subject", "no spaces"]) == 2
    assert "--subject" in capsys.readouterr().err
