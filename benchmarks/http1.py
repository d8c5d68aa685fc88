"""A minimal HTTP/1.1 client and server on asyncio streams, fast enough to load a Hub.

The load generator must outrun the server on one core, so it sends prepared request bytes
over keep-alive connections and parses only the status line, headers and a
Content-Length body: nothing a Hub under test sends needs more.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

MAX_HEADER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Request:
    """A request as the peers' server received it; header names are lowercase."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    local_host: str

    @property
    def path(self) -> str:
        """Return the path without the query."""
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        """Return the query string without `?`."""
        return self.target.split("?", 1)[1] if "?" in self.target else ""


@dataclass(frozen=True)
class Response:
    """What a handler answers."""

    status: int
    body: bytes = b""
    content_type: str = "application/activity+json"


Handler = Callable[[Request], Awaitable[Response]]

REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}


def build_request(
    method: str, target: str, host: str, headers: dict[str, str], body: bytes = b""
) -> bytes:
    """Return the bytes of one keep-alive request."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "host"]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > MAX_HEADER_BYTES:
        raise ValueError("header block too large")
    first, *lines = head[:-4].decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return first, headers


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return b"".join(chunks)
            chunks.append(chunk[:-2])
    length = int(headers.get("content-length", "0"))
    return await reader.readexactly(length) if length else b""


@dataclass
class LoadResult:
    """Latencies (seconds) and statuses of one load run, and its wall time."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    wall_seconds: float = 0.0

    def count(self, *statuses: int) -> int:
        """Return how many responses had one of these statuses."""
        return sum(self.statuses.get(status, 0) for status in statuses)


async def run_load(
    host: str, port: int, requests: Iterator[bytes], *, concurrency: int
) -> LoadResult:
    """Send every prepared request over `concurrency` keep-alive connections, in order."""
    result = LoadResult()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for request in requests:  # shared iterator: each request is sent once
                started = time.perf_counter()
                writer.write(request)
                try:
                    status_line, headers = await _read_head(reader)
                    await _read_body(reader, headers)
                except (asyncio.IncompleteReadError, ConnectionError):
                    result.errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                result.latencies.append(time.perf_counter() - started)
                status = int(status_line.split(" ", 2)[1])
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if headers.get("connection", "").lower() == "close":
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    result.wall_seconds = time.perf_counter() - started
    return result


async def fetch(host: str, port: int, request: bytes) -> tuple[int, bytes]:
    """Send one request on a new connection; return (status, body)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        status_line, headers = await _read_head(reader)
        return int(status_line.split(" ", 2)[1]), await _read_body(reader, headers)
    finally:
        writer.close()


async def serve_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handler: Handler
) -> None:
    """Answer requests on one keep-alive connection until the client closes it."""
    local_host = writer.get_extra_info("sockname")[0]
    try:
        while True:
            try:
                request_line, headers = await _read_head(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            method, target, _version = request_line.split(" ", 2)
            body = await _read_body(reader, headers)
            response = await handler(Request(method, target, headers, body, local_host))
            reason = REASONS.get(response.status, "Status")
            writer.write(
                (
                    f"HTTP/1.1 {response.status} {reason}\r\n"
                    f"Content-Type: {response.content_type}\r\n"
                    f"Content-Length: {len(response.body)}\r\n\r\n"
                ).encode("latin-1")
                + response.body
            )
            await writer.drain()
    except (ConnectionError, ValueError):
        return
    finally:
        writer.close()
