"""Render a new Kokuho service from ``templates/service/``, or delete one rendered before.

    python3 templates/render.py new <name> [--root DIR] [--no-lock]
    python3 templates/render.py delete <name> [--root DIR] [--no-lock]

``make new-service NAME=<name>`` and ``make delete-service NAME=<name>`` call it (and then
``uv sync``). Standard library only, so it runs before the workspace is installed.

``new`` writes every file of ``templates/service/`` (path and content with the placeholders
below filled in, ``.tmpl`` dropped), adds its import contracts (api -> app -> domain and what
each layer must not import, checked by ``lint-imports``) to the root ``pyproject.toml``, and
runs ``uv lock`` (the workspace gained a member). ``delete`` removes exactly those files (and
the caches tools left beside them), the import contracts and the
directories left empty, then runs ``uv lock`` again, so the
repository is as it was before ``new``. Files it did not create are left alone and named. The
service's Kubernetes component is generated from its code afterwards (``make new-service`` and
``make delete-service`` run ``deploy/k8s/generate.py`` once the workspace is synced).

Placeholders (``{{...}}`` in paths and contents):

- ``name``: the service name, ``home-care`` (directory, topic, manifests, roles);
- ``module``: ``home_care`` (``kokuho.<module>``, database ``kokuho_<module>``, event types);
- ``PREFIX``: ``HOME_CARE`` (the settings prefix ``KOKUHO_<PREFIX>_``);
- ``Class``: ``HomeCare`` (class names);
- ``port``: the HTTP port ``make run`` serves it on: the one README.md reserves for the name,
  else the lowest port from 8001 that no service declares and README.md does not reserve.
"""

from __future__ import annotations

import argparse
import keyword
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "service"
PORTS = range(8001, 8100)  # README "Local endpoints": services 8001-8099
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
MAX_NAME = 30  # kokuho_<module> and <name>-env stay short PostgreSQL and Kubernetes names
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
RESERVED_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*([a-z][a-z0-9-]*) \(reserved\)\s*\|", re.M)
#: names that would shadow a package of the kokuho namespace or a library
TAKEN_MODULES = {"events", "platform", "testing"}
#: what tools leave beside rendered files (removed by delete, never rendered)
CACHES = ("__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis")


class RenderError(Exception):
    pass


@dataclass(frozen=True)
class Service:
    name: str
    port: int

    @property
    def module(self) -> str:
        return self.name.replace("-", "_")

    def values(self) -> dict[str, str]:
        return {
            "name": self.name,
            "module": self.module,
            "PREFIX": self.module.upper(),
            "Class": "".join(part.capitalize() for part in self.name.split("-")),
            "port": str(self.port),
        }


def check_name(name: str) -> None:
    if not NAME.match(name) or len(name) > MAX_NAME:
        raise RenderError(
            f"{name!r} is not a service name: lower-case letters and digits, words joined by"
            f" '-', starting with a letter, at most {MAX_NAME} characters (benefits, home-care)"
        )
    module = name.replace("-", "_")
    if keyword.iskeyword(module) or module in TAKEN_MODULES:
        raise RenderError(f"{name!r} would make the package kokuho.{module}, which is taken")


def fill(text: str, values: dict[str, str], where: str) -> str:
    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise RenderError(f"{where}: unknown placeholder {{{{{key}}}}}")
        return values[key]

    return PLACEHOLDER.sub(one, text)


def template_files() -> list[Path]:
    """The template's files, relative to ``templates/service/`` (caches skipped)."""
    return sorted(
        p.relative_to(TEMPLATE)
        for p in TEMPLATE.rglob("*")
        if p.is_file() and not any(part in CACHES for part in p.parts)
    )


def rendered_path(relative: Path, values: dict[str, str]) -> Path:
    text = fill(relative.as_posix(), values, str(relative))
    return Path(text[: -len(".tmpl")] if text.endswith(".tmpl") else text)


