"""A misbehaving HTTP server on 127.0.0.x for the hostile-portal transport tests.

`HostileServer(root)` serves a mirror tree like `crawler.fixtureserver.FixtureServer`
(exact bytes, 404 for anything else) and, for the paths in `routes`, runs a *behavior*
instead: a function `(handler, attempt)` where `attempt` counts the requests for that
path (query ignored) from 1, so "fail twice, then serve" is `attempts(status(503),
status(503), serve)`. Behaviors: `serve`, `status`, `redirect`, `slow`, `trickle`,
`reset`, `truncated`, `huge`, `gzip_bomb`, `page`.

Every request is recorded (`requests`, `hits(path)`), and `sent` keeps the body bytes
actually written for the streamed behaviors (`huge`). Sleeping behaviors wake up when
the server shuts down. Broken pipes and resets caused by the client are expected and
kept quiet.
"""
from __future__ import annotations

import gzip
import io
import mimetypes
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

Behavior = Callable[["Handler", int], None]


class Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.0"        # one response per connection: resets stay local
    server_version = "hostile/1"

    @property
    def owner(self) -> "HostileServer":
        return self.server.owner

    @property
    def route(self) -> str:
        return unquote(urlsplit(self.path).path)

    def do_GET(self) -> None:  # noqa: N802
        attempt = self.owner._record(self.path, self.route)
        behavior = self.owner.routes.get(self.route, self.owner.fallback)
        try:
            behavior(self, attempt)
        except (BrokenPipeError, ConnectionResetError):
            pass                                      # the client gave up: expected

    # --- building blocks ---------------------------------------------------------
    def file_bytes(self) -> bytes | None:
        """The tree's file for this path, or None."""
        if self.owner.root is None:
            return None
        target = (self.owner.root / self.route.lstrip("/")).resolve()
        if self.owner.root not in target.parents or not target.is_file():
            return None
        return target.read_bytes()

    def head(self, status: int, length: int | None, ctype: str = "text/html",
             **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def reply(self, status: int, body: bytes, ctype: str = "text/html", **headers: str) -> None:
        self.head(status, len(body), ctype, **headers)
        self.wfile.write(body)

    def rst(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), not a FIN."""
        self.wfile.flush()
        self.rfile.close()                            # drop the makefile() reference first
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


class _Server(ThreadingHTTPServer):
    request_queue_size = 128      # the crawler opens many connections at once
    daemon_threads = True
    owner: "HostileServer"

    def handle_error(self, request: object, client_address: object) -> None:
        pass                                          # resets and broken pipes: expected


class HostileServer:
    """`with HostileServer(root, routes={path: behavior}) as srv: srv.url("/path")`."""

    def __init__(self, root: str | Path | None = None, routes: dict[str, Behavior] | None = None,
                 host: str = "127.0.0.1", fallback: Behavior | None = None) -> None:
        self.root = Path(root).resolve() if root is not None else None
        self.routes: dict[str, Behavior] = dict(routes or {})
        self.fallback: Behavior = fallback or serve
        self.requests: list[str] = []
        self.sent: Counter[str] = Counter()
        self.closing = threading.Event()
        self._lock = threading.Lock()
        self._hits: Counter[str] = Counter()
        self.httpd = _Server((host, 0), Handler)
        self.httpd.owner = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _record(self, raw: str, route: str) -> int:
        with self._lock:
            self.requests.append(raw)
            self._hits[route] += 1
            return self._hits[route]

    def hits(self, path: str) -> int:
        """How many requests asked for `path` (any query)."""
        return self._hits[path]

    @property
    def origin(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, path: str) -> str:
        return self.origin + path

    def __enter__(self) -> "HostileServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


# --- behaviors ----------------------------------------------------------------------

def serve(h: Handler, attempt: int) -> None:
    """The tree's file, as FixtureServer serves it (404 when there is none)."""
    data = h.file_bytes()
    if data is None:
        h.reply(404, b"<html><body>not found</body></html>")
        return
    ctype = mimetypes.guess_type(h.route)[0] or "text/html"
    h.reply(200, data, ctype)


def page(body: bytes, ctype: str = "text/html") -> Behavior:
    """Always these bytes, whatever the path."""
    return lambda h, n: h.reply(200, body, ctype)


def status(code: int) -> Behavior:
    return lambda h, n: h.reply(code, f"<html><body>error {code}</body></html>".encode())


def redirect(location: str | Callable[[Handler, int], str], code: int = 302) -> Behavior:
    """A redirect to `location` (or to what `location(handler, attempt)` gives)."""
    def run(h: Handler, n: int) -> None:
        target = location(h, n) if callable(location) else location
        h.reply(code, b"<html><body>moved</body></html>", Location=target)
    return run


def attempts(*behaviors: Behavior) -> Behavior:
    """The n-th request gets the n-th behavior; the last one repeats."""
    return lambda h, n: behaviors[min(n, len(behaviors)) - 1](h, n)


def slow(delay: float) -> Behavior:
    """Nothing (not even a status line) for `delay` seconds, then the file."""
    def run(h: Handler, n: int) -> None:
        if not h.owner.closing.wait(delay):
            serve(h, n)
    return run


def trickle(interval: float, step: int = 32) -> Behavior:
    """Headers at once, then the file `step` bytes every `interval` seconds."""
    def run(h: Handler, n: int) -> None:
        data = h.file_bytes() or b""
        h.head(200, len(data))
        for i in range(0, len(data), step):
            if h.owner.closing.wait(interval):
                return
            h.wfile.write(data[i:i + step])
    return run


def reset(body_share: float | None = None) -> Behavior:
    """A TCP reset: before the status line (`body_share` None) or after the headers and
    that share of the file."""
    def run(h: Handler, n: int) -> None:
        if body_share is not None:
            data = h.file_bytes() or b""
            h.head(200, len(data))
            h.wfile.write(data[:int(len(data) * body_share)])
        else:
            h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Ty")
        h.rst()
    return run


def truncated(h: Handler, attempt: int) -> None:
    """Content-Length of the whole file, half of it sent, then a clean close (FIN)."""
    data = h.file_bytes() or b""
    h.head(200, len(data))
    h.wfile.write(data[:len(data) // 2])
    h.close_connection = True


def huge(size: int, declared: bool = True, chunk: int = 1 << 16) -> Behavior:
    """`size` bytes of HTML, streamed (never built in memory), with or without a
    Content-Length; `server.sent[path]` counts what was written before the client quit."""
    block = (b"<p>" + b"x" * (chunk - 8) + b"</p>\n")[:chunk]

    def run(h: Handler, n: int) -> None:
        h.head(200, size if declared else None)
        left = size
        while left > 0 and not h.owner.closing.is_set():
            part = block[:min(left, chunk)]
            h.wfile.write(part)
            with h.owner._lock:
                h.owner.sent[h.route] += len(part)
            left -= len(part)
    return run


@cache
def bomb_bytes(decompressed: int, member: int = 64 << 20) -> bytes:
    """gzip of `decompressed` zero bytes: one member of `member` zeros, repeated (gzip
    allows concatenated members), so it is cheap to build: ~1 KB per MB."""
    out = io.BytesIO()
    zeros = bytes(1 << 20)
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as gz:
        for _ in range(member // len(zeros)):
            gz.write(zeros)
    return out.getvalue() * max(1, decompressed // member)


def gzip_bomb(decompressed: int) -> Behavior:
    """Content-Encoding: gzip, small on the wire, `decompressed` bytes once inflated."""
    def run(h: Handler, n: int) -> None:
        h.reply(200, bomb_bytes(decompressed), Content_Encoding="gzip")
    return run
