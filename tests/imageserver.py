"""A local image server (real generated images and bad ones) and a crawl runner.

`ImageServer` serves, on 127.0.0.1, images generated with Pillow at start-up and
records every request (path and headers). `run_crawl(config_path)` runs a tiny
spider yielding `Article`s through the images pipeline in a fresh process (a fresh
reactor) and writes the items, the stats and the peak RSS as JSON.
"""
from __future__ import annotations

import io
import json
import random
import struct
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw


# --- generated images -----------------------------------------------------------

def photo(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """A photo-like RGB picture: gradients, shapes and noise (so JPEG has work to do)."""
    w, h = size
    rnd = random.Random(seed)
    base = Image.merge("RGB", (
        Image.linear_gradient("L").resize(size),
        Image.linear_gradient("L").rotate(90).resize(size),
        Image.effect_noise(size, 40).convert("L"),
    ))
    draw = ImageDraw.Draw(base)
    for _ in range(12):
        x0, y0 = rnd.randrange(w), rnd.randrange(h)
        draw.ellipse([x0, y0, x0 + w // 5, y0 + h // 5],
                     fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    return base


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **kw)
    return out.getvalue()


def animated_gif(size: tuple[int, int], frames: int = 3) -> bytes:
    ims = []
    for i in range(frames):
        im = Image.new("P", size, 0)
        im.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * 756)
        ImageDraw.Draw(im).rectangle([i * size[0] // frames, 0, (i + 1) * size[0] // frames - 1,
                                      size[1] - 1], fill=1 + i % 3)
        ims.append(im)
    return encode(ims[0], "GIF", save_all=True, append_images=ims[1:], duration=120, loop=0)


def png_bomb(w: int = 10000, h: int = 10000) -> bytes:
    """A few-KB PNG whose IHDR declares w×h RGBA (400 MB once decoded at 10000²)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (1 + 4 * w) * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
       b'height="10"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>')


@dataclass
class Resource:
    body: bytes
    ctype: str = "application/octet-stream"
    status: int = 200
    delay: float = 0.0
    length: bool = True        # False: no Content-Length, the body ends when the connection closes
    hold: float = 0.0          # seconds the connection stays open after the body (length=False)


@dataclass
class Hit:
    path: str
    headers: dict[str, str] = field(default_factory=dict)


def standard_resources() -> dict[str, Resource]:
    jpeg_big = encode(photo((3000, 2000), 1), "JPEG", quality=90)
    jpeg_small = encode(photo((800, 600), 2), "JPEG", quality=90)
    png = Image.new("RGBA", (2400, 1200), (0, 0, 0, 0))
    ImageDraw.Draw(png).ellipse([100, 100, 2300, 1100], fill=(200, 30, 30, 200))
    webp = encode(photo((1000, 800), 3), "WEBP", quality=80)
    return {
        "/img/photo.jpg": Resource(jpeg_big, "image/jpeg"),
        "/img/small.jpg": Resource(jpeg_small, "image/jpeg"),
        "/img/logo.png": Resource(encode(png, "PNG"), "image/png"),
        "/img/anim.gif": Resource(animated_gif((1800, 900)), "image/gif"),
        "/img/pic.webp": Resource(webp, "image/webp"),
        "/img/q.png?a=1&b=2": Resource(encode(Image.new("RGB", (64, 48), (9, 9, 9)), "PNG"),
                                       "image/png"),
        "/img/s-small.jpg": Resource(encode(photo((400, 300), 4), "JPEG"), "image/jpeg"),
        "/img/s-large.jpg": Resource(encode(photo((1200, 900), 5), "JPEG"), "image/jpeg"),
        "/img/p.jpg": Resource(encode(photo((600, 400), 6), "JPEG"), "image/jpeg"),
        "/img/p.webp": Resource(encode(photo((1200, 800), 6), "WEBP"), "image/webp"),
        "/img/bomb.png": Resource(png_bomb(), "image/png"),
        "/img/corrupt.jpg": Resource(jpeg_big[: len(jpeg_big) // 2], "image/jpeg"),
        "/img/garbage.png": Resource(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "image/png"),
        "/img/missing.jpg": Resource(b"not found", "text/plain", status=404),
        "/img/slow.jpg": Resource(jpeg_small, "image/jpeg", delay=4.0),
        "/img/page.jpg": Resource(b"<!DOCTYPE html><html><body>Hotlinking!</body></html>",
                                  "text/html; charset=utf-8"),
        "/img/huge.jpg": Resource(b"\xff\xd8\xff" + b"\0" * (3 * 1024 * 1024), "image/jpeg"),
        # no length and no end in sight: only the size cap ends it before IMAGES_TIMEOUT
        "/img/stream.jpg": Resource(b"\xff\xd8\xff" + b"\0" * (3 * 1024 * 1024), "image/jpeg",
                                    length=False, hold=5.0),
        "/img/vector": Resource(SVG, "image/svg+xml"),
        "/img/vector.svg": Resource(SVG, "image/svg+xml"),
    }


class ImageServer:
    """Serve `resources` on 127.0.0.1 in a thread; `hits` records every request."""

    def __init__(self, resources: dict[str, Resource]):
        self.resources = resources
        self.hits: list[Hit] = []
        self.active = self.max_active = 0  # requests being answered at once, and the most
        self._count = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                with server._count:
                    server.active += 1
                    server.max_active = max(server.max_active, server.active)
                try:
                    self._get()
                finally:
                    with server._count:
                        server.active -= 1

            def _get(self) -> None:
                server.hits.append(Hit(self.path, dict(self.headers.items())))
                res = server.resources.get(self.path) or Resource(b"nope", "text/plain", 404)
                if res.delay:
                    time.sleep(res.delay)
                try:
                    self.send_response(res.status)
                    self.send_header("Content-Type", res.ctype)
                    if res.length:
                        self.send_header("Content-Length", str(len(res.body)))
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    self.wfile.write(res.body)
                    if res.hold:
                        self.wfile.flush()
                        time.sleep(res.hold)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def handle(self) -> None:
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    pass          # a client that gave up (timeout, size limit)

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128      # the crawler opens many connections at once
            daemon_threads = True

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ImageServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]


# --- the crawl (runs in a subprocess) ---------------------------------------------

class CapturePipeline:
    """Collects items (as dicts) for the runner to write out."""

    items: list[dict] = []

    def process_item(self, item):
        from dataclasses import asdict

        d = asdict(item)
        d["published"] = str(d["published"])
        CapturePipeline.items.append(d)
        return item


def peak_rss_kb() -> int:
    """This process's own peak RSS (VmHWM, Linux). Not ru_maxrss: a child inherits its
    parent's high-water mark at fork and keeps it across exec."""
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_crawl(config_path: str) -> None:
    """config: {"articles": [Article fields…], "settings": {…}, "mirror": [[canonical, served]…],
    "out": path}."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from crawler.items import Article

    with open(config_path, encoding="utf-8") as fh:
        config = json.load(fh)

    class ArticlesSpider(scrapy.Spider):
        name = "articles"

        async def start(self):
            for fields in config["articles"]:
                yield Article(**fields)

        def fetch_url(self, url: str) -> str:
            for canonical, served in config.get("mirror") or []:
                if url.startswith(canonical + "/"):
                    return served + url[len(canonical):]
            return url

    settings = {
        "ITEM_PIPELINES": {"pipelines.images.LocalImagesPipeline": 500,
                           "tests.imageserver.CapturePipeline": 800},
        "DOWNLOAD_HANDLERS": {"file": None, "data": None, "ftp": None, "s3": None},
        "ROBOTSTXT_OBEY": False,
        "RETRY_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        **config["settings"],
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ArticlesSpider)
    process.crawl(crawler)
    process.start()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, (int, float, str))}
    from tests import imageserver       # this file may run as __main__: read the pipeline's copy

    out = {
        "items": imageserver.CapturePipeline.items,
        "stats": stats,
        "maxrss_kb": peak_rss_kb(),
    }
    with open(config["out"], "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, default=str)


if __name__ == "__main__":
    run_crawl(sys.argv[1])
