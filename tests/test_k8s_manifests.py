"""The Kubernetes manifests keep the rules deploy/k8s/README.md promises, as rendered.

Every overlay is rendered with the pinned kustomize (deploy/tools/kustomize.sh installs it with
``go install``) and what comes out is checked: core resources against the Kubernetes schemas
(kubernetes-validate, offline), and the rules below.
"""

from __future__ import annotations

import importlib
import importlib.util
import ipaddress
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import kubernetes_validate
import pytest

from kokuho.events.transfers import load_registry

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy/k8s"
SERVICES = sorted(p.parent.name for p in ROOT.glob("services/*/pyproject.toml"))
#: The Kubernetes release the schemas are taken from (kubernetes-validate ships them).
KUBERNETES = "1.34"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


render = _load("k8s_render", K8S / "render.py")
generate = _load("k8s_generate", K8S / "generate.py")
kafka_access = _load("kafka_access", ROOT / "deploy/kafka_access.py")
OVERLAYS = render.OVERLAYS


def of_kind(overlay: str, kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in render.rendered(overlay) if d["kind"] == kind}


def pods(overlay: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{d['kind']}/{d['metadata']['name']}", d["spec"]["template"]["spec"])
        for d in render.rendered(overlay)
        if d["kind"] in {"Deployment", "Job"}
    ]


def parameters(overlay: str) -> dict[str, str]:
    [config] = [
        d
        for name, d in of_kind(overlay, "ConfigMap").items()
        if name.startswith(generate.PARAMETERS + "-")
    ]
    return dict(config["data"])


def test_overlays_exist() -> None:
    assert set(OVERLAYS) >= {"staging", "production"}


