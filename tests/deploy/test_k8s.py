"""Kubernetes manifests and Strimzi resources, validated offline.

Core resources against Kubernetes' own schemas (kubernetes-validate, strict);
Strimzi resources against deploy/schemas/strimzi (see its README); topics,
users and Deployments against the code they are generated from.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import json
import sys
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest

from schemas.topics import DEAD_LETTER, TOPICS
from services.common.kafka import KafkaConnection, topics_read, topics_written
from services.common.settings import Settings
from tests.deploy.tools import DEPLOY, documents

K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.30.0"
SERVICES = ("intake", "supply", "matcher", "operator")
STRIMZI_KINDS = {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"}


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("k8s_generate", K8S / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def manifests() -> list[tuple[Path, dict]]:
    return [(path, doc) for path in sorted(K8S.rglob("*.yaml")) for doc in documents(path)]


def of_kind(kind: str) -> list[dict]:
    return [doc for _, doc in manifests() if doc["kind"] == kind]


@cache
def strimzi_validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((DEPLOY / "schemas" / "strimzi" / f"{kind.lower()}.v1beta2.json")
                        .read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(doc: dict) -> list[str]:
    """Why ``doc`` is invalid, or [] if it is valid."""
    if doc["kind"] in STRIMZI_KINDS:
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in strimzi_validator(doc["kind"]).iter_errors(doc)]
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{'/'.join(map(str, exc.path))}: {exc.message}"]
    return []


def bootstraps_missing() -> list[str]:
    return [s for s in SERVICES if importlib.util.find_spec(f"services.{s}.bootstrap") is None]


def needs_every_service():
    missing = bootstraps_missing()
    if missing:
        pytest.skip("composition roots not written yet: "
                    + ", ".join(f"services/{s}/bootstrap.py" for s in missing))


# --- schemas ---------------------------------------------------------------------

def test_every_manifest_is_valid():
    found = {doc["kind"] for _, doc in manifests()}
    assert {"Namespace", "Deployment", "Service", "ConfigMap", "Secret"} <= found
    assert STRIMZI_KINDS <= found or bootstraps_missing()
    for path, doc in manifests():
        assert problems(doc) == [], f"{path.relative_to(DEPLOY)}: {doc['kind']} " \
                                    f"{doc['metadata']['name']}"


@pytest.mark.parametrize("kind, breakage", [
    ("Deployment", lambda d: d["spec"]["template"]["spec"]["containers"][0].update(
        readinessprobe={"httpGet": {"path": "/ready", "port": "http"}})),
    ("Deployment", lambda d: d["spec"].pop("selector")),
    ("Service", lambda d: d["spec"]["ports"][0].update(port="eighty")),
    ("Kafka", lambda d: d["spec"]["kafka"].pop("listeners")),
    ("Kafka", lambda d: d["spec"]["kafka"]["listeners"][0]["authentication"].update(
        type="scram-sha-256")),
    ("KafkaNodePool", lambda d: d["spec"].update(roles=["controller", "worker"])),
    ("KafkaTopic", lambda d: d["spec"].update(partitions=0)),
    ("KafkaTopic", lambda d: d["metadata"]["labels"].pop("strimzi.io/cluster")),
    ("KafkaUser", lambda d: d["spec"]["authorization"]["acls"][0].update(operations=["Reade"])),
    ("KafkaUser", lambda d: d["spec"]["authentication"].update(type="scram-sha-256")),
])
def test_a_broken_manifest_is_rejected(kind, breakage):
    if kind == "KafkaUser":
        needs_every_service()
    doc = copy.deepcopy(of_kind(kind)[0])
    assert problems(doc) == []
    breakage(doc)
    assert problems(doc) != []


# --- Strimzi -------------------------------------------------------------------------

def test_kafka_runs_in_kraft_mode_with_a_node_pool_of_controllers_and_brokers():
    [kafka] = of_kind("Kafka")
    assert kafka["metadata"]["annotations"] == {"strimzi.io/kraft": "enabled",
                                                "strimzi.io/node-pools": "enabled"}
    assert "zookeeper" not in kafka["spec"]
    pools = of_kind("KafkaNodePool")
    assert pools
    for pool in pools:
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    roles = {role for pool in pools for role in pool["spec"]["roles"]}
    assert roles == {"controller", "broker"}
    # ACLs are only enforced with an authorizer.
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"


def test_the_services_reach_the_scram_listener(generator):
    [kafka] = of_kind("Kafka")
    listeners = {(l["port"], l["tls"], l.get("authentication", {}).get("type"))
                 for l in kafka["spec"]["kafka"]["listeners"]}
    host, port = generator.BOOTSTRAP.split(":")
    assert host == f"{kafka['metadata']['name']}-kafka-bootstrap"
    assert (int(port), True, "scram-sha-512") in listeners


def test_every_public_topic_is_a_kafka_topic_with_its_partitions(generator):
    topics = {doc.get("spec", {}).get("topicName", doc["metadata"]["name"]): doc
              for doc in of_kind("KafkaTopic")}
    assert set(topics) == set(TOPICS)
    brokers = sum(pool["spec"]["replicas"] for pool in of_kind("KafkaNodePool")
                  if "broker" in pool["spec"]["roles"])
    for name, spec in TOPICS.items():
        topic = topics[name]["spec"]
        assert topic["partitions"] == spec.partitions, name
        assert topic["replicas"] <= brokers, name
        assert topic["config"]["min.insync.replicas"] < topic["replicas"], name


@cache
def access_from_code(service: str) -> dict[tuple[str, str], set[str]]:
    """What the service's broker needs, computed here from the broker itself."""
    settings = Settings(kafka_bootstrap="kafka:9092", database_url="sqlite://")
    built = importlib.import_module(f"services.{service}.bootstrap").build(
        settings, KafkaConnection(settings, "kafka:9092"))
    needs: dict[tuple[str, str], set[str]] = {}
    if built.broker is None:
        return needs
    for topic in topics_read(built.broker):
        needs.setdefault(("topic", topic), set()).update({"Read", "Describe"})
    for topic in topics_written(built.broker):
        needs.setdefault(("topic", topic), set()).update({"Write", "Describe"})
    for subscriber in built.broker.subscribers:
        if subscriber.group_id:
            needs.setdefault(("group", subscriber.group_id), set()).update({"Read", "Describe"})
    # A loop that reads other groups' offsets (the matcher's provider-lag probe).
    for loop in built.loops:
        prefix = getattr(getattr(loop, "__self__", None), "group_prefix", lambda: None)()
        if prefix:
            needs[("cluster", "")] = {"Describe"}
            needs[("group-prefix", prefix)] = {"Describe"}
    return needs


