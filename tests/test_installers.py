"""The installers' sources (issue 11): the Windows MSI compiles with msitools' ``wixl`` and its
tables hold what IT relies on; the PyInstaller spec's macOS bundle registers tel:/callto:; the
Linux files are valid. Real Windows and macOS builds run on their own CI runners."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from desktop_crm import __version__

PACKAGING = Path(__file__).resolve().parents[1] / "packaging"
WINDOWED = "Desktop CRM"  # the spec's WINDOWED_NAME: the Windows GUI executable
NEEDS_MSITOOLS = pytest.mark.skipif(
    not (shutil.which("wixl") and shutil.which("wixl-heat") and shutil.which("msiinfo")),
    reason="msitools (wixl, wixl-heat, msiinfo) is not installed: apt-get install wixl msitools",
)


def _table(msi: Path, name: str) -> list[list[str]]:
    """The rows of one MSI table (``msiinfo export``: two header lines, then the name)."""
    text = subprocess.run(
        ["msiinfo", "export", str(msi), name], capture_output=True, text=True, check=True
    ).stdout
    return [line.split("\t") for line in text.splitlines()[3:] if line]


@pytest.fixture(scope="module")
def msi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (shutil.which("wixl") and shutil.which("wixl-heat") and shutil.which("msiinfo")):
        pytest.skip("msitools (wixl, wixl-heat, msiinfo) is not installed")
    tree = tmp_path_factory.mktemp("bundle")  # a stand-in for the Windows bundle
    (tree / "desktop-crm.exe").write_bytes(b"MZ stand-in")  # console: the command line
    (tree / f"{WINDOWED}.exe").write_bytes(b"MZ stand-in")  # windowed: the window
    (tree / "_internal" / "PySide6" / "plugins").mkdir(parents=True)
    (tree / "_internal" / "python311.dll").write_bytes(b"dll")
    (tree / "_internal" / "PySide6" / "plugins" / "qwindows.dll").write_bytes(b"dll")
    out = tree.parent / "desktop-crm.msi"
    subprocess.run(
        [str(PACKAGING / "windows" / "make-msi"), str(tree), __version__, str(out)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out


@NEEDS_MSITOOLS
def test_the_msi_installs_per_machine_into_program_files(msi: Path) -> None:
    properties = dict(row[:2] for row in _table(msi, "Property"))
    assert properties["ALLUSERS"] == "1" and properties["ProductVersion"] == __version__
    directories = {row[0]: row for row in _table(msi, "Directory")}
    assert directories["INSTALLDIR"][1:] == ["ProgramFiles64Folder", "Desktop CRM"]
    files = {row[2].split("|")[-1]: row for row in _table(msi, "File")}  # short|long name
    assert {"desktop-crm.exe", f"{WINDOWED}.exe", "python311.dll", "qwindows.dll"} <= set(files)
    assert len(files) == 4  # each executable once: its own component, not also in BundleFiles
    (shortcut,) = _table(msi, "Shortcut")
    assert shortcut[1:3] == ["ProgramMenuFolder", "Desktop CRM"]
    assert shortcut[4] == f"[INSTALLDIR]{WINDOWED}.exe"  # no console window from the menu


@NEEDS_MSITOOLS
def test_the_msi_registers_tel_and_callto(msi: Path) -> None:
    registry = {(row[2], row[3]): row[4] for row in _table(msi, "Registry")}
    command = f'"[INSTALLDIR]{WINDOWED}.exe" open "%1"'  # the windowed one: no console
    for scheme in ("tel", "callto"):
        assert registry[(f"Software\\Classes\\{scheme}\\", "URL Protocol")] == ""
        assert registry[(f"Software\\Classes\\{scheme}\\shell\\open\\command", "")] == command
        assert registry[("Software\\Desktop CRM\\Capabilities\\URLAssociations", scheme)] == (
            "DesktopCRM.Phone"
        )
    assert all(row[1] == "2" for row in _table(msi, "Registry"))  # HKLM: per machine


@NEEDS_MSITOOLS
def test_the_msi_properties_write_the_machine_wide_policy_file(msi: Path) -> None:
    (action,) = [row for row in _table(msi, "CustomAction") if row[0] == "WritePolicy"]
    kind, source, target = int(action[1]), action[2], action[3]
    assert source == "DesktopCrmExe"  # runs the installed command line (console program)
    files = {row[0]: row[2].split("|")[-1] for row in _table(msi, "File")}
    assert files[source] == "desktop-crm.exe"
    assert kind & 0x3F == 18 and kind & 0x400 and kind & 0x800  # exe; deferred; as SYSTEM
    assert target.startswith('write-policy --path "[PolicyDir]policy.toml"')
    for flag, prop in (("--server-url", "SERVER_URL"), ("--lock", "LOCK_SERVER"),
                       ("--sync-interval", "SYNC_INTERVAL")):  # fmt: skip
        assert f'{flag} "[{prop}]"' in target
    sequence = {row[0]: row for row in _table(msi, "InstallExecuteSequence")}
    condition = sequence["WritePolicy"][1]
    assert condition.startswith("NOT REMOVE") and "SERVER_URL" in condition
    assert int(sequence["WritePolicy"][2]) > int(sequence["InstallFiles"][2])
    directories = {row[0]: row for row in _table(msi, "Directory")}
    assert directories["PolicyDir"][1:] == ["CommonAppDataFolder", "Desktop CRM"]
    components = {row[0]: row for row in _table(msi, "Component")}
    assert components["PolicyFolder"][2] == "PolicyDir"
    assert ["PolicyDir", "PolicyFolder"] in _table(msi, "CreateFolder")


@dataclass
class _Built:
    """What one spec run asked PyInstaller to build (stand-ins for the spec's globals)."""

    executables: list[dict[str, Any]] = field(default_factory=list)
    collected: list[Any] = field(default_factory=list)
    bundles: list[dict[str, Any]] = field(default_factory=list)
    analysis: Any = None

    def globals(self) -> dict[str, Any]:
        def analysis(scripts: list[str], **options: Any) -> types.SimpleNamespace:
            qt_translations = [
                (f"PySide6/Qt/translations/{name}.qm", "src", "DATA")
                for name in ("qtbase_de", "qtbase_zh_CN", "qt_help_fr")
            ]
            self.analysis = types.SimpleNamespace(
                scripts=scripts, pure=["pure"], binaries=[("PySide6/Qt/lib/libQt6Core.so.6",
                "src", "BINARY")], datas=[(dest, src, "DATA") for src, dest in options["datas"]]
                + qt_translations, options=options,
            )  # fmt: skip
            return self.analysis

        def exe(*tocs: Any, **options: Any) -> dict[str, Any]:
            self.executables.append(options)
            return options

        def collect(*tocs: Any, **options: Any) -> str:
            self.collected.extend(tocs)
            return str(options["name"])

        def bundle(coll: str, **options: Any) -> None:
            self.bundles.append(options)

        return {"SPECPATH": str(PACKAGING), "Analysis": analysis, "PYZ": lambda pure: "pyz",
                "EXE": exe, "COLLECT": collect, "BUNDLE": bundle}  # fmt: skip


def _run_spec(platform: str, monkeypatch: pytest.MonkeyPatch) -> _Built:
    """Run packaging/desktop-crm.spec as PyInstaller would on ``platform``, with stand-ins
    that record the executables it makes (PyInstaller cannot cross-build)."""
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda package: [package]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "platform", platform)
    built = _Built()
    spec = PACKAGING / "desktop-crm.spec"
    exec(compile(spec.read_text(encoding="utf-8"), str(spec), "exec"), built.globals())
    return built


