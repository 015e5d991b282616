"""What the deployment tests share: paths, the Prometheus tools, YAML files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROMETHEUS = DEPLOY / "prometheus"
RULE_FILES = sorted((PROMETHEUS / "rules").glob("*.yml"))
RULE_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))
DASHBOARDS = sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))
INSTALL_HINT = (
    "Debian's prometheus package provides promtool and prometheus: run "
    "`make test` (as root it installs them with apt-get: deploy/tools/ensure-debian-packages.sh)"
)


def tool(name: str) -> str:
    """The path of ``promtool`` or ``prometheus``; fails (never skips) if missing."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed. {INSTALL_HINT}", pytrace=False)
    return path


def run(*args: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], input=stdin, capture_output=True,
                          timeout=120, check=False)


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def alert_rules() -> list[dict]:
    return [rule for path in RULE_FILES for group in documents(path)[0]["groups"]
            for rule in group["rules"] if "alert" in rule]


def recording_rules() -> list[dict]:
    return [rule for path in RULE_FILES for group in documents(path)[0]["groups"]
            for rule in group["rules"] if "record" in rule]
