"""TLS where it leaves a pod, as the cluster gets it (rendered overlays): every service
container verifies PostgreSQL against CloudNativePG's CA (ADR 0094), reaches Kafka over mutual
TLS as its own KafkaUser (ADR 0099), and linkage-gateway reaches its counterparts over https
with its client certificate (ADR 0095), every file from a mounted Secret."""

from __future__ import annotations

from typing import Any

import pytest

from .test_k8s_settings import RENDER, SERVICES, prefix_of  # render.py, loaded once


def _secret_of(path: str, pod: dict[str, Any], container: dict[str, Any]) -> str | None:
    """The Secret the file ``path`` is mounted from, if any."""
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        if path.startswith(mount["mountPath"] + "/"):
            secret = volumes[mount["name"]].get("secret")
            return None if secret is None else str(secret["secretName"])
    return None


@pytest.mark.parametrize("overlay", RENDER.OVERLAYS)  # type: ignore[attr-defined]
def test_postgres_is_verified_and_the_counterparts_are_mutual_tls(overlay: str) -> None:
    docs = list(RENDER.rendered(overlay))  # type: ignore[attr-defined]
    config = {
        d["metadata"]["name"]: d.get("data", {}) for d in docs if d.get("kind") == "ConfigMap"
    }
    verified: set[str] = set()
    gateway_checked = False
    for doc in docs:
        pod = doc.get("spec", {}).get("template", {}).get("spec", {})
        service = str(doc["metadata"].get("labels", {}).get("app.kubernetes.io/name"))
        for container in pod.get("containers", []):
            if service not in SERVICES:
                continue
            p = prefix_of(service)
            env = {e["name"]: e for e in container.get("env", [])}
            ca = env[f"{p}DATABASE_TLS_CA_PATH"]["value"]
            assert _secret_of(ca, pod, container) == "kokuho-pg-ca", (doc["metadata"], ca)
            verified.add(f"{doc['kind']}/{service}")
            if service != "linkage-gateway" or doc["kind"] != "Deployment":
                continue
            for name in ("CERT", "KEY", "CA"):
                path = env[f"{p}COUNTERPART_TLS_{name}_PATH"]["value"]
                assert _secret_of(path, pod, container) == "linkage-gateway-counterpart-tls"
            for url in ("INTERMEDIATE_SERVER_URL", "FEDERATION_URL"):
                ref = env[f"{p}{url}"]["valueFrom"]["configMapKeyRef"]
                assert config[ref["name"]][ref["key"]].startswith("https://"), (overlay, url)
            gateway_checked = True
    assert {f"Deployment/{s}" for s in SERVICES} <= verified
    assert {f"Job/{s}" for s in SERVICES} <= verified
    assert gateway_checked


@pytest.mark.parametrize("overlay", RENDER.OVERLAYS)  # type: ignore[attr-defined]
def test_kafka_is_mutual_tls_with_the_services_own_kafka_user(overlay: str) -> None:
    """Every Deployment and migration Job: SSL, the cluster CA from Strimzi's CA Secret, and the
    certificate and key from the Secret Strimzi writes for the service's own KafkaUser."""
    docs = list(RENDER.rendered(overlay))  # type: ignore[attr-defined]
    users = {d["metadata"]["name"] for d in docs if d.get("kind") == "KafkaUser"}
    checked: set[str] = set()
    for doc in docs:
        pod = doc.get("spec", {}).get("template", {}).get("spec", {})
        service = str(doc["metadata"].get("labels", {}).get("app.kubernetes.io/name"))
        if service not in SERVICES:
            continue
        for container in pod.get("containers", []):
            p = prefix_of(service)
            env = {e["name"]: e.get("value") for e in container.get("env", [])}
            assert env[f"{p}KAFKA_SECURITY_PROTOCOL"] == "SSL", (overlay, doc["metadata"])
            ca = str(env[f"{p}KAFKA_TLS_CA_PATH"])
            assert _secret_of(ca, pod, container) == "kokuho-cluster-ca-cert"
            for name in ("CERT", "KEY"):
                path = str(env[f"{p}KAFKA_TLS_{name}_PATH"])
                assert _secret_of(path, pod, container) == service, (overlay, path)
            assert service in users  # the Secret is the KafkaUser's
            assert f"{p}KAFKA_PASSWORD" not in env  # the certificate is the login
            checked.add(f"{doc['kind']}/{service}")
    assert {f"Deployment/{s}" for s in SERVICES} <= checked
    assert {f"Job/{s}" for s in SERVICES} <= checked
