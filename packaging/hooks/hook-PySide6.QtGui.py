"""PyInstaller hook for PySide6.QtGui (used instead of PyInstaller's own, which this wraps): the
same files, less the Qt plugins a desktop client never loads.

Left out here, before PyInstaller looks for the plugins' own dependencies: dropped afterwards
(as the spec did) the plugins went, but what they link stayed in the bundle. The GTK theme
alone brought Cairo, Pango, ATK, GDK-Pixbuf, HarfBuzz, Thai, FriBidi and Pixman along, into the
bundle and into the .deb's Depends; Qt's own style looks right without it. The embedded-Linux
platforms (EGLFS, LinuxFB, VNC, …) need no desktop and are not used by this program.
"""

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

UNUSED_PLUGINS = (
    "platformthemes/libqgtk3",
    "platforms/libqeglfs",
    "platforms/libqlinuxfb",
    "platforms/libqvnc",
    "platforms/libqvkkhrdisplay",
    "platforms/libqminimalegl",
    "egldeviceintegrations/",
    "generic/",
)


def _used(source: str) -> bool:
    path = source.replace("\\", "/")
    return not any(f"/plugins/{name}" in path for name in UNUSED_PLUGINS)


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [entry for entry in binaries if _used(entry[0])]
