"""Issue 14, item 9, the server's side: its data directory is owner-only (files 0600, folder
0700) and ``serve --tls-cert/--tls-key`` serves https. Against ``desktop-crm-server`` run as a
process, over HTTPS with a self-signed certificate made in the test."""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from desktop_crm.server import db
from desktop_crm.server.cli import main

ROOT = Path(__file__).resolve().parents[2]
SECRET = "tls-test-secret-" + "s" * 40
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (``cryptography``, else ``openssl``)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        if shutil.which("openssl") is None:
            pytest.skip("making a test certificate needs the cryptography package or openssl")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        return cert, key
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, key


def _trusting(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["DESKTOP_CRM_SERVER_SECRET"] = SECRET
    env.pop("DESKTOP_CRM_SERVER_DATABASE_URL", None)
    env.pop("DESKTOP_CRM_SERVER_DEMO", None)
    return env


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """``desktop-crm-server serve`` over TLS on a fresh data directory holding demo data:
    (https URL, certificate, data directory)."""
    cert, key = _self_signed(tmp_path)
    data = tmp_path / "data"
    assert main(["demo-data", "--data-dir", str(data), "--demo", "--accounts", "3"]) == 0
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_crm.server.cli", "serve", "--data-dir", str(data),
         "--port", str(port), "--log-level", "warning",
         "--tls-cert", str(cert), "--tls-key", str(key)],
        env=_server_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # until it answers (or stops, or the deadline passes)
            if process.poll() is not None:
                assert process.stderr is not None
                pytest.fail(f"the server stopped: {process.stderr.read().decode()[-2000:]}")
            try:
                httpx.get(url + "/health", verify=_trusting(cert), timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("the server did not answer within 60 s")
                time.sleep(0.1)
        yield url, cert, data
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def test_serve_over_tls(tls_server: tuple[str, Path, Path]) -> None:
    url, cert, _data = tls_server
    with httpx.Client(base_url=url, verify=_trusting(cert)) as https:
        login = https.post("/auth/login", json={"username": "rep1", "password": "demo"})
        assert login.status_code == 200, login.text
        token = {"Authorization": f"Bearer {login.json()['access_token']}"}
        snapshot = https.get("/sync/snapshot", headers=token)
        assert snapshot.status_code == 200 and snapshot.json()["records"]
    with pytest.raises(httpx.TransportError):  # no plain http on a TLS port
        httpx.get(url.replace("https://", "http://") + "/health", timeout=5)
    with pytest.raises(httpx.TransportError):  # and a client that does not trust it refuses
        httpx.get(url + "/health", timeout=5)


@POSIX_ONLY
def test_the_data_directory_is_owner_only(tls_server: tuple[str, Path, Path]) -> None:
    url, cert, data = tls_server
    with httpx.Client(base_url=url, verify=_trusting(cert)) as https:  # the server writes
        assert https.post("/auth/login", json={"username": "rep2", "password": "demo"}).is_success
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir()}
    assert {"server.db", "server.db-wal", "server.db-shm"} <= set(modes), modes
    assert all(mode == 0o600 for mode in modes.values()), modes


@POSIX_ONLY
def test_an_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "server.db"
    engine = db.make_engine(db.sqlite_url(path))
    db.migrate(engine)
    engine.dispose()
    for file in tmp_path.iterdir():
        file.chmod(0o644)
    engine = db.make_engine(db.sqlite_url(path))
    try:
        db.migrate(engine)  # the data is kept: the schema is there, nothing to do
        assert db.current_revision(engine) == db.head_revision()
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        assert all(mode == 0o600 for mode in modes.values()), modes
    finally:
        engine.dispose()


def test_tls_options_are_checked_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cert, key = _self_signed(tmp_path)
    monkeypatch.setenv("DESKTOP_CRM_SERVER_SECRET", SECRET)
    serve = ["serve", "--data-dir", str(tmp_path / "data"), "--port", str(_free_port())]
    assert main([*serve, "--tls-cert", str(cert)]) == 2
    assert "--tls-cert and --tls-key go together" in capsys.readouterr().err
    assert main([*serve, "--tls-cert", str(cert), "--tls-key", str(tmp_path / "none")]) == 2
    assert "--tls-key" in capsys.readouterr().err
    assert main([*serve, "--tls-cert", str(key), "--tls-key", str(key)]) == 2
    assert "not a matching PEM certificate and key" in capsys.readouterr().err
