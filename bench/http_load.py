"""A light closed-loop HTTP/1.1 load generator for many concurrent clients.

The server benchmark measured N concurrent clients with N httpx threads in one Python
process: on a 2-core machine that process used as much CPU per request as the server did,
so the p95 it printed was mostly the load generator's own queue (GIL and httpx overhead).
Here each client is one keep-alive connection on one asyncio loop, sending a pre-built
request and reading the answer by its Content-Length: a few tens of microseconds of client
CPU per request, so the figure is the server's.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class LoadResult:
    """Latencies of every request (seconds) and the wall time of the whole run."""

    latencies: list[float]
    wall_s: float
    failures: int

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[94] * 1000

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall_s


def _request(host: str, target: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one response; its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _client(
    base: str, request: bytes, count: int, start: asyncio.Event, out: list[float]
) -> int:
    parts = urlsplit(base)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    failures = 0
    try:
        await start.wait()
        for _ in range(count):
            began = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            out.append(time.perf_counter() - began)
            failures += status != 200
    finally:
        writer.close()
    return failures


async def _run(base: str, request: bytes, clients: int, count: int) -> LoadResult:
    start = asyncio.Event()
    latencies: list[float] = []
    tasks = [
        asyncio.create_task(_client(base, request, count, start, latencies)) for _ in range(clients)
    ]
    await asyncio.sleep(0.2)  # every connection open before the clock starts
    began = time.perf_counter()
    start.set()
    failures = sum(await asyncio.gather(*tasks))
    return LoadResult(latencies, time.perf_counter() - began, failures)


def get_load(
    base: str, target: str, headers: dict[str, str], clients: int, per_client: int
) -> LoadResult:
    """``clients`` connections each sending ``per_client`` GETs of ``target`` back to back."""
    host = urlsplit(base).netloc
    return asyncio.run(_run(base, _request(host, target, headers), clients, per_client))
