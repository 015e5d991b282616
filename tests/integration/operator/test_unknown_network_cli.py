"""``welfare round start`` on a network the matcher has never heard of fails, saying so."""

from __future__ import annotations

import asyncio

import pytest

from services.cli.main import main
from services.common.auth import Role, issue
from services.common.kafka import KafkaConnection
from services.operator.bootstrap import build
from tests.integration.operator.book import seed_network
from tests.support.services import running

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


async def test_a_typo_in_the_network_exits_non_zero_naming_it(settings, tmp_path, monkeypatch,
                                                               capsys):
    for name in ("WELFARE_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)  # Italian, as the CLI and the API default
    settings.tokens_file = tmp_path / "tokens.json"
    monkeypatch.setenv("WELFARE_OPERATOR_TOKEN", issue(settings.tokens_file, Role.OPERATOR, "ops"))
    seed_network(settings, "bologna-metro")
    async with running(build(settings, KafkaConnection.from_settings(settings))) as url:
        monkeypatch.setenv("WELFARE_OPERATOR_URL", url)
        code = await asyncio.to_thread(
            main, ["round", "start", "--network", "bologna", "--weeks", "2027-W24..2027-W36",
                   "--dry-run"])
    captured = capsys.readouterr()
    assert code != 0
    assert "la rete 'bologna' è sconosciuta al matcher" in captured.err
    assert "requested" not in captured.out
