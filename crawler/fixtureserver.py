"""A small HTTP server for a fixture portal (a mirror tree on disk) on 127.0.0.1.

Used by the tests and by `scrapy demo`. Files are served as their exact bytes; a folder's
path (`/`, `/news/`) serves its `index.html`; any other path that is not a file is a 404.
Query strings are ignored, except that a file named `<path>?<query>` (the query as sent,
e.g. `site/news/widgets/_news_index_all_list?p=2&type=ajax`) is served for that exact URL
when it exists: pages that differ only by their query string.
"""

from __future__ import annotations

import mimetypes
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Handler(BaseHTTPRequestHandler):
    server_version = "fixture/1"

    def __init__(
        self,
        *args: object,
        root: Path,
        log: list[str],
        header_log: list[tuple[str, dict[str, str]]],
        **kwargs: object,
    ) -> None:
        self.root, self.log, self.header_log = root, log, header_log
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        self.log.append(self.path)
        self.header_log.append((self.path, dict(self.headers.items())))
        parts = urlsplit(self.path)
        rel = unquote(parts.path).lstrip("/")
        found = False
        for name in ([f"{rel}?{parts.query}"] if parts.query else []) + [rel]:
            try:
                target = (self.root / name).resolve()
                if target.is_dir():
                    target = target / "index.html"
                found = self.root in target.parents and target.is_file()
            except (OSError, ValueError):  # NUL bytes, names too long …
                found = False
            if found:
                break
        if not found:
            self.send_error(404)
            return
        data = target.read_bytes()
        ctype = mimetypes.guess_type(target.name)[0] or "text/html"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


class _Server(ThreadingHTTPServer):
    # The crawler opens CONCURRENT_REQUESTS (16) connections at once; the default listen backlog
    # of 5 overflows and each dropped SYN stalls the client about a second.
    request_queue_size = 128
    daemon_threads = True


class FixtureServer:
    """`with FixtureServer(root) as srv: srv.url("/path")`; `srv.requests` lists paths asked for,
    `srv.request_headers` the same requests as (path, headers) pairs."""

    def __init__(self, root: str | Path, port: int = 0) -> None:
        self.root = Path(root).resolve()
        self.requests: list[str] = []
        self.request_headers: list[tuple[str, dict[str, str]]] = []
        handler = partial(_Handler, root=self.root, log=self.requests, header_log=self.request_headers)
        self.httpd = _Server(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.origin + path

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main(argv: list[str] | None = None) -> None:
    """`python -m crawler.fixtureserver DIR [PORT]`: serve a fixture portal until Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m crawler.fixtureserver", description=main.__doc__)
    parser.add_argument("root", help="the portal's pages, e.g. seeds/ofweek/site")
    parser.add_argument("port", nargs="?", type=int, default=8000)
    opts = parser.parse_args(argv)
    srv = FixtureServer(opts.root, opts.port)
    print(f"serving {srv.root} at {srv.origin} (Ctrl-C to stop)", flush=True)
    try:
        srv.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.httpd.server_close()


if __name__ == "__main__":
    main()
