"""The rendered Strimzi resources are read by Strimzi's own API model (issue 17).

Strimzi publishes its API model (``io.strimzi:api``) on Maven Central, but not its CRD YAML nor
the generator that writes it. deploy/tools/strimzi-model/StrimziModelCheck.java reads each
rendered Kafka, KafkaNodePool, KafkaTopic and KafkaUser into that model and refuses a field the
model does not know, a value of the wrong type, and a value it does not keep (an unknown
listener type or ACL operation). CloudNativePG's resources are read by its model from npm
(tests/test_k8s_cnpg.py).
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "deploy/tools/strimzi-model"


def _render() -> Any:
    spec = importlib.util.spec_from_file_location("k8s_render", ROOT / "deploy/k8s/render.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["k8s_render"] = module
    spec.loader.exec_module(module)
    return module


render = _render()


@functools.cache
def classpath() -> str:
    out = ROOT / ".local/strimzi-model.classpath"
    out.parent.mkdir(exist_ok=True)
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(TOOL / "pom.xml"),
            "dependency:build-classpath",
            f"-Dmdep.outputFile={out}",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out.read_text().strip()


def check(docs: list[dict[str, Any]]) -> tuple[int, dict[str, str]]:
    ran = subprocess.run(
        ["java", "-cp", classpath(), str(TOOL / "StrimziModelCheck.java")],
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
    return ran.returncode, verdicts


def strimzi(overlay: str) -> list[dict[str, Any]]:
    return [d for d in render.rendered(overlay) if d["apiVersion"].startswith("kafka.strimzi.io/")]


@pytest.mark.parametrize("overlay", render.OVERLAYS)
def test_every_strimzi_resource_is_taken_by_the_model(overlay: str) -> None:
    docs = strimzi(overlay)
    assert {d["kind"] for d in docs} == {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"}
    code, verdicts = check(docs)
    refused = {name: v for name, v in verdicts.items() if v != "ok"}
    assert not refused, refused
    assert code == 0
    assert len(verdicts) == len(docs)


def test_the_model_refuses_what_strimzi_would_not_take() -> None:
    docs = strimzi("production")
    kafka = copy.deepcopy(next(d for d in docs if d["kind"] == "Kafka"))
    kafka["spec"]["kafka"]["listeners"][0]["type"] = "internall"
    pool = copy.deepcopy(next(d for d in docs if d["kind"] == "KafkaNodePool"))
    pool["spec"]["replicas"] = "three"
    topic = copy.deepcopy(next(d for d in docs if d["kind"] == "KafkaTopic"))
    topic["spec"]["replica"] = 3
    user = copy.deepcopy(next(d for d in docs if d["kind"] == "KafkaUser"))
    user["spec"]["authorization"]["acls"][0]["operations"] = ["Wrte"]
    code, verdicts = check([kafka, pool, topic, user])
    assert code == 1
    assert all(v.startswith("error") for v in verdicts.values()), verdicts
    assert len(verdicts) == 4
    assert ".spec.replica" in verdicts[f"KafkaTopic/{topic['metadata']['name']}"]
    assert "Wrte" in verdicts[f"KafkaUser/{user['metadata']['name']}"]
