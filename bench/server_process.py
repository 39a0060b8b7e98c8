"""A real ``desktop-crm-server serve`` in its own process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

#: A bench-only signing secret (the server refuses to run without one outside demo mode).
SECRET = "bench-secret-" + "z" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server_process(database_url: str, workers: int = 1) -> Iterator[str]:
    """Serve ``database_url``; yields the base URL once /health answers."""
    port = free_port()
    env = {**os.environ, "DESKTOP_CRM_SERVER_SECRET": SECRET}
    command = [
        sys.executable, "-m", "desktop_crm.server.cli", "serve",
        "--database", database_url, "--port", str(port), "--log-level", "warning",
        "--workers", str(workers),
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
