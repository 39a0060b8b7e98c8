"""One running window per user: ``desktop-crm open tel:NUMBER`` hands the number to it.

The first instance listens on a QLocalServer; a later ``open`` connects, sends one line
(``tel:+8613800138000``) and exits. If nobody listens, the caller starts the app itself.
"""

from __future__ import annotations

import getpass
import logging
import re
from collections.abc import Callable
from urllib.parse import unquote

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 500


def server_name(suffix: str = "") -> str:
    user = re.sub(r"[^A-Za-z0-9_-]", "_", getpass.getuser() or "user")
    return f"desktop-crm-{user}{('-' + suffix) if suffix else ''}"


def phone_from_uri(uri: str) -> str:
    """``tel:+86%20138…`` -> ``+86 138…`` (also accepts a bare number)."""
    text = unquote(uri.strip())
    for prefix in ("tel:", "callto:", "sip:"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
            break
    return text.split(";", 1)[0].lstrip("/").strip()


def send_to_running(message: str, name: str | None = None) -> bool:
    """Give ``message`` to the running instance; False if there is none."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write((message + "\n").encode("utf-8"))
    socket.flush()
    socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for messages from later invocations and calls ``on_message`` on the GUI thread."""

    def __init__(
        self,
        on_message: Callable[[str], None],
        name: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_message = on_message
        self.name = name or server_name()
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        if self._server.listen(self.name):
            return True
        # A stale socket from a crashed run: remove it and try once more.
        QLocalServer.removeServer(self.name)
        ok = self._server.listen(self.name)
        if not ok:
            log.warning("cannot listen for screen pops: %s", self._server.errorString())
        return ok

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            if socket is None:
                break
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            line = bytes(socket.readLine().data()).decode("utf-8", "replace").strip()
            if line:
                self._on_message(line)

    def close(self) -> None:
        self._server.close()
