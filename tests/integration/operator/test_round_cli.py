"""``welfare round start|show|list`` against a running operator service."""

from __future__ import annotations

import asyncio
import re

import pytest

from services.cli.main import main
from services.common.auth import Role, issue
from services.common.kafka import KafkaConnection
from services.operator.bootstrap import build
from tests.integration.operator.book import seed_network
from tests.support.services import running

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


async def test_start_show_and_list_through_the_cli(settings, tmp_path, monkeypatch, capsys):
    for name in ("WELFARE_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    settings.tokens_file = tmp_path / "tokens.json"
    monkeypatch.setenv("WELFARE_OPERATOR_TOKEN", issue(settings.tokens_file, Role.OPERATOR, "ops"))
    seed_network(settings, "modena")
    service = build(settings, KafkaConnection.from_settings(settings))
    async with running(service) as url:
        monkeypatch.setenv("WELFARE_OPERATOR_URL", url)
        code = await asyncio.to_thread(
            main, ["round", "start", "--network", "modena", "--weeks", "2027-W24..2027-W36",
                   "--dry-run", "--time-limit", "15"])
        started = capsys.readouterr().out  # in Italian: the default when nothing says
        round_id = re.search(r"round (\S+) richiesto \(simulazione, 2027-W24\.\.2027-W36\)",
                             started).group(1)
        assert code == 0
        assert await asyncio.to_thread(main, ["round", "show", round_id, "--lang", "en"]) == 0
        assert capsys.readouterr().out.startswith(f"round {round_id} (dry run) requested")
        assert await asyncio.to_thread(main, ["round", "list", "--lang", "en"]) == 0
        assert capsys.readouterr().out.strip() == "no rounds yet"  # no matcher has taken it
        assert await asyncio.to_thread(main, ["round", "list"]) == 0
        assert capsys.readouterr().out.strip() == "ancora nessun round"


async def test_a_wrong_token_is_one_line(settings, tmp_path, monkeypatch, capsys):
    settings.tokens_file = tmp_path / "tokens.json"
    issue(settings.tokens_file, Role.OPERATOR, "ops")
    monkeypatch.setenv("WELFARE_OPERATOR_TOKEN", "not-a-token")
    async with running(build(settings, KafkaConnection.from_settings(settings))) as url:
        monkeypatch.setenv("WELFARE_OPERATOR_URL", url)
        code = await asyncio.to_thread(main, ["round", "list", "--lang", "en"])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "welfare: error: operator API: 401: a valid bearer token is required")
