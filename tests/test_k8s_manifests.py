"""The Kubernetes manifests keep the rules deploy/k8s/README.md promises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "deploy/k8s/base"


def documents() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for resource in kustomization["resources"]:
        docs += [d for d in yaml.safe_load_all((BASE / resource).read_text()) if d]
    return docs


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in documents() if d["kind"] == kind}


def test_every_service_in_the_repository_is_deployed() -> None:
    services = {p.parent.name for p in ROOT.glob("services/*/pyproject.toml")}
    assert services <= set(of_kind("Deployment"))
    assert services <= set(of_kind("NetworkPolicy"))


def test_deployments_are_probed_limited_and_hardened() -> None:
    for name, deployment in of_kind("Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"] + pod.get("initContainers", []):
            hardening = container["securityContext"]
            assert hardening["allowPrivilegeEscalation"] is False, name
            assert hardening["readOnlyRootFilesystem"] is True, name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
        [main] = pod["containers"]
        assert main["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert main["readinessProbe"]["httpGet"]["path"] == "/readyz", name


def test_default_deny_and_only_the_gateway_leaves_the_cluster() -> None:
    policies = of_kind("NetworkPolicy")
    deny = policies.pop("default-deny")
    assert deny["spec"]["podSelector"] == {}
    assert set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    leaving = {
        name
        for name, policy in policies.items()
        if any("ipBlock" in peer for rule in policy["spec"]["egress"] for peer in rule["to"])
    }
    assert leaving <= {"linkage-gateway"}


def test_kafka_is_replicated_for_production() -> None:
    [kafka] = of_kind("Kafka").values()
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["auto.create.topics.enable"] is False
