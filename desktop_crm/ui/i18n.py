"""Languages: English (the source strings) and Simplified Chinese, from Qt .qm files.

The .ts sources live in ``resources/translations`` (edit them with ``pyside6-linguist``).
``python -m desktop_crm.ui.i18n`` refreshes them from the code (``pyside6-lupdate``) and
compiles the .qm files into the package (``desktop_crm/ui/translations``, shipped as package
data); a test checks the committed .qm files are up to date and every message is translated.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

QM_DIR = Path(__file__).with_name("translations")
TS_DIR = Path(__file__).resolve().parents[2] / "resources" / "translations"
LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}

_installed: list[QTranslator] = []


def system_language() -> str:
    name = QLocale.system().name()  # e.g. "zh_CN", "en_US"
    if name.startswith("zh"):
        return "zh_CN"
    return "en"


def install_language(language: str = "") -> str:
    """Install the translator for ``language`` ("" follows the system locale); returns the
    language in use. English needs no translator."""
    app = QCoreApplication.instance()
    if app is None:
        return "en"
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    chosen = language or system_language()
    if chosen not in LANGUAGES:
        chosen = "en"
    if chosen != "en":
        translator = QTranslator(app)
        if translator.load(str(QM_DIR / f"desktop_crm_{chosen}.qm")):
            app.installTranslator(translator)
            _installed.append(translator)
            # Qt's own strings (Save, Cancel, context menus).
            qt_translator = QTranslator(app)
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if qt_translator.load(f"qtbase_{chosen}", qt_dir):
                app.installTranslator(qt_translator)
                _installed.append(qt_translator)
        else:
            chosen = "en"
    QLocale.setDefault(QLocale(chosen))
    return chosen


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    return found


def compile_translations(out_dir: Path = QM_DIR) -> list[Path]:
    """Compile every ``resources/translations/*.ts`` into ``out_dir``; returns the .qm paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for ts in sorted(TS_DIR.glob("desktop_crm_*.ts")):
        qm = out_dir / (ts.stem + ".qm")
        subprocess.run(
            [_tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)],
            check=True,
        )
        written.append(qm)
    return written


def update_sources() -> None:
    """Collect new strings from the code into the .ts files (keeps existing translations)."""
    sources = sorted(str(p) for p in Path(__file__).parent.glob("*.py"))
    for ts in sorted(TS_DIR.glob("desktop_crm_*.ts")):
        subprocess.run(
            [_tool("pyside6-lupdate"), "-silent", "-no-obsolete", *sources, "-ts", str(ts)],
            check=True,
        )


if __name__ == "__main__":
    update_sources()
    for path in compile_translations():
        print(path)  # noqa: T201
