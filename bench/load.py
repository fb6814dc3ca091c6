"""An open-loop HTTP/1.1 load generator cheap enough not to be the bottleneck (issue 15).

Requests are due at ``start + i / rate`` whatever the answers (open loop); each latency is
counted from the moment the request was due, so a server that stalls cannot hide its queue
(no coordinated omission). Requests go over ``connections`` keep-alive connections written on
raw asyncio streams: a request takes the next idle connection, or waits for one (that wait
counts in its latency). No HTTP library on the path: the request bytes are prepared once, the
response is read by its ``Content-Length`` (or chunks).

``generator_cost`` reports the generator's own CPU per request (``time.process_time``), so its
ceiling (1 / cost) is printed beside the figures it produced.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def request_bytes(
    method: str,
    path: str,
    host: str,
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> bytes:
    """One HTTP/1.1 keep-alive request, ready to write."""
    payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


class HttpConnection:
    """One keep-alive connection; one request at a time (no pipelining)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, base: str) -> HttpConnection:
        parts = urlsplit(base)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        return cls(reader, writer)

    async def send(self, raw: bytes) -> int:
        """Write ``raw`` and read the whole response; returns its status code."""
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = None
        chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        elif length:
            await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


@dataclass
class LoadResult:
    """Latencies (seconds, from the due time) of the answers with an expected status."""

    name: str
    rate: float
    latencies: list[float]
    failed: int
    seconds: float
    generator_cpu: float
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def achieved(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def ms(self, p: float) -> float:
        return percentile(self.latencies, p) * 1000

    @property
    def generator_cost(self) -> float:
        """CPU seconds of this process per request sent."""
        sent = len(self.latencies) + self.failed
        return self.generator_cpu / sent if sent else 0.0

    def line(self) -> str:
        ceiling = 1 / self.generator_cost if self.generator_cost else float("inf")
        rate = f"@{self.rate:>4.0f}/s" if self.rate else "  closed"
        return (
            f"{self.name:<34} {rate} achieved {self.achieved:7.1f}/s"
            f" p50 {self.ms(50):7.1f} ms p95 {self.ms(95):7.1f} ms p99 {self.ms(99):7.1f} ms"
            f" failed {self.failed} | generator {self.generator_cost * 1e6:4.0f} us/req"
            f" (ceiling ~{ceiling:,.0f}/s)"
        )


async def _connections(base: str, n: int) -> asyncio.Queue[HttpConnection]:
    idle: asyncio.Queue[HttpConnection] = asyncio.Queue()
    for conn in await asyncio.gather(*(HttpConnection.open(base) for _ in range(n))):
        idle.put_nowait(conn)
    return idle


def _close_all(idle: asyncio.Queue[HttpConnection]) -> None:
    while not idle.empty():
        idle.get_nowait().close()


async def open_loop(
    base: str,
    name: str,
    rate: float,
    seconds: float,
    request: Callable[[int], bytes],
    ok: frozenset[int] = frozenset({200}),
    connections: int = 64,
) -> LoadResult:
    """Send ``request(i)`` at ``start + i / rate`` for ``seconds``."""
    idle = await _connections(base, connections)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failed = 0
    total = int(rate * seconds)
    raws = [request(i) for i in range(total)]  # built before the clock starts

    async def one(raw: bytes, due: float) -> None:
        nonlocal failed
        conn = await idle.get()
        try:
            status = await conn.send(raw)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            failed += 1
            conn.close()
            idle.put_nowait(await HttpConnection.open(base))
            return
        idle.put_nowait(conn)
        statuses[status] = statuses.get(status, 0) + 1
        if status in ok:
            latencies.append(time.perf_counter() - due)
        else:
            failed += 1

    cpu = time.process_time()
    start = time.perf_counter()
    tasks = []
    for i, raw in enumerate(raws):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(raw, due)))
    await asyncio.gather(*tasks)
    took = time.perf_counter() - start
    cpu = time.process_time() - cpu
    _close_all(idle)
    return LoadResult(name, rate, latencies, failed, took, cpu, statuses)


async def closed_loop(
    base: str,
    name: str,
    seconds: float,
    request: Callable[[int], bytes],
    ok: frozenset[int] = frozenset({200}),
    connections: int = 8,
) -> LoadResult:
    """As many requests as ``connections`` busy connections get answered in ``seconds``: the
    saturation throughput (latency here is service time under saturation)."""
    idle = await _connections(base, connections)
    conns = [idle.get_nowait() for _ in range(connections)]
    latencies: list[float] = []
    failed = 0
    counter = 0
    cpu = time.process_time()
    start = time.perf_counter()
    end = start + seconds

    async def worker(conn: HttpConnection) -> None:
        nonlocal failed, counter
        while time.perf_counter() < end:
            i, counter = counter, counter + 1
            sent = time.perf_counter()
            status = await conn.send(request(i))
            if status in ok:
                latencies.append(time.perf_counter() - sent)
            else:
                failed += 1

    await asyncio.gather(*(worker(c) for c in conns))
    took = time.perf_counter() - start
    cpu = time.process_time() - cpu
    for c in conns:
        c.close()
    return LoadResult(name, 0, latencies, failed, took, cpu)
