"""``make new-service`` renders a service of the one shape; ``make delete-service`` removes it
without trace.

Everything happens in a copy of this repository (its tracked and untracked, not ignored files,
committed there as a baseline), never in the repository itself: the renderer writes the service
(with ``uv lock``), ruff and the service's own unit tests run on it there, then the renderer
deletes it and the copy's ``git status`` must be clean (``uv.lock`` byte for byte as before).
No PostgreSQL or Kafka needed (the service's integration tests run with ``make test`` once it
is rendered in the real repository).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAME = "shape-check"  # not "probe": the guide renders that one in the working tree
MODULE = "shape_check"

#: every file of the target shape (docs/adding-a-service.md), relative to the repository
SHAPE = [
    f"services/{NAME}/pyproject.toml",
    f"services/{NAME}/README.md",
    f"services/{NAME}/migrations/0001_{MODULE}.sql",
    *(
        f"services/{NAME}/src/kokuho/{MODULE}/{p}"
        for p in (
            "__init__.py",
            "__main__.py",
            "config.py",
            "bootstrap.py",
            "commands.py",
            "domain/__init__.py",
            "domain/case.py",
            "domain/errors.py",
            "app/__init__.py",
            "app/ports.py",
            "app/cases.py",
            "adapters/__init__.py",
            "adapters/unit_of_work.py",
            "adapters/memory.py",
            "api/__init__.py",
            "api/deps.py",
            "api/schemas.py",
            "api/cases.py",
            "parameters/README.md",
        )
    ),
    f"services/{NAME}/tests/unit/test_case.py",
    f"services/{NAME}/tests/unit/test_cases.py",
    f"services/{NAME}/tests/unit/test_unit_of_work_contract.py",
    f"services/{NAME}/tests/integration/test_{MODULE}_api.py",
    f"libs/events/src/kokuho/events/contracts/{MODULE}.py",
]


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        [
            "git",
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def ruff() -> str:
    found = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    assert Path(found).is_file(), "ruff is not installed (make install)"
    return found


def render(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(repo / "templates" / "render.py"), *args, "--root", str(repo)],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"RUFF": ruff()},
        timeout=120,
    )


def renderer(repo: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("kokuho_render", repo / "templates/render.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository as it is (tracked and untracked, not ignored), committed."""
    dest = tmp_path_factory.mktemp("repository")
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in sorted(set(listed.split("\0")) - {""}):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    assert not (dest / "services" / NAME).exists(), f"{NAME} is rendered in the repository"
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "baseline")
    return dest


@pytest.fixture(scope="module")
def rendered(repo: Path) -> Path:
    result = render(repo, "new", NAME)
    assert result.returncode == 0, result.stdout + result.stderr
    return repo


def declared_port(repo: Path, service: str) -> int:
    table = tomllib.loads((repo / f"services/{service}/pyproject.toml").read_text())
    port = table["tool"]["kokuho"]["port"]
    assert isinstance(port, int)
    return port


def test_the_template_is_seen_by_no_tool() -> None:
    """Template files end in .tmpl, so pytest, ruff, mypy and the uv workspace skip them."""
    files = [p for p in (ROOT / "templates" / "service").rglob("*") if p.is_file()]
    assert files
    assert [p for p in files if p.suffix != ".tmpl" and "__pycache__" not in p.parts] == []


