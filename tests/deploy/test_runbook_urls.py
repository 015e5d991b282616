"""Alerts link to the runbook by an absolute URL, taken from a setting.

The checked-in rules carry ``${RUNBOOK_URL}#<alert>``; deploy/k8s/generate.py
renders them into the prometheus-welfare-rules ConfigMap with
``WELFARE_RUNBOOK_URL`` in its place.
"""

from __future__ import annotations

import importlib.util
import sys
from urllib.parse import urlsplit

import pytest
import yaml

from tests.deploy.tools import DEPLOY, documents, run, tool

K8S = DEPLOY / "k8s"


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("k8s_generate_runbook", K8S / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def runbook_anchors() -> set[str]:
    text = (DEPLOY / "RUNBOOK.md").read_text()
    return {line[3:].strip().lower() for line in text.splitlines() if line.startswith("## ")}


def alert_links(files: dict[str, str]) -> dict[str, str]:
    return {rule["alert"]: rule["annotations"]["runbook_url"]
            for text in files.values() for group in yaml.safe_load(text)["groups"]
            for rule in group["rules"] if "alert" in rule}


def test_every_rendered_runbook_url_is_absolute_and_its_anchor_exists(generator):
    base = "https://wiki.comune.example.it/welfare/RUNBOOK.md"
    links = alert_links(generator.rendered_rules(base))
    assert len(links) >= 9
    anchors = runbook_anchors()
    for alert, url in links.items():
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("https", "wiki.comune.example.it"), (alert, url)
        assert url == f"{base}#{alert.lower()}", alert
        assert parts.fragment in anchors, f"{alert}: no '## {alert}' in deploy/RUNBOOK.md"


def test_the_committed_config_map_has_absolute_links_and_passes_promtool(generator, tmp_path):
    [config_map] = documents(K8S / "prometheus-rules.yaml")
    assert config_map["metadata"]["name"] == "prometheus-welfare-rules"
    files = config_map["data"]
    assert set(files) == {p.name for p in (DEPLOY / "prometheus" / "rules").glob("*.yml")}
    for alert, url in alert_links(files).items():
        assert urlsplit(url).scheme in ("http", "https") and "${" not in url, (alert, url)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = run(tool("promtool"), "check", "rules", *sorted(str(p) for p in tmp_path.iterdir()))
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_the_runbook_url_comes_from_the_setting(generator, monkeypatch):
    monkeypatch.setenv("WELFARE_RUNBOOK_URL", "https://ops.example.net/runbook")
    text = generator.FILES[K8S / "prometheus-rules.yaml"]()
    assert "runbook_url: https://ops.example.net/runbook#welfarecoveragelow" in text


@pytest.mark.parametrize("url, says", [
    ("deploy/RUNBOOK.md", "is not absolute"),
    ("ftp://host/RUNBOOK.md", "is not absolute"),
    ("https://host/RUNBOOK.md#top", "has an anchor"),
])
def test_a_runbook_url_that_cannot_serve_as_a_link_is_refused(generator, url, says, capsys):
    with pytest.raises(ValueError, match=says):
        generator.rendered_rules(url)
    assert generator.main(["--check", "--runbook-url", url]) == 2
    assert f"error: runbook URL {url!r} {says}" in capsys.readouterr().err