def test_each_kafka_user_is_allowed_exactly_what_its_service_reads_and_writes():
    needs_every_service()
    users = {doc["metadata"]["name"]: doc for doc in of_kind("KafkaUser")}
    assert set(users) == {f"welfare-{s}" for s in SERVICES}
    for service in SERVICES:
        spec = users[f"welfare-{service}"]["spec"]
        assert spec["authentication"] == {"type": "scram-sha-512"}
        assert spec["authorization"]["type"] == "simple"
        granted: dict[tuple[str, str], set[str]] = {}
        for acl in spec["authorization"]["acls"]:
            assert acl.get("type", "allow") == "allow"
            resource = acl["resource"]
            pattern = resource.get("patternType", "literal")
            assert pattern in ("literal", "prefix")
            kind = "group-prefix" if pattern == "prefix" else resource["type"]
            assert pattern == "literal" or acl["operations"] == ["Describe"], acl
            key = (kind, resource.get("name", ""))
            assert key not in granted, f"{service}: two ACLs for {key}"
            granted[key] = set(acl["operations"])
        assert granted == access_from_code(service), service


def test_every_consumer_can_dead_letter_and_every_acl_topic_exists():
    needs_every_service()
    for service in SERVICES:
        needs = access_from_code(service)
        topics = {name for kind, name in needs if kind == "topic"}
        assert topics <= set(TOPICS), service
        if any("Read" in ops for (kind, _), ops in needs.items() if kind == "topic"):
            assert "Write" in needs.get(("topic", DEAD_LETTER), set()), \
                f"{service} consumes but may not write {DEAD_LETTER}"