def test_windows_gets_a_windowed_executable_beside_the_console_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = _run_spec("win32", monkeypatch)
    consoles = {exe["name"]: exe["console"] for exe in built.executables}
    assert consoles == {"desktop-crm": True, WINDOWED: False}
    # Both in the one folder, sharing its _internal (the MSI installs that folder).
    assert all(exe["exclude_binaries"] for exe in built.executables)
    assert [item for item in built.collected if isinstance(item, dict)] == built.executables
    assert not built.bundles


def test_the_bundle_has_qt_translations_only_in_the_programs_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = _run_spec("linux", monkeypatch)
    qt = [name for name, _, _ in built.analysis.datas if "Qt/translations/" in name]
    assert qt == ["PySide6/Qt/translations/qtbase_zh_CN.qm"]  # what ui.i18n loads
    assert built.analysis.options["hookspath"] == [str(PACKAGING / "hooks")]


def test_the_qtgui_hook_leaves_out_plugins_before_their_libraries_are_looked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The hook replaces PyInstaller's own for PySide6.QtGui: same result, less the unused
    plugins, so what only they link (GTK's Cairo, Pango, …) never enters the bundle."""
    plugins = "/venv/site-packages/PySide6/Qt/plugins"
    found = [
        (f"{plugins}/{name}.so", f"PySide6/Qt/plugins/{name.split('/')[0]}")
        for name in ("platformthemes/libqgtk3", "platformthemes/libqxdgdesktopportal",
                     "platforms/libqxcb", "platforms/libqwayland", "platforms/libqeglfs",
                     "platforms/libqoffscreen", "egldeviceintegrations/libqeglfs-kms-integration")
    ]  # fmt: skip
    qt = types.ModuleType("PyInstaller.utils.hooks.qt")
    qt.add_qt6_dependencies = lambda hook_file: (["PySide6.QtCore"], found, [])  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks.qt", qt)
    hook = PACKAGING / "hooks" / "hook-PySide6.QtGui.py"
    namespace: dict[str, Any] = {"__file__": str(hook)}
    exec(compile(hook.read_text(encoding="utf-8"), str(hook), "exec"), namespace)
    kept = {Path(source).stem for source, _ in namespace["binaries"]}
    assert kept == {"libqxdgdesktopportal", "libqxcb", "libqwayland", "libqoffscreen"}
    assert namespace["hiddenimports"] == ["PySide6.QtCore"]


def test_the_bundle_leaves_out_only_modules_the_program_never_imports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A module the spec excludes is missing from the bundle: nothing in desktop_crm may
    import it (the checkout would run, the installed program would not)."""
    excluded = _run_spec("linux", monkeypatch).analysis.options["excludes"]
    assert "phonenumbers.geodata" in excluded
    package = PACKAGING.parent / "desktop_crm"
    imported: set[str] = set()
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module)
                imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    assert "phonenumbers.timezone" in imported  # the scan sees "from phonenumbers import x"
    wrong = {n for n in imported for x in excluded if n == x or n.startswith(f"{x}.")}
    assert not wrong


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_linux_and_macos_keep_one_executable(
    platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _run_spec(platform, monkeypatch)
    assert [(exe["name"], exe["console"]) for exe in built.executables] == [("desktop-crm", True)]
    assert len(built.bundles) == (platform == "darwin")


def test_the_macos_bundle_opens_tel_and_callto_links() -> None:
    tree = ast.parse((PACKAGING / "desktop-crm.spec").read_text(encoding="utf-8"))
    calls = {
        node.func.id: node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert {"Analysis", "EXE", "COLLECT", "BUNDLE"} <= set(calls)  # one spec, onedir
    info = next(k.value for k in calls["BUNDLE"].keywords if k.arg == "info_plist")
    assert isinstance(info, ast.Dict)
    plist = ast.literal_eval(
        ast.Dict(
            keys=[k for k, v in zip(info.keys, info.values, strict=True) if k and _literal(v)],
            values=[v for v in info.values if _literal(v)],
        )
    )
    (url_type,) = plist["CFBundleURLTypes"]
    assert url_type["CFBundleURLSchemes"] == ["tel", "callto"]


def _literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstreamcli is not installed")
def test_the_appstream_metadata_is_valid(tmp_path: Path) -> None:
    text = (PACKAGING / "linux" / "com.example.desktop_crm.metainfo.xml").read_text("utf-8")
    filled = tmp_path / "com.example.desktop_crm.metainfo.xml"
    filled.write_text(text.replace("@VERSION@", __version__).replace("@DATE@", "2026-12-02"))
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(filled)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils absent")
def test_the_desktop_entry_is_valid() -> None:
    entry = PACKAGING / "linux" / "desktop-crm.desktop"
    done = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout
