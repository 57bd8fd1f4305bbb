"""Local images (IMAGES_MODE=local): download, check, resize, store, rewrite the post.

A media pipeline (Scrapy's FilesPipeline with our own processing): every image of an
article's body is fetched once per crawl (Scrapy's media cache) and once ever (a file
already under ARCHIVE_DIR/images/ is reused without a request), with the article URL
as Referer, checked from its header (format, pixel count) before any decoding, scaled
down to fit IMAGES_MAX_SIZE in a thread pool (JPEGs decoded with draft()), stored in
its own format under a name derived from a hash of its URL, and the body's URLs are
rewritten to the root-relative `/images/…` path.

Layout (relative to ARCHIVE_DIR, served by Hexo when ARCHIVE_DIR is its `source/`):
    images/<h[:2]>/<h>.<ext>          full image (ext from the actual format)
    images/thumbs/<h[:2]>/<h>.<ext>   thumbnail of a post's first image
where h = sha1 of the image's canonical (absolute, entity-decoded) URL.

What is rewritten in the body (everything else stays byte for byte):
- An `<img>` outside `<picture>` is one *group*; a `<picture>` with its `<source
  srcset>`s and its `<img>` is one group. Of a group's http(s) candidates (the img's
  `src` and every `srcset` URL), the largest is fetched: the highest `w` descriptor
  if any candidate has one, else the highest `x` density (`src` and bare URLs are
  1x; `src` wins ties).
- When that image is stored, every http(s) URL of the group is rewritten to its
  local path: the `src` value, and each candidate URL inside `srcset` values (their
  descriptors, commas and spacing kept), so a browser never falls back to the remote
  host whichever candidate it picks. Non-http(s) URLs (`data:` placeholders …) stay.
- When it fails or is refused, the group is left untouched (remote URLs).
- `headimg` becomes the local full image when it is the `src` of a stored group;
  `thumbnail` (when it is such a `src`, as the normalize pipeline sets it) becomes the
  local thumbnail. When that image of the body was refused or failed, the post's first
  stored image stands in for both (a bomb never becomes a theme's index thumbnail).
  Placeholders and images from outside the body stay.

Refused without a request: non-http(s) URLs (`file:`, `data:`, `ftp:`, `javascript:`
… never fetched, left as they are) and URLs whose path ends in `.svg`/`.svgz`.
Refused after the response: SVG content (not sanitized, so never stored), more
than IMAGES_MAX_BYTES (the download is cut off by Scrapy's `download_maxsize`),
decompression bombs (header declares more than IMAGES_MAX_PIXELS).
A failed or refused image never drops the article: the post keeps the remote URL.

Stats (prefix newsarchive/images/): downloaded, stored, resized, thumbnails, reused,
rewritten (img/picture groups rewritten), failed/<reason> (http_<status>, timeout,
download, empty, not_image, corrupt, format, ignored, error), refused/<reason> (scheme,
svg, bomb, too_big). Failures are counted once per URL and crawl; refused/scheme once
per occurrence.
"""

from __future__ import annotations

import errno
import hashlib
import html
import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from itemadapter import ItemAdapter
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    DropItem,
    IgnoreRequest,
    NotConfigured,
)
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.files import FilesPipeline
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer
from twisted.internet import error as tx_error
from twisted.python.failure import Failure

from crawler.durable import Writer, in_pool
from crawler.parsers.tags import tags
from crawler.postformat import write_atomic
from pipelines import imaging

try:  # logged at DEBUG by MediaPipeline, without a traceback per failed image
    from scrapy.pipelines.media import _MediaRequestFiltered as _QuietMediaError
except ImportError:  # pragma: no cover - other Scrapy versions
    from scrapy.pipelines.media import FileException as _QuietMediaError  # type: ignore[assignment]

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Defaults of the settings this pipeline reads (crawler/settings.py may override them).
IMAGES_MODE = "local"  # "remote" disables this pipeline
ARCHIVE_DIR = "./archive"
IMAGES_MAX_SIZE = 1600  # px on the long side; never upscaled
IMAGES_THUMB_SIZE = (400, 300)  # thumbnail box (IMAGES_THUMB_SIZE = "400x300" or [400, 300])
IMAGES_MAX_BYTES = 20 * 1024 * 1024  # bigger downloads are cut off and refused
IMAGES_MAX_PIXELS = 40_000_000  # per frame, checked from the header
IMAGES_TIMEOUT = 30  # seconds per image download
IMAGES_THREADS = 2  # decode/resize threads (bounds memory too)
IMAGES_ACTIVE = 0  # images downloading or waiting for the pool at once (0: 4 × IMAGES_THREADS)

