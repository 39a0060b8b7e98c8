"""Sign-in over real sockets: a first sign-in whose answer is lost registers one device, not
two; a throttled sign-in is a clear refusal (CLI exit code 4)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from desktop_crm.client_session import sign_in
from desktop_crm.profile import Profile, ProfileSettings
from desktop_crm.server import models as m
from desktop_crm.sync.http_client import Offline
from tests.e2e.conftest import E2EServer, run_cli


class DropFirstAnswers:
    """A loopback TCP proxy that passes each request to the server whole, and of the first
    ``drops`` answers forwards nothing: the client sees the connection close after the server
    has done the work (the server commits before it answers)."""

    def __init__(self, target_port: int, drops: int = 1) -> None:
        self.target_port = target_port
        self.drops = drops
        self.dropped = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> DropFirstAnswers:
        self._spawn(self._accept)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.listener.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._spawn(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        with self._lock:
            drop = self.dropped < self.drops
            self.dropped += drop
        upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)

        def close() -> None:
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

        def forward_requests() -> None:
            try:
                while chunk := client.recv(65536):
                    upstream.sendall(chunk)
            except OSError:
                pass

        self._spawn(forward_requests)
        try:
            while chunk := upstream.recv(65536):
                if drop:
                    break  # the answer has started: the work is done; the client gets nothing
                client.sendall(chunk)
        except OSError:
            pass
        finally:
            close()


def _devices(server: E2EServer, installation_id: str) -> list[str]:
    with server.engine.connect() as conn:
        return list(
            conn.scalars(
                select(m.devices.c.id).where(
                    m.devices.c.user_id == server.world.users["rep1"],
                    m.devices.c.installation_id == installation_id,
                )
            )
        )


def test_a_lost_first_sign_in_answer_leaves_one_device(
    e2e_server: E2EServer, tmp_path: Path
) -> None:
    profile = Profile(tmp_path / "laptop")
    settings = ProfileSettings(server_url="", username="rep1")
    with DropFirstAnswers(e2e_server.live.port) as proxy:
        settings.server_url = proxy.url
        with pytest.raises(Offline):
            sign_in(profile, settings, "pw-rep1")
        assert proxy.dropped == 1
        saved = profile.load_settings()
        # The installation id was saved before the request; the device id never arrived.
        assert saved.installation_id and not saved.device_id and not saved.replica_id
        registered = _devices(e2e_server, saved.installation_id)
        assert len(registered) == 1  # the server did register it
        # The retry (through the same proxy, now passing answers on) gets that device.
        signed_in = sign_in(profile, saved, "pw-rep1")
        signed_in.client.close()
    assert _devices(e2e_server, saved.installation_id) == registered
    again = profile.load_settings()
    assert again.device_id == registered[0] and again.replica_id
    assert again.installation_id == saved.installation_id


def test_the_cli_reports_a_throttled_sign_in(e2e_server: E2EServer, tmp_path: Path) -> None:
    with httpx.Client(base_url=e2e_server.url) as http:
        for _ in range(5):
            wrong = http.post("/auth/login", json={"username": "rep1", "password": "nope"})
            assert wrong.status_code == 401
    good = e2e_server.password_file("rep1")
    run = run_cli(
        "sync",
        "--profile",
        str(tmp_path / "cli"),
        "--server",
        e2e_server.url,
        "--user",
        "rep1",
        "--password-file",
        str(good),
    )
    assert run.returncode == 4, (run.stdout, run.stderr)
    assert "sign-in refused: Too many failed sign-ins; try again in 5 minutes." in run.stderr
