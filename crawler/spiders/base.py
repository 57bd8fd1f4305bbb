"""What every portal spider shares: start URL and mirrors, decoding, counted skips.

A spider only navigates. Parsers see canonical URLs (the portal's own, e.g.
https://www.ofweek.com/…); when `start_url` is on another host (a mirror, a test
server on 127.0.0.1) every URL on the portal's hosts is fetched from that host
instead, with the same path, and pages keep their canonical URL for parsing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.http import Response

from crawler.archive import ArchiveIndex, ArchiveLock, clean_stale_temp_files, state_dir
from crawler.downloadsafety import failure_reason
from crawler.items import Article
from crawler.parsers.blocked import HINT, blocked_by, blocked_page, blocked_status
from crawler.parsers.charset import decode_gb
from crawler.parsers.common import LayoutError, ListPage
from crawler.parsers.layouts import Layout, field_selectors
from crawler.sites import Site, get_site, on_domains

IMAGES_MODES = ("remote", "local")
# Skips that may not happen next time (and every http-5xx): they keep a run unfinished.
TRANSIENT = (
    "fetch-failed",
    "http-408",
    "http-429",
    "empty-page",
    "blocked",
    "write-failed",
)  # the archive could not be written (full disk …)


def is_transient(reason: str) -> bool:
    return reason in TRANSIENT or reason.startswith("http-5")


def check_settings(settings: Any) -> None:
    """Refuse a run whose settings cannot work, before anything is fetched."""
    mode = settings.get("IMAGES_MODE")
    if mode not in IMAGES_MODES:
        raise ValueError(f"IMAGES_MODE must be one of {', '.join(IMAGES_MODES)}, not {mode!r}")
    if mode == "local" and not any("Images" in str(p) for p in settings.getdict("ITEM_PIPELINES")):
        raise ValueError(
            "IMAGES_MODE=local needs pipelines.images.LocalImagesPipeline in "
            "ITEM_PIPELINES (or use -s IMAGES_MODE=remote)"
        )


def max_pages_argument(value: str | int) -> int:
    """`-a max_pages=N` as a whole number of at least 1 (a clear error otherwise)."""
    try:
        pages = int(value)
    except ValueError:
        raise ValueError(f"max_pages must be a whole number, not {value!r}") from None
    if pages < 1:
        raise ValueError("max_pages must be at least 1")
    return pages


class PortalSpider(scrapy.Spider):
    site_key: str = ""

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PortalSpider:
        check_settings(crawler.settings)
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.probe = crawler.settings.getint("PROBE_ARTICLES")
        if spider.probe:  # `scrapy probe`: reads the portal, touches no archive
            spider.probed, spider.probed_lists, spider.skipped = set(), [], []
            return spider
        archive_dir = crawler.settings.get("ARCHIVE_DIR")
        spider.lock = ArchiveLock(archive_dir).acquire()  # ArchiveLocked: another run writes
        removed = clean_stale_temp_files(archive_dir)
        if removed:
            spider.logger.info("removed %d temp file(s) left by an interrupted run", removed)
        spider.index = ArchiveIndex(archive_dir)
        # A run that did not finish (killed, crashed) leaves no marker: the next run then
        # walks every list page instead of stopping at the first one already archived.
        spider.done_marker = state_dir(archive_dir) / f"{spider.finished_marker()}.finished"
        spider.resuming = not spider.done_marker.exists()
        spider.done_marker.unlink(missing_ok=True)
        crawler.signals.connect(spider.release_archive, signal=signals.spider_closed)
        return spider

    def release_archive(self, reason: str) -> None:
        if self.blocked_pages:
            self.logger.error("blocked: %s: %d page(s) refused; %s", self.name, self.blocked_pages, HINT)
        # A page that may work next time (timeout, reset, 5xx …) keeps the run unfinished,
        # so the next run walks every list page again and retries what it missed.
        if reason == "finished" and not self.transient_failures:
            try:
                self.done_marker.touch()
            except OSError as exc:  # no marker: the next run walks every page
                self.logger.warning("cannot mark the run finished: %s", exc)
        self.index.close()
        self.lock.release()

    def finished_marker(self) -> str:
        """The name of the run's finished marker (the site's key)."""
        return self.site.key

    def follow_pages(self, new_articles: int) -> bool:
        """Go on to the next list page? Not when a page had nothing new (newest first),
        unless the last run was interrupted or this is a refresh."""
        if self.probe:
            return False  # a probe reads the first list page only
        return bool(new_articles) or self.resuming or self.refresh

    # Set by from_crawler: the archive's lock, index and finished marker (none in probe mode),
    # and what a probe saw.
    lock: ArchiveLock
    index: ArchiveIndex
    done_marker: Path
    resuming: bool
    probed: set[str | None]
    probed_lists: list[tuple[str, str, int]]
    skipped: list[tuple[str, str, str]]

    def __init__(self, start_url: str | None = None, refresh: str = "0", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.refresh = refresh.lower() in ("1", "true", "yes")
        self.transient_failures = 0
        self.blocked_pages = 0
        self.probe = 0
        self.site: Site = self.make_site()
        self.start_url = start_url or self.site.start_url
        parts = urlsplit(self.start_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"start_url must be an http(s) URL, not {self.start_url!r}")
        if on_domains(parts.hostname, self.site.domains):
            self.mirror: tuple[str, str] | None = None
            self.canonical_start = self.start_url
        else:
            self.mirror = (parts.scheme, parts.netloc)
            origin = urlsplit(self.site.start_url)
            self.canonical_start = urlunsplit((origin.scheme, origin.netloc, *parts[2:]))
        self.allowed_domains = [*self.site.domains, *([parts.hostname] if self.mirror else [])]

    def make_site(self) -> Site:
        """The site this run archives (labels, hosts, time zone)."""
        return get_site(self.site_key)

    # --- URLs ------------------------------------------------------------------
    def on_portal(self, url: str) -> bool:
        return on_domains(urlsplit(url).hostname, self.site.domains)

    def fetch_url(self, url: str) -> str:
        """The URL to download for a canonical URL (the mirror's, when crawling one)."""
        if self.mirror is None or not self.on_portal(url):
            return url
        parts = urlsplit(url)
        return urlunsplit((*self.mirror, parts.path, parts.query, ""))

    def request(
        self, url: str, callback: Any, *, headers: dict[str, str] | None = None, **meta: Any
    ) -> scrapy.Request:
        """A request for canonical `url` (with extra `headers`, if any);
        `response.meta["canonical"]` gives the URL back."""
        return scrapy.Request(
            self.fetch_url(url),
            callback=callback,
            errback=self.fetch_failed,
            headers=headers,
            meta={"canonical": url, **meta},
        )

    def fetch_failed(self, failure: Any) -> None:
        """A page that could not be fetched (HTTP error, timeout …): counted, article skipped.

        Reasons: see downloadsafety.failure_reason (http-<status>, fetch-failed, too-large …)."""
        request = failure.request
        reason, detail = failure_reason(failure, self.settings.getint("REDIRECT_MAX_TIMES"))
        status = getattr(getattr(failure.value, "response", None), "status", None)
        if reason.startswith("http-") and status and blocked_status(status):
            reason, detail = "blocked", blocked_status(status) or ""
        self.skip(reason, request.meta.get("canonical", request.url), detail)
        shared = getattr(self, "shared_dupefilter", None)  # scale-out (REDIS_URL)
        if shared is not None and is_transient(reason):
            shared.forget(request)

    def is_new(self, article_id: str | None) -> bool:
        """Whether to fetch an article: not yet archived, or a refresh run (a probe: the
        first PROBE_ARTICLES articles, archived or not)."""
        if self.probe:
            if len(self.probed) >= self.probe or article_id in self.probed:
                return False
            self.probed.add(article_id)
            return True
        if not article_id or self.refresh or not self.index.has(self.site.key, article_id):
            return True
        self.crawler.stats.inc_value("newsarchive/already_archived")
        return False

    # --- pages -------------------------------------------------------------------
    def decode(self, body: bytes) -> str:
        """A page's text (raises ValueError when it cannot be read): UTF-8 when the bytes
        are UTF-8, else GB18030 (gb2312/gbk pages)."""
        return decode_gb(body)

    def page_text(self, response: Response) -> str | None:
        """The page as text, or None after a counted skip (empty or undecodable)."""
        if not response.body:  # a server glitch, not a layout change
            self.skip("empty-page", self.canonical(response))
            return None
        try:
            text = self.decode(response.body)
        except ValueError as exc:
            self.skip("undecodable", response.url, str(exc))
            return None
        return self.unmirror(text)

    def unmirror(self, text: str) -> str:
        """A mirror's page with its absolute links to the mirror itself (as link-rewriting
        mirrors and proxies write them: `http://127.0.0.1:8000/…`, `//127.0.0.1:8000/…`)
        turned back into links to the portal's start host, so they read like the portal's
        own links (and are fetched from the mirror again)."""
        if self.mirror is None:
            return text
        if self._self_links is None:
            netloc = re.escape(self.mirror[1])
            self._self_links = re.compile(rf"(?:https?:)?//{netloc}(?=[/?#\"'\s<>]|$)", re.I)
        origin = urlsplit(self.canonical_start)
        return self._self_links.sub(f"{origin.scheme}://{origin.netloc}", text)

    _self_links: re.Pattern[str] | None = None

    def layout_error(self, exc: LayoutError, text: str, response: Response, prefix: str = "") -> bool:
        """A page the parser could not read: `blocked` when it is an anti-bot stub, a
        challenge or a login wall (or the parser said so), else the parser's reason.
        Returns whether it was blocked (a blocked page says nothing of the layout)."""
        seen = blocked_by(exc, text, response.url)
        if seen:
            self.skip("blocked", response.url, seen)
            return True
        self.skip(f"{prefix}{exc.reason}", response.url, str(exc))
        return False

    def count_layout(self, layout: str) -> None:
        """Which layout version a page matched: newsarchive/layout/<site>/<version>."""
        if layout:
            self.crawler.stats.inc_value(f"newsarchive/layout/{self.site.key}/{layout}")

    def read_list(self, response: Response, parse: Callable[[str, str], ListPage]) -> ListPage | None:
        """A list page parsed, counted (list pages, links, links of the first page), or
        None after a counted skip."""
        text = self.page_text(response)
        if text is None:
            return None
        stats = self.crawler.stats
        stats.inc_value("newsarchive/list_pages")
        try:
            page = parse(text, self.canonical(response))
        except LayoutError as exc:
            self.layout_error(exc, text, response, prefix="list-")
            return None
        seen = None if page.entries else blocked_page(text, response.url)
        if seen:
            self.skip("blocked", response.url, seen)
            return None
        self.count_layout(page.layout)
        if self.probe:
            self.probed_lists.append((self.canonical(response), page.layout, len(page.entries)))
        stats.inc_value("newsarchive/list_links", len(page.entries))
        if response.meta.get("page", 1) == 1:
            stats.set_value("newsarchive/first_list_links", len(page.entries))
        if not page.entries and not (self.empty_page_ends_list and response.meta.get("page", 1) > 1):
            self.skip("empty-list", response.url, f"no link matched {self.selectors.get('list', '?')}")
        return page

    def read_article(self, response: Response, parse: Callable[[str, str], Any]) -> Article | None:
        """A one-page article parsed (`parse(text, url).article`), or None after a counted
        skip (counted for the layout alarm too; the caller counts the article's fields once
        it has merged what the list gave)."""
        text = self.page_text(response)
        if text is None:
            return None
        try:
            got = parse(text, self.canonical(response))
        except LayoutError as exc:
            if not self.layout_error(exc, text, response):
                self.count_fields(None)
            return None
        self.count_layout(got.layout)
        article: Article = got.article
        article.layout = got.layout
        return article

    # --- bookkeeping -----------------------------------------------------------
    selectors: ClassVar[dict[str, str]] = {}
    # The portal's layout versions, newest first (parsers/layouts.py): its parser's
    # LIST_LAYOUTS and ARTICLE_LAYOUTS. `layouts` (both) and `selectors` (per field, each
    # version's selector: what the layout alarm names) are derived from them.
    list_layouts: tuple[Layout, ...] = ()
    article_layouts: tuple[Layout, ...] = ()
    layouts: tuple[Layout, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "list_layouts" in vars(cls) or "article_layouts" in vars(cls):
            cls.layouts = cls.list_layouts + cls.article_layouts
            cls.selectors = field_selectors(cls.list_layouts, cls.article_layouts)

    # A list paged by number (p=1, 2 …) whose end is an empty page: an empty page after the
    # first ends the walk and is not an `empty-list` skip.
    empty_page_ends_list: bool = False

    def count_fields(self, article: Any) -> None:
        """Layout coverage: which fields an article page gave (None: it gave nothing)."""
        stats = self.crawler.stats
        stats.inc_value("newsarchive/layout/articles")
        if article is None:
            return
        present = {
            "title": article.title,
            "date": article.published,
            "body": article.body.strip(),
            "image": article.image_urls,
        }
        for name, value in present.items():
            stats.inc_value(f"newsarchive/layout/with/{name}", 1 if value else 0)

    def skip(self, reason: str, url: str, detail: str = "") -> None:
        """Log and count a skipped page: stats key newsarchive/skipped/<reason>."""
        self.crawler.stats.inc_value(f"newsarchive/skipped/{reason}")
        if reason == "blocked":
            self.blocked_pages += 1
        if self.probe:
            self.skipped.append((url, reason, detail))
        if is_transient(reason):
            self.transient_failures += 1
        self.logger.warning("skipped %s (%s)%s", url, reason, f": {detail}" if detail else "")

    @staticmethod
    def canonical(response: Response) -> str:
        return response.meta.get("canonical", response.url)


class SingleListSpider(PortalSpider):
    """A portal whose list is one page (a channel page, an RSS) of UTF-8 pages.

    `max_pages` is accepted (scrapy validate/demo pass it to every portal) and ignored.
    """

    def __init__(
        self, start_url: str | None = None, max_pages: str | int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(start_url=start_url, **kwargs)
        if max_pages is not None:
            self.logger.info("max_pages=%s ignored: %s reads one list page", max_pages, self.name)

    async def start(self) -> Any:
        yield self.request(self.canonical_start, self.parse_list, listing=True)

    def parse_list(self, response: Response) -> Any:
        raise NotImplementedError

    def decode(self, body: bytes) -> str:
        """UTF-8, as the site serves it (strict: anything else is a counted skip)."""
        return body.decode("utf-8")
