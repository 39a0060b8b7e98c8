"""The architecture's dependency rules, checked on the source (docs/architecture.md, "Layers").

    ui ──▶ client ──▶ sync ──▶ storage ──▶ domain
                        └──▶ protocol ──▶ domain
    server ──▶ protocol, domain

``app.py`` (the entry point) and ``demo.py`` (the demo's embedded server beside a client) are
the composition: the only modules that may join client and server.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "desktop_crm"
QT = {"PySide6", "shiboken6"}

# folder -> desktop_crm subpackages and modules it must not import
FORBIDDEN: dict[str, set[str]] = {
    "domain": {"protocol", "storage", "sync", "client", "ui", "server", "app", "demo"},
    "protocol": {"storage", "sync", "client", "ui", "server", "app", "demo"},
    "storage": {"protocol", "sync", "client", "ui", "server", "app", "demo"},
    "sync": {"client", "ui", "server", "app", "demo"},
    "client": {"ui", "server", "app", "demo"},
    "ui": {"server", "app", "demo"},
    "server": {"storage", "sync", "client", "ui", "app", "demo"},
}
#: Modules at the package root besides the composition would form an unnamed layer.
ROOT_MODULES = {"__init__.py", "__main__.py", "app.py", "demo.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # ``from desktop_crm import cli`` names the module in the alias
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _sources(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", sorted(set(FORBIDDEN) - {"ui"}))
def test_no_qt_outside_ui(folder: str) -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in _sources(folder)
        if any(name.split(".")[0] in QT for name in _imports(path))
    ]
    assert offenders == []


def test_only_the_entry_point_imports_qt_at_the_root() -> None:
    offenders = [
        path.name
        for path in PACKAGE.glob("*.py")
        if path.name != "app.py" and any(n.split(".")[0] in QT for n in _imports(path))
    ]
    assert offenders == []


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_dependencies_point_inward(folder: str) -> None:
    offenders = []
    for path in _sources(folder):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "desktop_crm" and len(parts) > 1 and parts[1] in FORBIDDEN[folder]:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_no_sql_in_the_ui() -> None:
    """The window asks client/ services; queries and transactions live in storage/."""
    offenders = []
    for path in _sources("ui"):
        for name in _imports(path):
            if name.split(".")[0] == "sqlalchemy" or name.startswith("desktop_crm.storage.schema"):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
        text = path.read_text(encoding="utf-8")
        for call in (".engine.begin(", ".engine.connect("):
            if call in text:
                offenders.append(f"{path.relative_to(PACKAGE)} opens a connection ({call})")
    assert offenders == []


def test_no_sql_in_the_client_layer() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _sources("client")
        for name in _imports(path)
        if name.startswith(("sqlalchemy", "desktop_crm.storage.schema"))
    ]
    assert offenders == []


def test_no_loose_modules_at_the_package_root() -> None:
    loose = {path.name for path in PACKAGE.glob("*.py")} - ROOT_MODULES
    assert loose == set()


def _long_functions(limit: int) -> list[str]:
    found = []
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    return found


def test_no_function_over_100_lines_outside_migrations() -> None:
    assert _long_functions(100) == []


def test_the_client_layer_loads_without_qt() -> None:
    """The command line and scripts use client/ on machines without display libraries."""
    modules = sorted(
        f"desktop_crm.client.{path.stem}" for path in (PACKAGE / "client").glob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'shiboken6'})\n"
        "print(loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