def declared_ports(root: Path) -> dict[int, str]:
    """Every port a service (or its simulators) declares in its ``[tool.kokuho]`` table."""
    taken: dict[int, str] = {}
    for pyproject in sorted(root.glob("services/*/pyproject.toml")):
        table = tomllib.loads(pyproject.read_text()).get("tool", {}).get("kokuho", {})
        name = pyproject.parent.name
        if isinstance(table.get("port"), int):
            taken[table["port"]] = name
        for sim, port in table.get("simulators", {}).items():
            if isinstance(port, int):
                taken[port] = f"simulator {sim} of {name}"
    return taken


def reserved_ports(root: Path) -> dict[str, int]:
    """The ports README.md reserves for services to come (``| 8004 | benefits (reserved) |``)."""
    readme = root / "README.md"
    if not readme.is_file():
        return {}
    return {name: int(port) for port, name in RESERVED_ROW.findall(readme.read_text())}


def choose_port(root: Path, name: str) -> int:
    taken = declared_ports(root)
    reserved = reserved_ports(root)
    if name in reserved:
        port = reserved[name]
        if port in taken:
            raise RenderError(f"port {port}, reserved for {name}, is declared by {taken[port]}")
        return port
    for port in PORTS:
        if port not in taken and port not in reserved.values():
            return port
    raise RenderError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


PYPROJECT = Path("pyproject.toml")
ROOT_PACKAGES = "root_packages = [\n"
IO_LIBRARIES = '"asyncpg", "aiokafka", "fastapi", "starlette", "uvicorn", "httpx"'


def contracts_marks(name: str) -> tuple[str, str]:
    return (
        f"# --- import contracts of {name} (make new-service) ---\n",
        f"# --- end of {name} ---\n",
    )


def contracts_block(name: str, module: str) -> str:
    """The five import contracts every service has (architecture.md section 3)."""
    m = f"kokuho.{module}"
    begin, end = contracts_marks(name)
    return f"""{begin}[[tool.importlinter.contracts]]
name = "{name}: api -> app -> domain"
type = "layers"
layers = ["{m}.api", "{m}.app", "{m}.domain"]

[[tool.importlinter.contracts]]
name = "{name}: the domain imports neither app, adapters, api, bootstrap nor I/O"
type = "forbidden"
source_modules = ["{m}.domain"]
forbidden_modules = [
  "{m}.app", "{m}.adapters", "{m}.api", "{m}.bootstrap", "kokuho.events.runtime",
  {IO_LIBRARIES},
]

[[tool.importlinter.contracts]]
name = "{name}: the application layer imports no adapters, API or bootstrap"
type = "forbidden"
source_modules = ["{m}.app"]
forbidden_modules = ["{m}.adapters", "{m}.api", "{m}.bootstrap"]

[[tool.importlinter.contracts]]
name = "{name}: the application layer imports no I/O library itself"
type = "forbidden"
source_modules = ["{m}.app"]
forbidden_modules = [{IO_LIBRARIES}]
allow_indirect_imports = true

[[tool.importlinter.contracts]]
name = "{name}: adapters do not import the API"
type = "forbidden"
source_modules = ["{m}.adapters"]
forbidden_modules = ["{m}.api"]
{end}"""


def add_import_contracts(root: Path, name: str, module: str) -> None:
    path = root / PYPROJECT
    text = path.read_text()
    if ROOT_PACKAGES not in text:
        raise RenderError(f"{PYPROJECT}: no [tool.importlinter] {ROOT_PACKAGES.strip()}")
    text = text.replace(ROOT_PACKAGES, f'{ROOT_PACKAGES}  "kokuho.{module}",\n', 1)
    path.write_text(text.rstrip("\n") + "\n\n" + contracts_block(name, module))


def remove_import_contracts(root: Path, name: str, module: str) -> bool:
    path = root / PYPROJECT
    text = path.read_text()
    begin, end = contracts_marks(name)
    start, stop = text.find(begin), text.find(end)
    if start == -1 or stop == -1:
        return False
    text = text[:start].rstrip("\n") + "\n" + text[stop + len(end) :]
    text = text.replace(f'  "kokuho.{module}",\n', "", 1)
    path.write_text(text)
    return True


