"""Every environment variable the Kubernetes manifests set is read by a setting of its service.

A misspelt variable would otherwise be ignored and the service would start on a default (the
gateway once got ``KOKUHO_LINKAGE_GATEWAY_KEK_DIR``, which nothing reads, and would have made
itself development keys). Overlays are read too, so a patch cannot reintroduce one.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from kokuho.platform.settings import SHARED_PREFIX, UnknownSetting, unknown_variables

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy/k8s"
SERVICES = sorted(p.parent.name for p in ROOT.glob("services/*/pyproject.toml"))


def settings_class(service: str) -> type[BaseSettings]:
    module = importlib.import_module(f"kokuho.{service.replace('-', '_')}.config")
    cls = module.Settings
    assert issubclass(cls, BaseSettings)
    return cls


def prefix_of(service: str) -> str:
    return f"{SHARED_PREFIX}{service.upper().replace('-', '_')}_"


def containers() -> list[tuple[str, dict[str, Any]]]:
    """(file, container) for every container of every manifest under deploy/k8s."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(K8S.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not isinstance(doc, dict):
                continue
            pod = doc.get("spec", {}).get("template", {}).get("spec", {})
            for c in pod.get("containers", []) + pod.get("initContainers", []):
                found.append((str(path.relative_to(ROOT)), c))
    return found


def service_variables(environ: dict[str, str]) -> dict[str, list[str]]:
    """The variables under each service's prefix that its settings do not read."""
    return {s: unknown_variables(settings_class(s), environ) for s in SERVICES}


def test_every_service_variable_in_the_manifests_is_a_setting() -> None:
    seen = 0
    for path, container in containers():
        names = {e["name"]: "x" for e in container.get("env", []) if "name" in e}
        seen += sum(1 for n in names if n.startswith(SHARED_PREFIX))
        unknown = {s: v for s, v in service_variables(names).items() if v}
        assert not unknown, f"{path}: container {container.get('name')} sets {unknown}"
    assert seen, "no KOKUHO_ variable found: the manifests were not read"


def _render() -> object:
    spec = importlib.util.spec_from_file_location("k8s_render", K8S / "render.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RENDER = _render()


@pytest.mark.parametrize("overlay", RENDER.OVERLAYS)  # type: ignore[attr-defined]
def test_every_variable_of_the_rendered_overlays_is_read(overlay: str) -> None:
    """As the cluster gets them: a KOKUHO_ variable names a setting of its service; any other
    variable only carries a secret into one (``$(PGPASSWORD)`` in the DSN) and is used."""
    seen = 0
    for doc in RENDER.rendered(overlay):  # type: ignore[attr-defined]
        pod = doc.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            env = container.get("env", [])
            names = {e["name"]: "x" for e in env}
            seen += sum(1 for n in names if n.startswith(SHARED_PREFIX))
            unknown = {s: v for s, v in service_variables(names).items() if v}
            assert not unknown, f"{overlay}: {doc['metadata']['name']} sets {unknown}"
            other = {n for n in names if not n.startswith(SHARED_PREFIX)}
            used = {
                ref
                for e in env
                if e["name"].startswith(SHARED_PREFIX)
                for ref in re.findall(r"\$\((\w+)\)", str(e.get("value", "")))
            }
            assert other <= used, f"{overlay}: {doc['metadata']['name']}: unused {other - used}"
            assert used <= set(names), f"{overlay}: {doc['metadata']['name']}: undefined {used}"
    assert seen, "no KOKUHO_ variable found: the overlay was not read"


def test_the_old_key_directory_mistake_is_caught() -> None:
    unknown = service_variables({"KOKUHO_LINKAGE_GATEWAY_KEK_DIR": "/var/run/kek"})
    assert unknown["linkage-gateway"] == ["KOKUHO_LINKAGE_GATEWAY_KEK_DIR"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_misspelt_variable_stops_the_settings_with_its_name(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"{prefix_of(service)}DATABSE_DSN"
    monkeypatch.setenv(name, "postgresql://x")
    with pytest.raises(UnknownSetting, match=name):
        settings_class(service)()


@pytest.mark.parametrize("service", SERVICES)
def test_every_field_is_accepted_under_its_own_name(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = settings_class(service)
    environ = {prefix_of(service) + field.upper(): "x" for field in cls.model_fields}
    assert unknown_variables(cls, environ) == []


def test_every_service_gets_its_audit_key_from_a_mounted_secret() -> None:
    """ADR 0006: a service without its audit key refuses to start, so each Deployment names
    the key file and mounts it from a secret (never from the database or the image)."""
    deployed = set()
    for path, container in containers():
        service = str(container.get("name"))
        if service not in SERVICES or container.get("args", [None])[-1] != "serve":
            continue
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        key_path = env.get(f"{prefix_of(service)}AUDIT_KEY_PATH")
        assert key_path, f"{path}: {service} has no audit key path"
        mounts = [m["mountPath"] for m in container.get("volumeMounts", [])]
        assert any(key_path.startswith(m + "/") for m in mounts), f"{path}: key not mounted"
        deployed.add(service)
    assert deployed == set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_starting_with_a_misspelt_variable_stops_with_its_name(service: str) -> None:
    name = f"{prefix_of(service)}KEK_DIR"
    env = {k: v for k, v in os.environ.items() if not k.startswith(SHARED_PREFIX)}
    started = subprocess.run(
        [sys.executable, "-m", f"kokuho.{service.replace('-', '_')}", "serve"],
        env=env | {name: "/var/run/kek"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 2, started.stderr
    assert name in started.stderr
    assert "Traceback" not in started.stderr
