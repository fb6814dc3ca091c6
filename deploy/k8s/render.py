"""Render an overlay with the pinned kustomize (deploy/tools/kustomize.sh installs it).

uv run python deploy/k8s/render.py production > production.yaml
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
OVERLAYS = sorted(p.parent.name for p in (HERE / "overlays").glob("*/kustomization.yaml"))


@functools.cache
def kustomize() -> str:
    found = subprocess.run(  # noqa: S603 - our own script
        [str(HERE.parent / "tools/kustomize.sh")], capture_output=True, text=True, check=True
    )
    return found.stdout.strip()


@functools.cache
def rendered_text(overlay: str) -> str:
    built = subprocess.run(  # noqa: S603 - the pinned kustomize
        [kustomize(), "build", str(HERE / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode:
        raise RuntimeError(f"kustomize build {overlay}: {built.stderr}")
    return built.stdout


@functools.cache
def rendered(overlay: str) -> list[dict[str, Any]]:
    """The overlay's resources (cached: callers must not change them)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [d for d in yaml.load_all(rendered_text(overlay), Loader=loader) if d]


if __name__ == "__main__":
    sys.stdout.write(rendered_text(sys.argv[1]))
