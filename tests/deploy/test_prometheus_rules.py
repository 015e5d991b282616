"""The Prometheus configuration, rules and alerts, checked with promtool.

promtool comes from Debian's prometheus package (deploy/tools/ensure-debian-packages.sh, run by make test);
these tests fail, with the install hint, where it is missing.
"""

from __future__ import annotations

import re
import shutil

import yaml

from services.common.settings import Settings
from tests.deploy.tools import (
    DEPLOY,
    PROMETHEUS,
    RULE_FILES,
    RULE_TESTS,
    alert_rules,
    documents,
    run,
    tool,
)

SERVICES = ("intake", "supply", "matcher", "operator")


def test_promtool_check_rules_passes():
    result = run(tool("promtool"), "check", "rules", *RULE_FILES)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_promtool_check_config_passes_for_compose_and_kubernetes(tmp_path):
    promtool = tool("promtool")
    result = run(promtool, "check", "config", PROMETHEUS / "prometheus.yml")
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()

    config_map = documents(DEPLOY / "k8s" / "prometheus-config.yaml")[0]
    k8s = tmp_path / "prometheus.yml"
    k8s.write_text(config_map["data"]["prometheus.yml"])
    result = run(promtool, "check", "config", k8s)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_promtool_test_rules_passes():
    result = run(tool("promtool"), "test", "rules", *RULE_TESTS)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_the_rule_tests_fail_when_an_alert_is_broken(tmp_path):
    """The rule tests are not vacuous: a wrong threshold makes them fail."""
    rules = tmp_path / "rules"
    tests = tmp_path / "tests"
    shutil.copytree(PROMETHEUS / "rules", rules)
    shutil.copytree(PROMETHEUS / "tests", tests)
    alerts = rules / "welfare-alerts.yml"
    text = alerts.read_text()
    assert "(welfare_round_coverage_ratio) < 0.8" in text
    alerts.write_text(text.replace("(welfare_round_coverage_ratio) < 0.8",
                                   "(welfare_round_coverage_ratio) < 0.5"))
    result = run(tool("promtool"), "test", "rules", tests / "alerts_test.yml")
    assert result.returncode != 0
    assert "WelfareCoverageLow" in result.stdout.decode() + result.stderr.decode()


def test_every_alert_fires_in_a_rule_test_and_stays_quiet_in_another():
    fired: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (fired if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {rule["alert"] for rule in alert_rules()}
    assert names - fired == set(), "alerts never fired by a rule test"
    assert names - quiet == set(), "alerts never shown quiet by a rule test"


def test_the_issue_asks_for_these_alerts():
    names = {rule["alert"] for rule in alert_rules()}
    assert {
        "WelfareDeadLettersGrowing",
        "WelfareConsumerLagGrowing",
        "WelfareRoundFailed",
        "WelfareOutboxBacklogOld",
        "WelfareCoverageLow",
        "WelfareServiceNotReady",
    } <= names


def test_every_alert_has_a_summary_a_description_and_its_runbook_paragraph():
    runbook = (DEPLOY / "RUNBOOK.md").read_text()
    headings = {line[3:].strip().lower() for line in runbook.splitlines()
                if line.startswith("## ")}
    for rule in alert_rules():
        name = rule["alert"]
        annotations = rule.get("annotations", {})
        assert annotations.get("summary"), name
        assert annotations.get("description"), name
        assert rule.get("labels", {}).get("severity") in {"warning", "critical"}, name
        anchor = f"${{RUNBOOK_URL}}#{name.lower()}"  # the k8s generator fills it in
        assert annotations.get("runbook_url") == anchor, name
        assert name.lower() in headings, f"no '## {name}' paragraph in deploy/RUNBOOK.md"
        section = runbook.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
        for part in ("**Meaning.**", "**First checks.**", "**Fix.**"):
            assert part in section, f"{name}: runbook paragraph lacks {part}"


def test_recording_rules_follow_the_naming_convention():
    for path in RULE_FILES:
        for group in documents(path)[0]["groups"]:
            for rule in group["rules"]:
                if "record" in rule:
                    # level:metric:operations (prometheus.io/docs/practices/rules)
                    assert re.fullmatch(r"[a-z_]+:[a-z_]+:[a-z0-9_]+", rule["record"]), rule


def test_the_scrape_configuration_covers_every_service_on_its_port():
    defaults = Settings()
    for path, host in ((PROMETHEUS / "prometheus.yml", "{service}"),
                       (None, "{service}.welfare.svc")):
        if path is None:
            config = yaml.safe_load(
                documents(DEPLOY / "k8s" / "prometheus-config.yaml")[0]["data"]["prometheus.yml"])
        else:
            config = documents(path)[0]
        jobs = {job["job_name"]: job for job in config["scrape_configs"]}
        for service in SERVICES:
            job = jobs[f"welfare-{service}"]
            port = getattr(defaults, f"{service}_port")
            targets = [t for sc in job["static_configs"] for t in sc["targets"]]
            assert targets == [f"{host.format(service=service)}:{port}"]
            assert job.get("metrics_path", "/metrics") == "/metrics"
