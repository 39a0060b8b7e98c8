"""A real ``desktop-crm-server serve`` in its own process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

#: A bench-only signing secret (the server refuses to run without one outside demo mode).
SECRET = "bench-secret-" + "z" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class RunningServer:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server and its worker processes: on a
        shared machine a steadier figure per request than wall-clock latency."""
        return sum(_cpu_of(pid) for pid in (self.pid, *_children(self.pid)))


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _stat(int(entry.name))[1:2] == [str(pid)]:
            out.append(int(entry.name))
    return out


def _stat(pid: int) -> list[str]:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return text.rsplit(") ", 1)[1].split()  # fields after the command name


def _cpu_of(pid: int) -> float:
    fields = _stat(pid)
    if not fields:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server_process(database_url: str, workers: int = 1) -> Iterator[str]:
    """Serve ``database_url``; yields the base URL once /health answers."""
    with running_server(database_url, workers) as server:
        yield server.base


@contextmanager
def running_server(database_url: str, workers: int = 1) -> Iterator[RunningServer]:
    """Serve ``database_url``; yields the server once /health answers (and, with several
    workers, once every worker process has started and had time to open the database)."""
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
        if workers > 1:
            _wait_for_workers(process.pid, workers, deadline)
        yield RunningServer(base, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for_workers(pid: int, workers: int, deadline: float) -> None:
    # Each worker is a child of the supervisor; give them time to import and open the database.
    while len(_children(pid)) < workers and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2.0)
