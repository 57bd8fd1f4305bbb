"""Where a portal's pages may lead, and why a fetch failed: for the spiders' page requests.

Scrapy does most of the work (settings.py): RetryMiddleware retries timeouts, resets,
truncated bodies and 5xx; DOWNLOAD_MAXSIZE refuses big bodies, also while inflating
gzip; RedirectMiddleware does not follow redirects to non-http(s) URLs, and the file,
data, ftp and s3 handlers are disabled. What it leaves to us:

- A redirect (HTTP or meta refresh) to a host that is neither the portal nor the mirror
  is filtered by OffsiteMiddleware when it is scheduled, so the request's errback never
  runs and the article vanishes uncounted. `PortalOffsiteMiddleware` counts it
  (`redirect-offsite`); when crawling a mirror it also refuses the mirror host's other
  ports (another service on 127.0.0.1 is not the mirror), and fetches a redirect to the
  portal's own hosts from the mirror (a mirror crawl never reaches the real portal).
- A redirect to a page already requested (a loop A → B → A, or back to the list page)
  is dropped by the dupefilter, again without errback: counted as `redirect-loop` or
  `redirect-duplicate`.
- `failure_reason` names a failed fetch for the spider's errback.

Page requests are those with meta "canonical" (PortalSpider.request); others (robots.txt,
images with dont_filter) keep Scrapy's behaviour.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached
from twisted.python.failure import Failure

try:  # what HttpCompressionMiddleware raises past DOWNLOAD_MAXSIZE
    from scrapy.utils._compression import _DecompressionMaxSizeExceeded
except ImportError:  # pragma: no cover - a Scrapy without it
    _DecompressionMaxSizeExceeded = ()  # type: ignore[assignment,misc]

DEFAULT_PORTS = {"http": 80, "https": 443}


def _port(scheme: str, port: int | None) -> int | None:
    return port or DEFAULT_PORTS.get(scheme)


class PortalOffsiteMiddleware(OffsiteMiddleware):
    """OffsiteMiddleware that counts what it filters for a page, knows the mirror's port,
    keeps a mirror crawl on the mirror, and counts redirects the dupefilter drops.

    Replaces Scrapy's OffsiteMiddleware at the same priority (DOWNLOADER_MIDDLEWARES)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalOffsiteMiddleware:
        o = super().from_crawler(crawler)
        crawler.signals.connect(o.request_dropped, signal=signals.request_dropped)
        return o

    def should_follow(self, request: Request, spider: Spider) -> bool:
        if not super().should_follow(request, spider):
            return False
        mirror = getattr(spider, "mirror", None)
        url = urlparse_cached(request)
        if mirror is None or spider.on_portal(request.url):  # type: ignore[attr-defined]  # PortalSpider
            return True
        m = urlsplit(f"{mirror[0]}://{mirror[1]}")
        if url.hostname != m.hostname:
            return True  # another allowed domain (none today)
        try:
            ours, theirs = _port(url.scheme, url.port), _port(m.scheme, m.port)
        except ValueError:  # a port out of range
            return False
        return ours == theirs or {ours, theirs} <= set(DEFAULT_PORTS.values())

    # A downloader middleware may return a Request (Scrapy's contract); the base class's
    # annotation says None because it never does.
    def process_request(  # type: ignore[override]
        self, request: Request, spider: Spider | None = None
    ) -> Request | None:
        page = "canonical" in request.meta
        try:
            super().process_request(request)
        except IgnoreRequest:
            if page:
                self._skip("redirect-offsite", request, f"to {request.url}")
            raise
        crawler_spider: Any = self.crawler.spider
        if page and getattr(crawler_spider, "mirror", None) and crawler_spider.on_portal(request.url):
            # a redirect to the portal's own host: same path, from the mirror
            return request.replace(url=crawler_spider.fetch_url(request.url))
        return None

    def request_dropped(self, request: Request, spider: Spider) -> None:
        """The dupefilter dropped a request: count it when it is a page's redirect."""
        chain = request.meta.get("redirect_urls")
        if "canonical" not in request.meta or not chain:
            return
        reason = "redirect-loop" if request.url in chain else "redirect-duplicate"
        self._skip(reason, request, f"{' -> '.join(chain)} -> {request.url}")

    def _skip(self, reason: str, request: Request, detail: str) -> None:
        spider: Any = self.crawler.spider
        if hasattr(spider, "skip"):
            spider.skip(reason, request.meta["canonical"], detail)


def failure_reason(failure: Failure, max_redirects: int) -> tuple[str, str]:
    """(skip reason, detail) for a page request's errback.

    `http-<status>` for an HTTP error (after retries), `redirect-not-http` for a
    redirect Scrapy would not follow (file:, data: …), `too-large` past DOWNLOAD_MAXSIZE
    (Scrapy's HTTP handler cancels a download only for that; or the gzip inflated past
    it), `redirect-limit` past REDIRECT_MAX_TIMES, else `fetch-failed` (timeouts,
    resets, truncated bodies: after retries).
    """
    exc = failure.value
    request: Request = failure.request  # type: ignore[attr-defined]  # set by Scrapy on errbacks
    response = getattr(exc, "response", None)
    if response is not None:
        location = response.headers.get("Location")
        if 300 <= response.status < 400 and location:
            target = urljoin(response.url, location.decode("latin-1"))
            if urlsplit(target).scheme not in DEFAULT_PORTS:
                return "redirect-not-http", f"{response.status} to {target[:200]}"
        return f"http-{response.status}", repr(exc)
    if isinstance(exc, DownloadCancelledError) or isinstance(
        getattr(exc, "__cause__", None), _DecompressionMaxSizeExceeded
    ):
        return "too-large", str(exc) or "body larger than DOWNLOAD_MAXSIZE"
    if isinstance(exc, IgnoreRequest) and request.meta.get("redirect_times", 0) >= max_redirects:
        return "redirect-limit", f"{max_redirects} redirects, last to {request.url}"
    return "fetch-failed", repr(exc)