STATS = "newsarchive/images/"
# A write that failed for the archive's sake, not the image's (full disk, I/O error, no
# permission): the article is not archived and the run stays unfinished, so the next run
# stores its images (skip reason `write-failed`; the report names the error).
STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EACCES, errno.EPERM, errno.EROFS}


def storage_failure(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS


ACCEPT = b"image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8,*/*;q=0.5"
_EXTS = tuple(imaging.EXTENSIONS.values())


class ImageFailed(_QuietMediaError):
    """An image that is not stored locally (already counted and logged)."""

    def __init__(self, kind: str, reason: str):
        super().__init__(f"{kind}/{reason}")
        self.kind = kind
        self.reason = reason


# --- the body: <img>, <picture>, <source srcset> -------------------------------

_WS = " \t\n\r\f"


@dataclass
class Candidate:
    url: str  # absolute, entity-decoded
    span: tuple[int, int]  # characters of the body to replace
    is_src: bool
    w: int | None = None
    x: float = 1.0


@dataclass
class Group:
    candidates: list[Candidate] = field(default_factory=list)
    srcs: list[str] = field(default_factory=list)  # src URLs of its <img>s
    refused_scheme: int = 0
    chosen: str | None = None
    svg: bool = False


@dataclass
class Plan:
    groups: list[Group]
    fetch: list[str]  # canonical URLs to fetch, in order, unique
    thumb_url: str | None  # the chosen URL of the thumbnail's group


def parse_srcset(raw: str, offset: int = 0) -> list[tuple[str, tuple[int, int], list[str]]]:
    """Candidates of a raw srcset value: (raw URL, its span + offset, descriptors)."""
    out = []
    i, n = 0, len(raw)
    while i < n:
        while i < n and (raw[i] in _WS or raw[i] == ","):
            i += 1
        if i >= n:
            break
        start = i
        while i < n and raw[i] not in _WS:
            i += 1
        end = i
        descriptors: list[str] = []
        if raw[end - 1] == ",":
            while end > start and raw[end - 1] == ",":
                end -= 1
        else:
            dstart, depth = i, 0
            while i < n:
                c = raw[i]
                if c == "(":
                    depth += 1
                elif c == ")" and depth:
                    depth -= 1
                elif c == "," and not depth:
                    break
                i += 1
            descriptors = raw[dstart:i].split()
        if end > start:
            out.append((raw[start:end], (offset + start, offset + end), descriptors))
    return out


def _descriptor(descriptors: list[str]) -> tuple[int | None, float]:
    w, x = None, 1.0
    for d in descriptors:
        try:
            if d.endswith("w"):
                w = int(d[:-1])
            elif d.endswith("x"):
                x = float(d[:-1])
        except ValueError:
            pass
    return w, x


def _join(base: str, url: str) -> str:
    """`url` resolved against `base`; as written when it is no URL (`http://[::1/`): it is
    then not fetchable, and stays in the post as it was."""
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def is_fetchable(url: str) -> bool:
    try:
        return urlsplit(url).scheme.lower() in ("http", "https") and bool(urlsplit(url).netloc)
    except ValueError:
        return False


def is_svg_url(url: str) -> bool:
    try:
        return urlsplit(url).path.lower().endswith((".svg", ".svgz"))
    except ValueError:
        return False


def plan(body: str, page_url: str, image_urls: list[str], thumbnail: str = "") -> Plan:
    """Groups of the body's images, the URL to fetch for each, and what to rewrite."""
    groups: list[Group] = []
    picture: Group | None = None
    srcs: list[tuple[Group, str, tuple[int, int]]] = []  # (group, raw src, span)

    def add_srcset(group: Group, value: str, span: tuple[int, int]) -> None:
        for raw, cspan, descriptors in parse_srcset(value, span[0]):
            w, x = _descriptor(descriptors)
            url = _join(page_url, html.unescape(raw))
            group.candidates.append(Candidate(url, cspan, False, w, x))

    for tag in tags(body):
        if tag.name == "picture":
            if tag.closing:
                picture = None
            else:
                picture = Group()
                groups.append(picture)
            continue
        if tag.closing or tag.name not in ("img", "source"):
            continue
        srcset = tag.get("srcset")
        if tag.name == "source":
            if picture is not None and srcset is not None:
                add_srcset(picture, srcset.value, srcset.value_span)
            continue
        group = picture
        if group is None:
            group = Group()
            groups.append(group)
        src = tag.get("src")
        if src is not None and src.value.strip(_WS):
            srcs.append((group, src.value, src.value_span))
        if srcset is not None:
            add_srcset(group, srcset.value, srcset.value_span)

    # `src` URLs: the spider's image_urls (in order) when they match the body's count,
    # else resolved against the article URL.
    use_given = len(image_urls) == len(srcs)
    for i, (group, raw, span) in enumerate(srcs):
        url = image_urls[i] if use_given else _join(page_url, html.unescape(raw.strip(_WS)))
        group.candidates.append(Candidate(url, span, True))
        group.srcs.append(url)

    fetch: list[str] = []
    thumb_url = None
    for group in groups:
        good = [c for c in group.candidates if is_fetchable(c.url)]
        group.refused_scheme = len(group.candidates) - len(good)
        if not good:
            continue
        widths = [c for c in good if c.w is not None]
        if widths:
            best = max(widths, key=lambda c: c.w or 0)
        else:
            best = max(good, key=lambda c: (c.x, c.is_src))
        group.chosen = best.url
        if is_svg_url(best.url):
            group.svg = True
            continue
        if best.url not in fetch:
            fetch.append(best.url)
        if (
            thumb_url is None
            and thumbnail
            and (thumbnail in group.srcs or any(c.url == thumbnail for c in good))
        ):
            thumb_url = best.url
    return Plan(groups, fetch, thumb_url)


def rewrite(body: str, groups: list[Group], local: dict[str, str]) -> tuple[str, int]:
    """`body` with every http(s) URL of each stored group replaced by its local path."""
    edits: list[tuple[int, int, str]] = []
    count = 0
    for group in groups:
        path = local.get(group.chosen or "")
        if path is None:
            continue
        count += 1
        edits += [(c.span[0], c.span[1], path) for c in group.candidates if is_fetchable(c.url)]
    out = body
    for start, end, path in sorted(edits, reverse=True):
        out = out[:start] + path + out[end:]
    return out, count


# --- the pipeline -------------------------------------------------------------


def url_hash(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8", "surrogatepass")).hexdigest()


def _size_setting(value: Any, default: tuple[int, int]) -> tuple[int, int]:
    if not value:
        return default
    if isinstance(value, str):
        parts = re.split(r"[x×, ]+", value.strip().lower())
    else:
        parts = list(value)
    if len(parts) == 1:
        parts = parts * 2
    w, h = (int(p) for p in parts[:2])
    if w <= 0 or h <= 0:
        raise NotConfigured(f"IMAGES_THUMB_SIZE must be positive, got {value!r}")
    return w, h


class LocalImagesPipeline(FilesPipeline):
    MEDIA_NAME = "image"
    LOG_FAILED_RESULTS = False

    def __init__(self, store_uri: str, *, crawler: Any):
        super().__init__(store_uri, crawler=crawler)
        s = crawler.settings
        self.archive = Path(store_uri).parent
        self.max_size = s.getint("IMAGES_MAX_SIZE", IMAGES_MAX_SIZE)
        self.thumb_box = _size_setting(s.get("IMAGES_THUMB_SIZE"), IMAGES_THUMB_SIZE)
        self.max_bytes = s.getint("IMAGES_MAX_BYTES", IMAGES_MAX_BYTES)
        self.max_pixels = s.getint("IMAGES_MAX_PIXELS", IMAGES_MAX_PIXELS)
        self.timeout = s.getfloat("IMAGES_TIMEOUT", IMAGES_TIMEOUT)
        if self.max_size <= 0 or self.max_bytes <= 0 or self.max_pixels <= 0:
            raise NotConfigured("IMAGES_MAX_SIZE, IMAGES_MAX_BYTES and IMAGES_MAX_PIXELS must be > 0")
        self._thumb_lock = threading.Lock()
        self._writer = Writer(name="newsarchive-image-writes")  # durable writes, off the resize pool
        threads = max(1, s.getint("IMAGES_THREADS", IMAGES_THREADS))
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="newsarchive-images")
        # Back-pressure: downloads would outrun the pool and their bytes wait in its queue
        # (RSS then grows with the crawl); an image is requested only when a slot is free.
        self._active = defer.DeferredSemaphore(s.getint("IMAGES_ACTIVE", IMAGES_ACTIVE) or 4 * threads)

    @classmethod
    def from_crawler(cls, crawler: Any) -> LocalImagesPipeline:
        settings = crawler.settings
        if settings.get("IMAGES_MODE", IMAGES_MODE) != "local":
            raise NotConfigured  # no message: Scrapy then disables it without a warning
        archive = settings.get("ARCHIVE_DIR") or ARCHIVE_DIR
        return cls(str(Path(archive) / "images"), crawler=crawler)

    def close_spider(self) -> None:
        self._pool.shutdown(wait=True)
        self._writer.close()

    # helpers

    def _inc(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(STATS + key, n)

    async def _in_pool(self, func: Callable[..., T], *args: Any) -> T:
        return await in_pool(self._pool, func, *args)

    def _rel(self, url: str, ext: str, thumb: bool = False) -> str:
        h = url_hash(url)
        return f"images/{'thumbs/' if thumb else ''}{h[:2]}/{h}.{ext}"

    def _existing(self, url: str, thumb: bool = False) -> str | None:
        for ext in _EXTS:
            rel = self._rel(url, ext, thumb)
            if (self.archive / rel).is_file():
                return rel
        return None

    def _reject(self, url: str, kind: str, reason: str, detail: str = "") -> ImageFailed:
        self._inc(f"{kind}/{reason}")
        logger.warning(
            "Image %s (%s/%s)%s",
            url,
            kind,
            reason,
            f": {detail}" if detail else "",
            extra={"spider": self.crawler.spider},
        )
        return ImageFailed(kind, reason)

    def _plan(self, item: Any) -> Plan:
        a = ItemAdapter(item)
        return plan(
            a.get("body") or "", a.get("url") or "", list(a.get("image_urls") or []), a.get("thumbnail") or ""
        )

    # MediaPipeline interface

    def get_media_requests(self, item: Any, info: Any) -> list[Request]:
        a = ItemAdapter(item)
        p = self._plan(item)
        referer = a.get("url") or ""
        fetch_url = getattr(self.crawler.spider, "fetch_url", None)
        requests = []
        for url in p.fetch:
            target = fetch_url(url) if callable(fetch_url) else url
            if not is_fetchable(target):  # a mirror mapping must stay on http(s)
                target = url
            headers = {b"Accept": ACCEPT}
            if referer:
                headers[b"Referer"] = referer.encode("utf-8")
            requests.append(
                Request(
                    target,
                    headers=headers,
                    callback=NO_CALLBACK,
                    dont_filter=True,
                    meta={
                        "newsarchive_image": {"url": url, "thumb": url == p.thumb_url},
                        "download_maxsize": self.max_bytes,
                        "download_timeout": self.timeout,
                    },
                )
            )
        return requests

    def file_path(self, request: Request, response: Any = None, info: Any = None, *, item: Any = None) -> str:
        """The stored path without its extension (the format decides it)."""
        url = request.meta.get("newsarchive_image", {}).get("url", request.url)
        h = url_hash(url)
        return f"images/{h[:2]}/{h}"

    def media_to_download(self, request: Request, info: Any, *, item: Any = None) -> Any:
        url = request.meta["newsarchive_image"]["url"]
        rel = self._existing(url)
        if rel is None:
            return None
        self._inc("reused")
        return {
            "url": url,
            "path": rel,
            "checksum": None,
            "status": "uptodate",
            "thumb": self._existing(url, thumb=True),
        }

    # Our results carry the thumbnail's path beside FilesPipeline's FileInfo keys.
    async def media_downloaded(  # type: ignore[override]
        self, response: Any, request: Request, info: Any, *, item: Any = None
    ) -> dict:
        meta = request.meta["newsarchive_image"]
        url = meta["url"]
        if response.status != 200:
            raise self._reject(url, "failed", f"http_{response.status}")
        body = response.body
        if not body:
            raise self._reject(url, "failed", "empty")
        if len(body) > self.max_bytes:
            raise self._reject(url, "refused", "too_big", f"{len(body)} bytes")
        self._inc("downloaded")
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if imaging.looks_like_svg(body, ctype):
            raise self._reject(url, "refused", "svg")
        try:
            result, writes = await self._in_pool(self._encode, body, url, bool(meta.get("thumb")))
            await self._writer.run(self._write, writes)
        except imaging.ImageRejected as exc:
            raise self._reject(url, exc.kind, exc.reason, exc.detail) from None
        except OSError as exc:
            if not storage_failure(exc):
                raise self._reject(url, "failed", "error", repr(exc)) from None
            self._storage_failed(exc)
            raise ImageFailed("failed", "storage") from None
        except Exception as exc:
            raise self._reject(url, "failed", "error", repr(exc)) from None
        self._inc("stored")
        if result.pop("resized"):
            self._inc("resized")
        if result["thumb"]:
            self._inc("thumbnails")
        return result

    async def _check_media_to_download(self, request: Request, info: Any, item: Any) -> Any:
        """MediaPipeline's download-then-process step, holding one of the IMAGES_ACTIVE
        slots from the request until the image is stored (or has failed)."""
        await maybe_deferred_to_future(self._active.acquire())
        try:
            return await super()._check_media_to_download(request, info, item=item)  # type: ignore[misc]
        finally:
            self._active.release()

    def media_failed(self, failure: Failure, request: Request, info: Any) -> Any:
        exc = failure.value
        if isinstance(exc, ImageFailed):
            raise exc
        url = request.meta.get("newsarchive_image", {}).get("url", request.url)
        if isinstance(exc, (DownloadTimeoutError, tx_error.TimeoutError, tx_error.TCPTimedOutError)):
            raise self._reject(url, "failed", "timeout", str(exc))
        if isinstance(exc, (DownloadCancelledError, defer.CancelledError)):
            raise self._reject(url, "refused", "too_big", str(exc))
        if isinstance(exc, IgnoreRequest):
            raise self._reject(url, "failed", "ignored", str(exc))
        raise self._reject(url, "failed", "download", f"{type(exc).__name__}: {exc}")

    def _encode(self, data: bytes, url: str, want_thumb: bool) -> tuple[dict, list[tuple[Path, bytes]]]:
        """In a resize thread: process `data`; returns the result and the files to write
        (the full image, then its thumbnail), which `_write` stores from an I/O thread so
        the resize threads never wait for the disk.

        The thumbnail has the bytes a later run would make of the stored file (`_make_thumb`),
        so a run killed between the two writes ends with the same bytes: it is made from the
        pixels already decoded when they are the stored file's (`thumb_exact`), else from the
        stored file's bytes."""
        p = imaging.process(
            data, self.max_size, self.max_pixels, self.thumb_box if want_thumb else None, True
        )
        ext = imaging.EXTENSIONS[p.full.format]
        rel = self._rel(url, ext)
        writes = [(self.archive / rel, p.full.data)]
        thumb = None
        if want_thumb:
            t = p.thumb if p.thumb is not None and p.thumb_exact else None
            t = t or imaging.thumbnail_of(p.full.data, self.max_pixels, self.thumb_box)
            thumb = self._rel(url, imaging.EXTENSIONS[t.format], thumb=True)
            writes.append((self.archive / thumb, t.data))
        return {
            "url": url,
            "path": rel,
            "checksum": hashlib.md5(p.full.data).hexdigest(),
            "status": "downloaded",
            "format": p.full.format,
            "width": p.full.width,
            "height": p.full.height,
            "thumb": thumb,
            "resized": p.resized,
        }, writes

    def _write(self, writes: list[tuple[Path, bytes]]) -> None:
        """In an I/O thread: each file durable (temp file, fsync, rename, grouped folder sync)."""
        for path, data in writes:
            write_atomic(path, data, self._writer.dir_sync.sync)

    def _make_thumb(self, url: str, rel: str) -> tuple[str, bool]:
        """In a worker thread: the thumbnail of an already stored image, and whether it
        was made now (two posts sharing an image may ask for it at the same time)."""
        with self._thumb_lock:
            existing = self._existing(url, thumb=True)
            if existing:
                return existing, False
            data = (self.archive / rel).read_bytes()
            t = imaging.thumbnail_of(data, self.max_pixels, self.thumb_box)
            thumb = self._rel(url, imaging.EXTENSIONS[t.format], thumb=True)
            write_atomic(self.archive / thumb, t.data, self._writer.dir_sync.sync)
            return thumb, True

    def _storage_failed(self, exc: OSError) -> None:
        self._inc("failed/storage")
        self.crawler.stats.set_value("newsarchive/storage_error", f"{exc.strerror} ({exc.filename})")
        logger.error("Image storage failed: %s", exc, extra={"spider": self.crawler.spider})

    def _not_archived(self, item: Any, exc: str) -> DropItem:
        """The article waits for the next run (the archive, not the image, failed)."""
        url = ItemAdapter(item).get("url") or ""
        skip = getattr(self.crawler.spider, "skip", None)
        if callable(skip):
            skip("write-failed", url, f"its images: {exc}")
        return DropItem(f"write-failed: {url}", log_level="DEBUG")

    def item_completed(self, results: list, item: Any, info: Any) -> Any:
        a = ItemAdapter(item)
        p = self._plan(item)
        for ok, value in results:
            if not ok and isinstance(value.value, ImageFailed) and value.value.reason == "storage":
                raise self._not_archived(
                    item, self.crawler.stats.get_value("newsarchive/storage_error", "storage failed")
                )
        stored: dict[str, dict] = {}
        for url, (ok, value) in zip(p.fetch, results, strict=True):
            if ok and value:
                stored[url] = value
        for group in p.groups:
            if group.refused_scheme:
                self._inc("refused/scheme", group.refused_scheme)
            if group.svg:
                self._inc("refused/svg")
        local = {url: "/" + r["path"] for url, r in stored.items()}
        body, count = rewrite(a.get("body") or "", p.groups, local)
        if count:
            self._inc("rewritten", count)
        a["body"] = body
        a["images"] = list(stored.values())
        a["headimg"] = self._local_head(a.get("headimg") or "", p, local)
        return item

    @staticmethod
    def _in_body(url: str, p: Plan) -> bool:
        return any(url in g.srcs or any(c.url == url for c in g.candidates) for g in p.groups)

    def _local_head(self, url: str, p: Plan, local: dict[str, str]) -> str:
        """The local path standing for a head image that is one of the body's images:
        its own stored copy, else (refused or failed) the first stored image."""
        src_local = {src: local[g.chosen] for g in p.groups if g.chosen in local for src in g.srcs}
        if url in src_local:
            return src_local[url]
        first = next((local[g.chosen] for g in p.groups if g.chosen in local), None)
        return first if first and self._in_body(url, p) else url

    # Scrapy 2.13+ calls process_item(item) (the spider argument is deprecated).
    async def process_item(self, item: Any) -> Any:  # type: ignore[override]
        a = ItemAdapter(item)
        p = self._plan(item)  # before the body is rewritten
        item = await super().process_item(item)
        thumbnail = a.get("thumbnail") or ""
        stored = list(a.get("images") or [])  # in body order
        result = next((r for r in stored if r["url"] == p.thumb_url), None)
        if result is None and stored and self._in_body(thumbnail, p):
            result = stored[0]  # the first image was refused or failed: the first stored one
        if not thumbnail or result is None:
            return item
        try:
            thumb = result.get("thumb") or self._existing(result["url"], thumb=True) or ""
            if not thumb or not (self.archive / thumb).is_file():
                thumb, made = await self._in_pool(self._make_thumb, result["url"], result["path"])
                result["thumb"] = thumb
                if made:
                    self._inc("thumbnails")
            a["thumbnail"] = "/" + thumb
        except OSError as exc:
            if not storage_failure(exc):
                self._inc("failed/thumbnail")
                logger.warning(
                    "Thumbnail of %s failed: %r", result["url"], exc, extra={"spider": self.crawler.spider}
                )
                return item
            self._storage_failed(exc)
            raise self._not_archived(item, f"{exc.strerror} ({exc.filename})") from None
        except Exception as exc:
            self._inc("failed/thumbnail")
            logger.warning(
                "Thumbnail of %s failed: %r", result["url"], exc, extra={"spider": self.crawler.spider}
            )
        return item