def uv_lock(root: Path, tag: str) -> None:
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        raise RenderError("uv not found (make install installs it); run `uv lock` yourself")
    print(f"[{tag}] {uv} lock", flush=True)
    subprocess.run([uv, "lock"], cwd=root, check=True)  # noqa: S603 (our own tool)


def find_ruff(root: Path) -> str | None:
    for candidate in (os.environ.get("RUFF"), str(root / ".venv" / "bin" / "ruff")):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("ruff")


def tidy(root: Path, files: list[Path]) -> None:
    """Sort the imports and format the rendered Python files: where the service's own imports
    go, and how long lines with its names wrap, depends on the name."""
    ruff = find_ruff(root)
    python = [str(f) for f in files if f.suffix == ".py"]
    if ruff is None:
        print("[new-service] ruff not found: run `make fmt` before `make check`", file=sys.stderr)
        return
    for command in (["check", "--fix", "--select", "I"], ["format"]):
        subprocess.run(  # noqa: S603 (our own tool on our own files)
            [ruff, *command, *python], cwd=root, check=True, stdout=subprocess.DEVNULL
        )


def new(root: Path, name: str, *, lock: bool = True) -> Service:
    check_name(name)
    service = Service(name, choose_port(root, name))
    values = service.values()
    plan = [(rel, rendered_path(rel, values)) for rel in template_files()]
    existing = [str(dest) for _, dest in plan if (root / dest).exists()]
    if (root / "services" / name).exists():
        existing.insert(0, f"services/{name}/")
    if existing:
        raise RenderError(f"{name} exists already: {', '.join(existing)}")
    for rel, dest in plan:
        text = fill((TEMPLATE / rel).read_text(), values, str(rel))
        target = root / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    add_import_contracts(root, name, service.module)
    tidy(root, [dest for _, dest in plan])
    print(f"[new-service] rendered {len(plan)} files for {name} (port {service.port}):")
    for _, dest in plan:
        print(f"  {dest}")
    print(f"  {PYPROJECT} (+ the import contracts of {name})")
    if lock:
        uv_lock(root, "new-service")
    return service


def delete(root: Path, name: str, *, lock: bool = True) -> list[Path]:
    """Remove what ``new`` made; returns the files left because ``new`` did not make them."""
    check_name(name)
    values = Service(name, 0).values()
    made = [root / rendered_path(rel, values) for rel in template_files()]
    removed = 0
    for path in made:
        if path.is_file():
            path.unlink()
            removed += 1
        for cache in path.parent.glob(f"__pycache__/{path.stem}.*.pyc"):
            cache.unlink()
    service_dir = root / "services" / name
    dirs = {p.parent for p in made} | {service_dir}
    if service_dir.is_dir():
        for cache in sorted(service_dir.rglob("*"), reverse=True):
            if cache.name in CACHES and cache.is_dir():
                shutil.rmtree(cache)
        dirs |= {p for p in service_dir.rglob("*") if p.is_dir()}
    for directory in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        if directory.is_dir():
            for cache in CACHES:
                if (directory / cache).is_dir() and not any(directory.glob("*.py")):
                    shutil.rmtree(directory / cache)
            if not any(directory.iterdir()):
                directory.rmdir()
    remove_import_contracts(root, name, values["module"])
    left = sorted(p for p in service_dir.rglob("*") if p.is_file()) if service_dir.is_dir() else []
    print(f"[delete-service] {name}: removed {removed} files")
    for path in left:
        print(f"[delete-service] left (not made by new-service): {path.relative_to(root)}")
    if lock:
        uv_lock(root, "delete-service")
    return left


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="templates/render.py", description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["new", "delete"])
    parser.add_argument("name")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this)")
    parser.add_argument("--no-lock", action="store_true", help="do not run `uv lock`")
    ns = parser.parse_args(argv)
    try:
        if ns.action == "new":
            new(ns.root.resolve(), ns.name, lock=not ns.no_lock)
        else:
            delete(ns.root.resolve(), ns.name, lock=not ns.no_lock)
    except (RenderError, subprocess.CalledProcessError) as error:
        print(f"[{ns.action}-service] ERROR: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