def test_the_components_are_generated_from_the_code() -> None:
    """A new service, or a topic a service starts to declare or consume, changes the generated
    components: they must be regenerated (never edited by hand)."""
    checked = subprocess.run(
        [sys.executable, str(K8S / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_core_resources_match_the_kubernetes_schemas(overlay: str) -> None:
    core = [
        d
        for d in render.rendered(overlay)
        if "." not in d["apiVersion"].split("/")[0]
        or d["apiVersion"].split("/")[0].endswith(".k8s.io")
    ]
    assert {d["kind"] for d in core} >= {"Deployment", "Job", "Service", "NetworkPolicy"}
    for doc in core:
        try:
            kubernetes_validate.validate(doc, KUBERNETES, strict=True)
        except kubernetes_validate.ValidationError as error:
            name = f"{doc['kind']}/{doc['metadata']['name']}"
            raise AssertionError(
                f"{overlay}: {name}: {error.message} at {list(error.path)}"
            ) from None


def test_the_validation_refuses_a_broken_resource() -> None:
    """The schema check can fail: a misspelt field of a Deployment is refused."""
    deployment = dict(of_kind("production", "Deployment")["eligibility"])
    deployment["spec"] = {**deployment["spec"], "replica": 3}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_is_deployed_with_its_own_pieces(overlay: str) -> None:
    for kind, name in (
        ("ServiceAccount", "{}"),
        ("Job", "{}-migrate"),
        ("Deployment", "{}"),
        ("Service", "{}"),
        ("NetworkPolicy", "{}"),
        ("KafkaUser", "{}"),
        ("Database", "{}"),
    ):
        assert {name.format(s) for s in SERVICES} <= set(of_kind(overlay, kind)), kind


#: The peak RSS of collection's served process and its worker importing a 300,000-line payment
#: file (879 + 157 MB, ADR 0116), in MiB.
PAYMENT_FILE_PEAK_MIB = (879 + 157) * 1000**2 / 1024**2


def mebibytes(quantity: str) -> float:
    units = {"Mi": 1, "Gi": 1024}
    return float(quantity[:-2]) * units[quantity[-2:]]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_collection_s_pod_holds_a_payment_file_import(overlay: str) -> None:
    """The pod that imports payment files has room for the measured peak of a 300,000-line
    file and a second CPU for the worker process that matches it (ADR 0116)."""
    main = of_kind(overlay, "Deployment")["collection"]["spec"]["template"]["spec"]
    [container] = main["containers"]
    limits = container["resources"]["limits"]
    assert mebibytes(limits["memory"]) > PAYMENT_FILE_PEAK_MIB
    assert float(limits["cpu"]) >= 2


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_are_restricted_probed_and_limited(overlay: str) -> None:
    [namespace] = of_kind(overlay, "Namespace").values()
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for name, pod in pods(overlay):
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["serviceAccountName"] in SERVICES, name
        for container in pod["containers"] + pod.get("initContainers", []):
            hardening = container["securityContext"]
            assert hardening["allowPrivilegeEscalation"] is False, name
            assert hardening["readOnlyRootFilesystem"] is True, name
            assert hardening["capabilities"]["drop"] == ["ALL"], name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
    for name, deployment in of_kind(overlay, "Deployment").items():
        [main] = deployment["spec"]["template"]["spec"]["containers"]
        assert main["args"][-1] == "serve", name
        assert main["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert main["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        assert "initContainers" not in deployment["spec"]["template"]["spec"], name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migrations_run_as_a_job_before_the_deployment(overlay: str) -> None:
    for service in SERVICES:
        job = of_kind(overlay, "Job")[f"{service}-migrate"]
        assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
        assert job["metadata"]["labels"]["app.kubernetes.io/component"] == "migration"
        pod = job["spec"]["template"]["spec"]
        assert pod["restartPolicy"] == "Never"
        [container] = pod["containers"]
        assert container["args"] == [
            "python",
            "-m",
            f"kokuho.{service.replace('-', '_')}",
            "migrate",
        ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_replicas_come_from_the_overlay_by_label(overlay: str) -> None:
    expected = {"staging": 1, "production": 3}[overlay]
    assert {d["spec"]["replicas"] for d in of_kind(overlay, "Deployment").values()} == {expected}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_default_deny_and_only_the_gateway_leaves_the_cluster(overlay: str) -> None:
    policies = of_kind(overlay, "NetworkPolicy")
    deny = policies.pop("default-deny")
    assert deny["spec"]["podSelector"] == {}
    assert set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    params = parameters(overlay)
    leaving: dict[str, set[str]] = {}
    for name, policy in policies.items():
        for rule in policy["spec"].get("egress", []):
            for peer in rule["to"]:
                if "ipBlock" in peer:
                    leaving.setdefault(name, set()).add(peer["ipBlock"]["cidr"])
    services_leaving = {n for n in leaving if n.removesuffix("-external") in SERVICES}
    assert services_leaving == {"linkage-gateway-external"}
    assert leaving["linkage-gateway-external"] == {
        params["intermediate-server-cidr"],
        params["federation-cidr"],
    }
    # the operators' pods reach only the Kubernetes API and the object storage
    assert leaving["kafka"] == {params["kubernetes-api-cidr"]}
    assert leaving["postgres"] == {params["kubernetes-api-cidr"], params["object-storage-cidr"]}
    for cidr in set().union(*leaving.values()):
        ipaddress.ip_network(cidr)  # a real address, parsed
        assert cidr != generate.CIDR_PLACEHOLDER, "an overlay left the placeholder address"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_parameter_a_manifest_reads_is_set_by_the_overlay(overlay: str) -> None:
    params = parameters(overlay)
    for name, pod in pods(overlay):
        for container in pod["containers"]:
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("configMapKeyRef")
                if ref:
                    assert ref["name"].startswith(generate.PARAMETERS + "-"), name
                    assert params.get(ref["key"]), f"{overlay}: {name} reads {ref['key']}"
    assert "replaced-by-the-overlay" not in render.rendered_text(overlay)


SECRETLIKE = re.compile(r"PASSWORD|DSN|SECRET|TOKEN|_KEY$|PRIVATE")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_come_from_secrets_never_from_the_manifest(overlay: str) -> None:
    assert not of_kind(overlay, "Secret"), "a Secret is written in the manifests"
    for name, pod in pods(overlay):
        secret_volumes = {v["name"] for v in pod["volumes"] if "secret" in v}
        for container in pod["containers"]:
            from_secrets = {
                e["name"]
                for e in container.get("env", [])
                if "secretKeyRef" in e.get("valueFrom", {})
            }
            mounted = {
                m["mountPath"] for m in container["volumeMounts"] if m["name"] in secret_volumes
            }
            for env in container.get("env", []):
                if not SECRETLIKE.search(env["name"]) or "valueFrom" in env:
                    continue
                value = str(env["value"])
                if value.startswith("/"):
                    assert any(value.startswith(m + "/") for m in mounted), (name, env["name"])
                else:  # a DSN built from secret variables: $(PGPASSWORD), never a literal
                    password = re.search(r"://[^:@/]+:([^@]+)@", value)
                    assert password, (name, env["name"])
                    assert re.fullmatch(r"\$\((\w+)\)", password.group(1)), (name, env["name"])
                    assert password.group(1)[2:-1] in from_secrets, (name, env["name"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_is_replicated_and_every_topic_declared(overlay: str) -> None:
    [kafka] = of_kind(overlay, "Kafka").values()
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["auto.create.topics.enable"] is False
    topics = of_kind(overlay, "KafkaTopic")
    for topic in topics.values():
        assert topic["spec"]["replicas"] == 3
        assert topic["spec"]["config"]["min.insync.replicas"] == 2
    for access in kafka_access.all_access():
        assert {t.name for t in access.owned} <= set(topics)
        # what another service consumes is some service's own topic
        assert set(access.consumed) <= set(topics), access.service


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_writes_only_its_own_topics_and_the_dead_letters_of_its_inputs(
    overlay: str,
) -> None:
    users = of_kind(overlay, "KafkaUser")
    for service in SERVICES:
        acls = users[service]["spec"]["authorization"]["acls"]
        assert users[service]["spec"]["authentication"]["type"] == "tls"
        written = {a["resource"]["name"] for a in acls if "Write" in a["operations"]}
        # and the department feeds the transfer registry makes it the owner of (ADR 0089)
        feeds = {t for flow in load_registry().feeds(service) for t in flow.feed_topics}
        assert feeds <= written, service
        written -= feeds | {f"{t}.dlq" for t in feeds}
        for topic in written:
            own = topic.startswith(f"kokuho.{service}.") or topic in feeds
            assert own or topic.endswith(".dlq"), topic
            if not own:
                assert topic.removesuffix(".dlq") in {
                    a["resource"]["name"] for a in acls if "Read" in a["operations"]
                }
        groups = [a for a in acls if a["resource"]["type"] == "group"]
        assert groups == [
            {
                "resource": {
                    "type": "group",
                    "name": f"kokuho.{service}.",
                    "patternType": "prefix",
                },
                "operations": ["Describe", "Read"],
                "host": "*",
            }
        ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_department_reads_its_feeds_and_nothing_else(overlay: str) -> None:
    """The transfer registry's event feeds (ADR 0086): one KafkaUser per department, reading
    its feed topics (declared, written only by the flow's owning service) and nothing else."""
    users = of_kind(overlay, "KafkaUser")
    topics = of_kind(overlay, "KafkaTopic")
    departments = kafka_access.all_departments()
    assert departments
    for department in departments:
        acls = users[department.department]["spec"]["authorization"]["acls"]
        assert users[department.department]["spec"]["authentication"]["type"] == "tls"
        read = {a["resource"]["name"] for a in acls if a["resource"]["type"] == "topic"}
        assert read == set(department.feeds) <= set(topics)
        assert all(a["operations"] == ["Describe", "Read"] for a in acls)
        assert [a["resource"]["name"] for a in acls if a["resource"]["type"] == "group"] == [
            f"{department.department}."
        ]
    writers = {
        (a["resource"]["name"], name)
        for name, user in users.items()
        for a in user["spec"]["authorization"]["acls"]
        if a["resource"]["name"].startswith("kokuho.feeds.")
        and not a["resource"]["name"].endswith(".dlq")
        and "Write" in a["operations"]
    }
    # transfers 5, 10, 13: the flow's owning service alone writes its feed (ADR 0089)
    assert writers == {
        (t, flow.owning_service) for flow in load_registry().feeds() for t in flow.feed_topics
    }


def test_a_consumer_reads_the_topics_its_settings_name() -> None:
    """The ACL source follows the code: linkage-gateway consumes eligibility's events."""
    gateway = kafka_access.access_of("linkage-gateway")
    assert "kokuho.eligibility.events" in gateway.consumed
    assert "kokuho.eligibility.events.dlq" in gateway.dead_letters
    assert all(t.name.startswith("kokuho.linkage-gateway.") for t in gateway.owned)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_one_database_and_role_per_service_with_backups(overlay: str) -> None:
    [cluster] = of_kind(overlay, "Cluster").values()
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    databases = of_kind(overlay, "Database")
    for service in SERVICES:
        name = f"kokuho_{service.replace('-', '_')}"
        role = roles[name]
        assert role["login"] is True
        assert role["superuser"] is False
        assert role["passwordSecret"] == {"name": f"{service}-database"}
        assert databases[service]["spec"] == {
            "name": name,
            "owner": name,
            "cluster": {"name": cluster["metadata"]["name"]},
        }
    store = cluster["spec"]["backup"]["barmanObjectStore"]
    assert store["destinationPath"] == parameters(overlay)["backup-destination"]
    assert store["wal"]["compression"]  # WAL archived: point-in-time recovery
    [scheduled] = of_kind(overlay, "ScheduledBackup").values()
    assert scheduled["spec"]["cluster"]["name"] == cluster["metadata"]["name"]


def _required_roles() -> set[str]:
    """Every role name a service's routes name (the constants and literals of their code)."""
    found: set[str] = set()
    for path in ROOT.glob("services/*/src/**/*.py"):
        found |= set(
            re.findall(r'"([a-z-]+\.(?:clerk|supervisor|operator|officer))"', path.read_text())
        )
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_staff_tokens_come_from_the_identity_provider(overlay: str, tmp_path: Path) -> None:
    """ADR 0060: production services verify the provider's tokens by OIDC discovery; the
    issuer comes from a Secret, the provider's groups become Kokuho roles by the overlay's map."""
    from kokuho.platform.oidc import RoleMapping

    [roles] = [d for n, d in of_kind(overlay, "ConfigMap").items() if n.startswith("staff-roles-")]
    (tmp_path / "roles.toml").write_text(roles["data"]["roles.toml"])
    mapping = RoleMapping.load(tmp_path / "roles.toml")
    granted = set().union(*mapping.roles.values())
    assert granted <= _required_roles(), granted - _required_roles()
    assert granted, "the role map grants nothing"
    for name, deployment in of_kind(overlay, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        [main] = pod["containers"]
        env = {e["name"].split("_AUTH_", 1)[-1]: e for e in main["env"] if "_AUTH_" in e["name"]}
        assert env["OIDC"]["value"] == "true", name
        assert env["ISSUER"]["valueFrom"]["secretKeyRef"] == {
            "name": "staff-identity",
            "key": "issuer",
        }, name
        assert "PUBLIC_KEY_PATH" not in env, name
        volume = {v["name"]: v for v in pod["volumes"]}["staff-roles"]
        assert volume["configMap"]["name"] == roles["metadata"]["name"], name
        mount = {m["name"]: m["mountPath"] for m in main["volumeMounts"]}["staff-roles"]
        assert env["ROLE_MAP_PATH"]["value"] == f"{mount}/roles.toml", name


def test_migrate_sees_every_topic_it_declares() -> None:
    """``migrate`` lists the topics and creates those it does not see; with ACLs a topic it may
    not describe looks missing and its creation is refused: every declared topic is described."""
    from kokuho.platform.commands import topic_specs

    users = of_kind("production", "KafkaUser")
    for service in SERVICES:
        described = {
            a["resource"]["name"]
            for a in users[service]["spec"]["authorization"]["acls"]
            if "Describe" in a["operations"] and a["resource"]["type"] == "topic"
        }
        main = importlib.import_module(f"kokuho.{service.replace('-', '_')}.__main__")
        definition = main.DEFINITION if hasattr(main, "DEFINITION") else main.definition()
        declared = {t.name for t in topic_specs(definition.settings(), definition.topics)}
        assert declared <= described, (service, declared - described)