def test_the_rendered_tree_has_every_file_of_the_shape(rendered: Path) -> None:
    missing = [path for path in SHAPE if not (rendered / path).is_file()]
    assert missing == []
    made = {
        p.relative_to(rendered).as_posix()
        for p in (rendered / "services" / NAME).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert made <= set(SHAPE)
    for path in SHAPE:
        assert "{{" not in (rendered / path).read_text(), f"{path}: a placeholder is left"
    readme = (rendered / f"services/{NAME}/README.md").read_text()
    for section in ("Owns", "Publishes", "Consumes", "Endpoints", "Commands", "Tests"):
        assert f"\n## {section}\n" in readme
    contract = (rendered / f"libs/events/src/kokuho/events/contracts/{MODULE}.py").read_text()
    assert f'EVENTS_TOPIC = "kokuho.{NAME}.events"' in contract
    config = (rendered / f"services/{NAME}/src/kokuho/{MODULE}/config.py").read_text()
    assert f'env_prefix="KOKUHO_{MODULE.upper()}_"' in config
    assert "events_topic: str = contracts.EVENTS_TOPIC" in config


def test_the_port_is_declared_and_distinct(rendered: Path) -> None:
    port = declared_port(rendered, NAME)
    others = {
        p.parent.name: declared_port(rendered, p.parent.name)
        for p in rendered.glob("services/*/pyproject.toml")
        if p.parent.name != NAME
    }
    reserved = renderer(rendered).reserved_ports(rendered)
    assert port not in set(others.values()) | set(reserved.values())
    assert 8001 <= port < 8100
    # the lowest free one
    assert all(p in set(others.values()) | set(reserved.values()) for p in range(8001, port))
    ports = subprocess.run(
        ["bash", "deploy/local/run.sh", "ports"],
        cwd=rendered,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert ports.returncode == 0, ports.stderr
    assert [str(port), NAME] in [line.split()[:2] for line in ports.stdout.splitlines()]


def test_ports_reserved_in_the_readme_are_kept_for_their_names(repo: Path, tmp_path: Path) -> None:
    render_module = renderer(repo)
    (tmp_path / "README.md").write_text(
        "| Port | Service / simulator |\n| --- | --- |\n| 8001 | alpha |\n"
        "| 8002 | benefits (reserved) |\n| 8004 | collection (reserved) |\n"
    )
    for name, table in {
        "alpha": "[tool.kokuho]\nport = 8001\n",
        "gamma": "[tool.kokuho]\nport = 8005\n[tool.kokuho.simulators]\nsim = 8003\n",
    }.items():
        (tmp_path / "services" / name).mkdir(parents=True)
        (tmp_path / "services" / name / "pyproject.toml").write_text(table)
    assert render_module.reserved_ports(tmp_path) == {"benefits": 8002, "collection": 8004}
    assert render_module.choose_port(tmp_path, "benefits") == 8002
    assert render_module.choose_port(tmp_path, "collection") == 8004
    # 8001 declared, 8002 reserved, 8003 a simulator's, 8004 reserved, 8005 declared
    assert render_module.choose_port(tmp_path, "other") == 8006
    # the real README reserves the three services to come
    reserved = render_module.reserved_ports(repo)
    assert reserved.items() <= {"benefits": 8004, "collection": 8005, "delinquency": 8006}.items()


def test_bad_names_are_refused(repo: Path) -> None:
    render_module = renderer(repo)
    for bad in ("Probe", "9lives", "events", "platform", "a_b", "a--b", "import", "x" * 31):
        with pytest.raises(render_module.RenderError):
            render_module.check_name(bad)
    render_module.check_name("home-care")


def test_the_workspace_is_locked_and_the_manifests_left_to_the_generator(rendered: Path) -> None:
    # deploy/k8s/generate.py writes the service's component from its code (make new-service)
    assert git(rendered, "status", "--porcelain", "--", "deploy/k8s") == ""
    assert f'name = "kokuho-{NAME}"' in (rendered / "uv.lock").read_text()


def test_the_import_contracts_are_added(rendered: Path) -> None:
    linter = tomllib.loads((rendered / "pyproject.toml").read_text())["tool"]["importlinter"]
    module = f"kokuho.{NAME.replace('-', '_')}"
    assert module in linter["root_packages"]
    names = {c["name"] for c in linter["contracts"] if c["name"].startswith(f"{NAME}: ")}
    assert len(names) == 5, names
    layers = next(c for c in linter["contracts"] if c["name"] == f"{NAME}: api -> app -> domain")
    assert layers["layers"] == [f"{module}.api", f"{module}.app", f"{module}.domain"]


def test_rendering_twice_is_refused(rendered: Path) -> None:
    again = render(rendered, "new", NAME, "--no-lock")
    assert again.returncode == 1
    assert "exists already" in again.stderr


def test_ruff_passes_on_the_rendered_service(rendered: Path) -> None:
    paths = [f"services/{NAME}", f"libs/events/src/kokuho/events/contracts/{MODULE}.py"]
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [ruff(), *command, "--no-cache", *paths],
            cwd=rendered,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_longest_name_renders_ruff_clean_and_goes_again(rendered: Path) -> None:
    """Names wrap lines and sort imports differently: the longest name allowed still passes."""
    long = "abcdefghijklm-nopqrstuvw-xyzab"
    assert len(long) == renderer(rendered).MAX_NAME
    made = render(rendered, "new", long, "--no-lock")
    assert made.returncode == 0, made.stdout + made.stderr
    module = long.replace("-", "_")
    paths = [f"services/{long}", f"libs/events/src/kokuho/events/contracts/{module}.py"]
    check = subprocess.run(
        [ruff(), "check", "--no-cache", *paths], cwd=rendered, capture_output=True, text=True
    )
    gone = render(rendered, "delete", long, "--no-lock")
    assert check.returncode == 0, check.stdout + check.stderr
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert not (rendered / "services" / long).exists()


def test_the_rendered_unit_tests_pass(rendered: Path) -> None:
    sources = [rendered / f"services/{NAME}/src", rendered / "libs/events/src"]
    sources.append(rendered / "libs/platform/src")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "not integration",
            f"services/{NAME}",
        ],
        cwd=rendered,
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"PYTHONPATH": os.pathsep.join(map(str, sources))},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


def test_delete_service_removes_it_without_trace(rendered: Path) -> None:
    """Defined last: it removes what the tests above look at."""
    result = render(rendered, "delete", NAME)
    assert result.returncode == 0, result.stdout + result.stderr
    assert git(rendered, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (rendered / "services" / NAME).exists()
    left = [p for p in rendered.rglob(f"*{NAME}*") if ".git" not in p.relative_to(rendered).parts]
    assert left == []
