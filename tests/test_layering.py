"""The architecture's dependency rules, checked on the source (STYLE.md, habit 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "desktop_crm"

# folder -> top-level desktop_crm subpackages it must not import
FORBIDDEN: dict[str, set[str]] = {
    "domain": {"storage", "sync", "ui", "server", "app", "profile"},
    "storage": {"sync", "ui", "server", "app"},
    "sync": {"ui", "server", "app"},
    "server": {"storage", "sync", "ui", "app"},
    "protocol": {"storage", "sync", "ui", "server", "app"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("folder", ["domain", "protocol", "storage", "sync", "server"])
def test_no_qt_below_ui(folder: str) -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in (PACKAGE / folder).rglob("*.py")
        if any(name.split(".")[0] in {"PySide6", "shiboken6"} for name in _imports(path))
    ]
    assert offenders == []


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_dependencies_point_inward(folder: str) -> None:
    offenders = []
    for path in (PACKAGE / folder).rglob("*.py"):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "desktop_crm" and len(parts) > 1 and parts[1] in FORBIDDEN[folder]:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []
