"""Dependencies point inwards (architecture.md section 3), checked for every service.

The import contracts (``[tool.importlinter]`` in the root pyproject.toml: api -> app ->
domain, what app, adapters and commands must not import, the libraries not importing the
services) are checked by ``lint-imports``, run here. Two allow-lists the linter cannot express
are checked by hand:

- ``kokuho.<service>.domain`` imports only the standard library, its own domain package and
  ``kokuho.platform.errors`` (the pure ``DomainError`` base), ``kokuho.platform.staff`` and
  ``kokuho.events.contracts.payment_numbers`` (the 納付番号 format);
- ``kokuho.events.contracts`` is pure data: the standard library and pydantic only.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def package_dirs(layer: str) -> list[Path]:
    return sorted(ROOT.glob(f"services/*/src/kokuho/*/{layer}"))


def violations(directory: Path, allowed: Callable[[str], bool]) -> list[str]:
    out = []
    for path in sorted(directory.rglob("*.py")):
        for module in sorted(imported_modules(path)):
            if not allowed(module):
                out.append(f"{path} imports {module}")
    return out


def test_the_checks_would_catch_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "domain"
    bad.mkdir()
    (bad / "rules.py").write_text("import asyncpg\nfrom kokuho.events.runtime import store\n")
    assert len(violations(bad, lambda m: m.split(".")[0] in sys.stdlib_module_names)) == 2


def test_domain_imports_only_the_standard_library() -> None:
    found = []
    for domain in package_dirs("domain"):
        own = f"kokuho.{domain.parent.name}.domain"

        def allowed(module: str, own: str = own) -> bool:
            return (
                module.split(".")[0] in sys.stdlib_module_names
                or module.startswith(own)
                or module == "kokuho.platform.errors"  # pure: the one DomainError base
                or module == "kokuho.platform.staff"  # pure: who a staff id names (C-11)
                # pure, standard library only: the C-96 erasure record every service writes
                or module == "kokuho.platform.erasure_records"
                # pure, standard library only: the retention period and report (ADR 0100)
                or module == "kokuho.platform.retention"
                # pure, standard library only: the 納付番号 format two services share
                or module == "kokuho.events.contracts.payment_numbers"
                # pure, standard library only: the transfer registry's rows (ADR 0089)
                or module == "kokuho.events.transfers"
            )

        found += violations(domain, allowed)
    assert found == []


def test_the_import_contracts_hold() -> None:
    """``lint-imports`` with the root pyproject.toml's contracts: every one kept."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_event_contracts_are_pure_data() -> None:
    contracts = ROOT / "libs/events/src/kokuho/events/contracts"

    def allowed(module: str) -> bool:
        top = module.split(".")[0]
        return (
            top in sys.stdlib_module_names
            or top == "pydantic"
            or module.startswith("kokuho.events.contracts")
        )

    assert violations(contracts, allowed) == []


def test_every_service_has_its_import_contracts() -> None:
    """A service without contracts would not be checked at all: each has the five that
    ``make new-service`` adds (api -> app -> domain and what each layer must not import)."""
    import tomllib

    linter = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    names = {c["name"] for c in linter["contracts"]}
    for pyproject in sorted(ROOT.glob("services/*/pyproject.toml")):
        service = pyproject.parent.name
        module = f"kokuho.{service.replace('-', '_')}"
        assert module in linter["root_packages"], service
        assert f"{service}: api -> app -> domain" in names, service
        assert sum(n.startswith(f"{service}: ") for n in names) >= 5, service
