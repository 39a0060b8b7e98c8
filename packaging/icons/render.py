"""Render packaging/icons/desktop-crm.svg to PNGs for the hicolor theme (and the Windows and
macOS icon steps): ``python render.py OUT_DIR [SIZE ...]`` writes OUT_DIR/SIZExSIZE/desktop-crm.png.
Run with the build venv's Python (it has Qt); no display is needed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

SVG = Path(__file__).with_name("desktop-crm.svg")
SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(out_dir: Path, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        target = out_dir / f"{size}x{size}" / "desktop-crm.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"cannot write {target}")
        written.append(target)
    return written


if __name__ == "__main__":
    app = QGuiApplication(sys.argv[:1])
    given = tuple(int(size) for size in sys.argv[2:]) or SIZES
    for path in render(Path(sys.argv[1]), given):
        print(path)
