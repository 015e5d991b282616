"""The metric names a PromQL expression reads, and the names a scrape exposes.

A small lexer, not a full PromQL parser: it drops string literals, label
matchers, range and subquery brackets, grouping clauses and Grafana variables,
then keeps the identifiers that are neither functions, aggregations nor
keywords. ``test_promql_names.py`` pins its behaviour on tricky expressions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "and", "or", "unless", "offset", "atan2", "inf", "nan", "Inf", "NaN", "start", "end",
}
# Series Prometheus itself adds to every scrape, not exposed by a service.
SCRAPE_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                 "scrape_samples_post_metric_relabeling", "scrape_series_added"}

_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_BRACKETS = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_VARIABLES = re.compile(r"\$\{[^}]*\}|\$\w+|\[\[\w+\]\]")
_IDENTIFIER = re.compile(r"(?<![\w:.])([A-Za-z_:][\w:]*)(\s*\()?")


def metric_names(expr: str) -> set[str]:
    text = _VARIABLES.sub(" ", _STRINGS.sub('""', expr))
    text = _MATCHERS.sub(" ", text)
    text = _BRACKETS.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    names = set()
    for match in _IDENTIFIER.finditer(text):
        name, call = match.groups()
        if call or name in KEYWORDS:
            continue
        names.add(name)
    return names


def exposed_names(exposition: str) -> tuple[set[str], set[str]]:
    """(declared, sampled): names a scrape declares (with the series names each
    metric type implies) and names that have at least one sample."""
    declared: set[str] = set()
    sampled: set[str] = set()
    suffixes = {"counter": ("_total", "_created"), "gauge": ("",),
                "histogram": ("_bucket", "_count", "_sum", "_created"),
                "summary": ("", "_count", "_sum", "_created"),
                "info": ("_info",), "stateset": ("",), "gaugehistogram": ("_bucket",),
                "unknown": ("",)}
    for family in text_string_to_metric_families(exposition):
        declared.update(family.name + suffix for suffix in suffixes[family.type])
        sampled.update(sample.name for sample in family.samples)
    return declared | sampled, sampled


# --- where the expressions are --------------------------------------------------------

def rule_expressions(rule_files: Iterable[Path]) -> Iterator[tuple[str, str]]:
    import yaml

    for path in rule_files:
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                yield f"{path.name}: {rule.get('alert') or rule.get('record')}", rule["expr"]


def recorded_names(rule_files: Iterable[Path]) -> set[str]:
    import yaml

    return {rule["record"] for path in rule_files
            for group in yaml.safe_load(path.read_text())["groups"]
            for rule in group["rules"] if "record" in rule}


def dashboard_expressions(dashboards: Iterable[Path]) -> Iterator[tuple[str, str]]:
    for path in dashboards:
        board = json.loads(path.read_text())
        for variable in board.get("templating", {}).get("list", []):
            query = variable.get("query")
            if variable.get("type") == "query" and isinstance(query, str):
                match = re.fullmatch(r"label_values\((.*),\s*\w+\)", query.strip())
                yield f"{path.name}: ${variable['name']}", match.group(1) if match else query
        for panel in _panels(board.get("panels", [])):
            for target in panel.get("targets", []):
                if target.get("expr"):
                    yield f"{path.name}: {panel.get('title')}", target["expr"]


def _panels(panels: list[dict]) -> Iterator[dict]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def unknown_names(expressions: Iterable[tuple[str, str]], exposed: set[str],
                  recorded: set[str]) -> dict[str, set[str]]:
    """Expressions naming a metric that is neither exposed, recorded nor a scrape series."""
    known = exposed | recorded | SCRAPE_SERIES
    missing = {}
    for where, expr in expressions:
        names = metric_names(expr)
        assert names, f"{where}: no metric found in {expr!r}"
        if names - known:
            missing[where] = names - known
    return missing
