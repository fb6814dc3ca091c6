"""The rendered CloudNativePG resources are read by the operator's own API model (issue 17).

CloudNativePG's CRD YAML and Go modules are not served by the registries this project reaches,
but npm carries its API model: ``@kubernetes-models/cloudnative-pg`` (pinned in
deploy/tools/cnpg-model/package-lock.json), generated from the operator's Go API types
(``github.com/cloudnative-pg/cloudnative-pg/api/v1``) with their validation. deploy/tools/
cnpg-model/validate.mjs reads each rendered Cluster, Database and ScheduledBackup into it and
refuses a value of the wrong type, a value outside an enumeration, a missing required field
and a kind the model does not have. (Unknown fields are not refused by this model; the API
server prunes them.)
"""

from __future__ import annotations

import copy
import functools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .test_k8s_strimzi import render  # deploy/k8s/render.py, loaded once

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "deploy/tools/cnpg-model"


@functools.cache
def installed() -> Path:
    assert shutil.which("node"), "node is needed (deploy/tools/cnpg-model)"
    assert shutil.which("npm"), "npm is needed (deploy/tools/cnpg-model)"
    done = subprocess.run(
        [str(TOOL / "install.sh")], capture_output=True, text=True, timeout=600, check=True
    )
    return Path(done.stdout.strip().splitlines()[-1])


def check(docs: list[dict[str, Any]]) -> tuple[int, dict[str, str]]:
    ran = subprocess.run(
        ["node", str(installed() / "validate.mjs")],
        input=json.dumps(docs),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    verdicts = {}
    for line in ran.stdout.splitlines():
        verdict, _, rest = line.partition(" ")
        name, _, why = rest.partition(": ")
        verdicts[name] = verdict + (f": {why}" if why else "")
    assert verdicts or not docs, ran.stderr
    return ran.returncode, verdicts


def cnpg(overlay: str) -> list[dict[str, Any]]:
    return [
        d for d in render.rendered(overlay) if d["apiVersion"].startswith("postgresql.cnpg.io/")
    ]


@pytest.mark.parametrize("overlay", render.OVERLAYS)
def test_every_cloudnativepg_resource_is_taken_by_the_model(overlay: str) -> None:
    docs = cnpg(overlay)
    assert {d["kind"] for d in docs} == {"Cluster", "Database", "ScheduledBackup"}
    code, verdicts = check(docs)
    refused = {name: v for name, v in verdicts.items() if v != "ok"}
    assert not refused, refused
    assert code == 0
    assert len(verdicts) == len(docs)


def test_the_model_refuses_what_cloudnativepg_would_not_take() -> None:
    docs = cnpg("production")
    cluster = copy.deepcopy(next(d for d in docs if d["kind"] == "Cluster"))
    cluster["spec"]["instances"] = "three"
    database = copy.deepcopy(next(d for d in docs if d["kind"] == "Database"))
    del database["spec"]["cluster"]
    backup = copy.deepcopy(next(d for d in docs if d["kind"] == "ScheduledBackup"))
    backup["spec"]["method"] = "tape"
    stranger = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Clusterr",
        "metadata": {"name": "typo"},
        "spec": {},
    }
    code, verdicts = check([cluster, database, backup, stranger])
    assert code == 1
    assert len(verdicts) == 4
    assert all(v.startswith("error") for v in verdicts.values()), verdicts
    assert "instances" in verdicts[f"Cluster/{cluster['metadata']['name']}"]
    assert "cluster" in verdicts[f"Database/{database['metadata']['name']}"]
    assert "method" in verdicts[f"ScheduledBackup/{backup['metadata']['name']}"]
    assert "not in the model" in verdicts["Clusterr/typo"]
