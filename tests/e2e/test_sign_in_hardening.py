"""Sign-in over real sockets: a first sign-in whose answer is lost registers one device, not
two; a throttled sign-in is a clear refusal (CLI exit code 4)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from desktop_crm.client.profile import Profile, ProfileSettings
from desktop_crm.client.session import sign_in
from desktop_crm.server import models as m
from desktop_crm.sync.http_client import Offline
from tests.e2e.conftest import CuttingProxy, E2EServer, run_cli


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
    # The first sign-in reaches the server whole; none of its answer reaches the client.
    with CuttingProxy(e2e_server.live.port, schedule=[("response", 0)]) as proxy:
        settings.server_url = proxy.url
        with pytest.raises(Offline):
            sign_in(profile, settings, "pw-rep1")
        assert proxy.cuts == ["response@0"]
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
