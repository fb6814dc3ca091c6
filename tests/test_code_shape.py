"""The shape every service keeps (issue 8, service-shape.md): small modules, short functions,
and the write skeleton only in the platform.

Exceptions are listed here with their reason, so that they are decisions, not drift.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    p
    for p in [*ROOT.glob("services/*/src/**/*.py"), *ROOT.glob("services/*/simulators/**/*.py")]
    if "/tests/" not in str(p)
)
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
#: path (from the repository root) -> why it may be longer
LONG_MODULES: dict[str, str] = {}
#: "path:function" -> why it may be longer
LONG_FUNCTIONS: dict[str, str] = {}


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_every_service_module_is_small() -> None:
    assert SOURCES, "no service sources found"
    too_long = {
        relative(p): n
        for p in SOURCES
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
        and relative(p) not in LONG_MODULES
    }
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"


def test_every_service_function_is_short() -> None:
    too_long: dict[str, int] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                key = f"{relative(path)}:{node.name}"
                if length > MAX_FUNCTION_LINES and key not in LONG_FUNCTIONS:
                    too_long[key] = length
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines: {too_long}"


def test_no_route_opens_its_own_transaction() -> None:
    """The write skeleton (acquire, transaction, Idempotency-Key) lives once, in
    kokuho.platform.calls; routes call use cases inside it."""
    skeleton = re.compile(r"\.transaction\(\)|\.acquire\(\)|idem\.begin|\.complete\(conn")
    offenders = [
        relative(p)
        for p in ROOT.glob("services/*/src/kokuho/*/api/**/*.py")
        if skeleton.search(p.read_text())
    ]
    assert not offenders, f"routes with their own transaction skeleton: {offenders}"


def test_no_service_keeps_its_own_kit_piece() -> None:
    """One request base, one error base, one pagination helper, one write context."""
    own = re.compile(
        r"class (Strict|Closed|_In)\(BaseModel\)|def (encode|decode)_cursor|"
        r"DOMAIN_ERRORS|_all_rule_errors|def runtime_of|"
        r"app\.state\.(eligibility|assessment|gateway)"
    )
    offenders = {
        relative(p): sorted({m.group(0) for m in own.finditer(p.read_text())})
        for p in ROOT.glob("services/*/src/**/*.py")
        if own.search(p.read_text())
    }
    assert not offenders, f"service-own copies of kit pieces: {offenders}"


def test_routes_reach_their_dependencies_one_way() -> None:
    """Every service's routes get what they need through the aliases of api/deps.py; no router
    reaches into ``app.state`` itself."""
    for service in sorted(ROOT.glob("services/*/src/kokuho/*/api")):
        assert (service / "deps.py").exists(), f"{relative(service)} has no deps.py"
        for router in service.glob("*.py"):
            if router.name != "deps.py":
                assert "app.state" not in router.read_text(), relative(router)
