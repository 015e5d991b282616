"""The compose deployment and its Dockerfile, validated offline."""

from __future__ import annotations

import copy
import re
import subprocess
import sys

import yaml

from services.common.settings import Settings
from tests.deploy.tools import DEPLOY, ROOT, documents

COMPOSE = DEPLOY / "compose" / "compose.yaml"
SERVICES = ("intake", "supply", "matcher", "operator")


def compose_spec_errors(path) -> str:
    """'' if ``path`` validates against the Compose Specification (bundled, offline)."""
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         "--no-cache", str(path)],
        capture_output=True, text=True, timeout=120, check=False)
    return "" if result.returncode == 0 else result.stdout + result.stderr


def test_the_compose_file_follows_the_compose_specification():
    assert compose_spec_errors(COMPOSE) == ""


def test_a_broken_compose_file_is_rejected(tmp_path):
    compose = documents(COMPOSE)[0]
    for breakage in (
        lambda c: c["services"]["kafka"].update(imagee="apache/kafka:3.9.1"),
        lambda c: c["services"]["matcher"].update(ports="8104:8104:tcp:extra"),
        lambda c: c["services"]["intake"]["depends_on"]["kafka"].update(condition="healthy"),
    ):
        broken = copy.deepcopy(compose)
        breakage(broken)
        path = tmp_path / "compose.yaml"
        path.write_text(yaml.safe_dump(broken))
        assert compose_spec_errors(path) != ""


def test_kafka_runs_in_kraft_mode_from_the_apache_image():
    kafka = documents(COMPOSE)[0]["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", env["CLUSTER_ID"])  # kafka-storage format
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_every_service_runs_from_the_one_dockerfile_with_its_settings():
    compose = documents(COMPOSE)[0]
    fields = set(Settings.model_fields)
    defaults = Settings()
    for name in SERVICES:
        service = compose["services"][name]
        assert service["build"] == {"context": "../..", "dockerfile": "deploy/Dockerfile"}
        assert service["command"] == ["serve", name]
        port = getattr(defaults, f"{name}_port")
        assert service["ports"] == [f"{port}:{port}"]
        assert service["environment"]["PORT"] == str(port)  # the /ready health check
        assert "/ready" in " ".join(service["healthcheck"]["test"])
        for variable in service["environment"]:
            if variable.startswith("WELFARE_"):
                assert variable.removeprefix("WELFARE_").lower() in fields, variable
        assert service["environment"]["WELFARE_KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert service["environment"]["WELFARE_DATABASE_URL"].startswith("postgresql://")
        assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_prometheus_and_grafana_get_the_rules_and_dashboards():
    compose = documents(COMPOSE)[0]["services"]
    assert "../prometheus:/etc/prometheus:ro" in compose["prometheus"]["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in compose["prometheus"]["command"]
    for mount in compose["prometheus"]["volumes"] + compose["grafana"]["volumes"]:
        source = mount.split(":")[0]
        if source.startswith("."):
            assert (COMPOSE.parent / source).resolve().is_dir(), mount


def test_the_dockerfile_copies_what_exists_and_runs_welfare():
    lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()]
    assert lines[0] == "# syntax=docker/dockerfile:1"
    assert any(line.startswith("FROM python:3.11") for line in lines)
    for line in lines:
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
    assert 'ENTRYPOINT ["welfare"]' in lines
    assert any(line.startswith("USER ") and line != "USER root" for line in lines)
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text()
    for source in ("pyproject.toml", "README.md", "schemas/**", "matcher/**", "services/**"):
        assert f"!{source}" in ignore