def test_the_generated_manifests_are_current(generator):
    for path, render in generator.FILES.items():
        if path.name == "users.yaml" and bootstraps_missing():
            continue  # test_each_kafka_user_... reports the missing services
        assert path.exists(), f"{path} missing: run python deploy/k8s/generate.py"
        assert path.read_text() == render(), f"{path} is stale: run python deploy/k8s/generate.py"


# --- the services --------------------------------------------------------------------

def test_every_service_has_a_deployment_with_probes_resources_and_credentials():
    deployments = {doc["metadata"]["name"]: doc for doc in of_kind("Deployment")}
    services = {doc["metadata"]["name"]: doc for doc in of_kind("Service")}
    settings_fields = set(Settings.model_fields)
    defaults = Settings()
    for name in SERVICES:
        [container] = deployments[name]["spec"]["template"]["spec"]["containers"]
        port = getattr(defaults, f"{name}_port")
        assert container["args"] == ["serve", name]
        assert container["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][kind]), name
        env = {e["name"]: e for e in container["env"]}
        for variable in env:
            assert variable.startswith("WELFARE_"), variable
            assert variable.removeprefix("WELFARE_").lower() in settings_fields, variable
        assert env["WELFARE_KAFKA_SECURITY_PROTOCOL"]["value"] == "SASL_SSL"
        assert env["WELFARE_KAFKA_SASL_MECHANISM"]["value"] == "SCRAM-SHA-512"
        assert env["WELFARE_KAFKA_SASL_USERNAME"]["value"] == f"welfare-{name}"
        assert env["WELFARE_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": f"welfare-{name}", "key": "password"}  # written by Strimzi for the user
        assert "valueFrom" in env["WELFARE_DATABASE_URL"]  # never inline
        [service_port] = services[name]["spec"]["ports"]
        assert service_port["port"] == port
        assert services[name]["spec"]["selector"] == \
            deployments[name]["spec"]["selector"]["matchLabels"]


def test_the_settings_accept_the_kafka_security_the_manifests_set(tmp_path):
    ca = tmp_path / "ca.crt"
    ca.write_text("")
    settings = Settings(kafka_bootstrap="welfare-kafka-bootstrap:9093",
                        kafka_security_protocol="SASL_SSL",
                        kafka_sasl_mechanism="SCRAM-SHA-512", kafka_sasl_username="welfare-intake",
                        kafka_sasl_password="secret")
    options = KafkaConnection(settings, settings.kafka_bootstrap).aiokafka_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "welfare-intake"
    assert "ssl_context" in options


def test_the_operator_reads_rounds_through_the_matcher_service_it_names():
    """The operator has no matcher database: it calls the matcher's API by its Service."""
    services = {doc["metadata"]["name"]: doc for doc in of_kind("Service")}
    operator = next(doc for doc in of_kind("Deployment")
                    if doc["metadata"]["name"].endswith("operator"))
    env = {item["name"]: item for item in
           operator["spec"]["template"]["spec"]["containers"][0]["env"]}
    url = urlsplit(env["WELFARE_MATCHER_URL"]["value"])
    assert url.hostname in services, f"no Service {url.hostname!r} for the matcher's API"
    assert url.port in [port["port"] for port in services[url.hostname]["spec"]["ports"]]
    assert not any(name.startswith("WELFARE_MATCHER_DATABASE") for name in env)
