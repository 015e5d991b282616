"""Grafana dashboards: generated from Python, committed as JSON, provisioned."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from tests.deploy.tools import DEPLOY, documents

GRAFANA = DEPLOY / "grafana"


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("grafana_generate", GRAFANA / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_committed_dashboards_are_what_the_generator_makes(generator):
    for path, text in generator.rendered().items():
        assert path.exists(), f"{path} missing: run python deploy/grafana/generate.py"
        assert path.read_text() == text, f"{path} is stale: run python deploy/grafana/generate.py"


def test_a_stale_dashboard_is_reported(generator, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(generator, "DASHBOARDS", tmp_path)
    assert generator.main([]) == 0
    assert generator.main(["--check"]) == 0
    board = tmp_path / "network-overview.json"
    board.write_text(board.read_text().replace("Coverage", "Coverrage"))
    assert generator.main(["--check"]) == 1
    assert "network-overview.json" in capsys.readouterr().err


def test_the_two_dashboards_cover_what_the_issue_asks(generator):
    boards = {path.stem: json.loads(text) for path, text in generator.rendered().items()}
    assert set(boards) == {"network-overview", "service-health"}

    def exprs(board):
        return " ".join(t["expr"] for p in board["panels"] for t in p.get("targets", []))

    network = exprs(boards["network-overview"])
    for metric in ("welfare_book_demand_lines", "welfare_book_offers", "welfare_rounds_total",
                   "welfare_round_coverage_ratio", "welfare_round_unmet_units",
                   "welfare_round_duration_seconds_bucket"):
        assert metric in network, metric
    health = exprs(boards["service-health"])
    for metric in ("welfare_http_requests_total", "welfare_http_request_duration_seconds_bucket",
                   "faststream_received_messages_total",
                   "faststream_received_processed_messages_total",
                   "welfare_consumer_lag_messages", "welfare_outbox_backlog_messages",
                   "welfare_outbox_oldest_age_seconds", "welfare_dead_letters_total",
                   "welfare_dependency_up"):
        assert metric in health, metric


def test_panels_have_unique_ids_and_use_the_provisioned_data_source(generator):
    source = documents(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")[0]
    uid = source["datasources"][0]["uid"]
    for path, text in generator.rendered().items():
        board = json.loads(text)
        ids = [panel["id"] for panel in board["panels"]]
        assert len(ids) == len(set(ids)), path
        assert board["uid"].startswith("welfare-")
        for panel in board["panels"]:
            if panel["type"] == "row":
                continue
            assert panel["datasource"] == {"type": "prometheus", "uid": uid}, panel["title"]
            assert panel["targets"], panel["title"]
            assert panel.get("description"), panel["title"]
            assert panel["fieldConfig"]["defaults"].get("unit"), panel["title"]


def test_provisioning_points_at_the_dashboards_compose_mounts():
    provider = documents(GRAFANA / "provisioning" / "dashboards" / "welfare.yml")[0]
    path = provider["providers"][0]["options"]["path"]
    compose = documents(DEPLOY / "compose" / "compose.yaml")[0]
    volumes = compose["services"]["grafana"]["volumes"]
    assert f"../grafana/dashboards:{path}:ro" in volumes
    assert "../grafana/provisioning:/etc/grafana/provisioning:ro" in volumes
    source = documents(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")[0]
    assert source["datasources"][0]["url"] == "http://prometheus:9090"
