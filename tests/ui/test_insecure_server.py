"""The sign-in screen refuses a plain ``http://`` server on another machine with a message in
plain words (issue 14, item 9); nothing is sent and no profile is created."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path
from typing import Any

import pytest

from desktop_crm.client.profile import Profile
from desktop_crm.ui.app_controller import ProfileController
from desktop_crm.ui.first_run import SignInDialog


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sign_in_refuses_plain_http_to_another_machine(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A request that escaped the check would meet a closed loopback port, never the network.
    trap = f"http://127.0.0.1:{_closed_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, trap)
    monkeypatch.setenv("NO_PROXY", "")
    profile = Profile(tmp_path / "profile")
    controller = ProfileController(profile, instance_name=f"insecure-{uuid.uuid4().hex[:8]}")
    try:
        controller.start()
        dialog = controller.dialog
        assert isinstance(dialog, SignInDialog) and dialog.first_run
        dialog.server.setText("http://crm.example.invalid:8765")
        dialog.username.setText("rep1")
        dialog.password.setText("demo")
        dialog.passphrase.setText("correct horse battery")
        dialog.passphrase_again.setText("correct horse battery")
        dialog._check()
        qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=15_000)
        assert "unencrypted" in dialog.error.text()
        assert "InsecureServerUrl" not in dialog.error.text()  # plain words, no class name
        assert not profile.replica_path.exists()
    finally:
        controller.shutdown()
