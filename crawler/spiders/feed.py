"""Any RSS/Atom feed (RSSHub's routes included): one request, one post per new entry.

    scrapy crawl feed -a url=https://rsshub.app/36kr/newsflashes \\
        -a site=36kr-newsflashes -a categories=新媒体,36kr,快讯 -a author=36kr

- `url` (or `start_url`): the feed. It is fetched from where it is; entries' links are
  not fetched (the feed carries the content, as RSSHub's do).
- `site`: the key for file names (`_posts/<site>-<id>.md`) and the archive index
  (default `feed`). A known site (crawler/sites.py, e.g. `ofweek` for RSSHub's
  /ofweek/news) gives its labels and its article ids, so an article archived from
  the feed and from the portal's list pages is one post.
- `categories` (comma-separated, or a JSON list) and `author`: the front-matter labels; by default
  the known site's, else the feed's title for both (the `site` name when it has none).
- Entry ids: the site's own article id when its parser knows the link, else the first
  16 hex digits of sha1(guid or link; for an entry with neither, title + date).
- `fulltext=1` (a summary-only feed): each new entry's link is fetched and its body read
  by the chain of parsers/fulltext.py (spiders/linked.py fetches it). A link on a
  portal (built-in or config) becomes that portal's post: its key, id and labels, the
  page's date, the feed's title (what the portal's list shows). Any other link keeps the
  feed's key, id and labels; title and date are the feed's, the page's where the feed
  has none. A page that fails (HTTP error, blocked, nothing extracted …) archives the
  entry from the feed's own content, counted `newsarchive/fulltext/fallback/<reason>`.
  `mirrors=KEY=http://host:port,…` fetches a portal's links from a mirror.
- `feeds=FILE` (or JSON text; `scrapy archive` passes ARCHIVE_FEEDS as a list): many feeds
  in one crawl, each a request carrying its own site, labels, ids and `fulltext` rule, each
  counted and reported on its own (crawler/sources.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Response
from scrapy.settings import SETTINGS_PRIORITIES

from crawler import sources
from crawler.items import Article
from crawler.parsers import cnbeta, ithome, kr36, ofweek, oschina, rawhtml
from crawler.parsers import feed as parser
from crawler.parsers.blocked import HINT
from crawler.sites import SITES, Site
from crawler.spiders.base import PortalSpider, is_transient
from crawler.spiders.linked import LinkedPages, load_portals, parse_mirrors

if TYPE_CHECKING:
    from crawler.config import PortalRules
    from crawler.parsers.fulltext import Source

FEED_ACTIVE_SIZE = 1_000_000  # bytes of responses in process at once (Scrapy's default: 5 MB)

ARTICLE_IDS = {
    "ofweek": ofweek.article_id,  # site -> id from an article URL
    "ithome": ithome.article_id,
    "cnbeta": cnbeta.article_id,
    "oschina": oschina.article_id,
    "36kr": kr36.article_id,
}  # a 快讯 linking its source keeps a hashed id


def parse_labels(value: str) -> list[str]:
    """`a,b,c`, or a JSON list when a label holds a comma: `["博客","Hi, DIYgod"]`."""
    value = value.strip()
    if value.startswith("["):
        try:
            labels = json.loads(value)
        except ValueError as exc:
            raise ValueError(f"categories: not a JSON list of strings: {exc}") from None
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise ValueError("categories: not a JSON list of strings")
    else:
        labels = value.split(",")
    return [x.strip() for x in labels if x.strip()]


def entry_id(site: str, entry: parser.Entry) -> str:
    known = ARTICLE_IDS.get(site)
    found = known(entry.link) if known and entry.link else None
    key = entry.id or entry.link or f"{entry.title}\n{entry.published or ''}"  # RSS: link is optional
    return found or hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass
class FeedSource:
    """One feed of a crawl: its site (key, labels, time zone), URL and full-text rule."""

    site: Site
    url: str
    fulltext: bool
    transient_failures: int = 0  # this run's pages that may work next time
    blocked_pages: int = 0

    @property
    def key(self) -> str:
        return self.site.key


def truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes")


def make_source(
    url: str | None, site: str = "feed", categories: str = "", author: str = "", fulltext: Any = "0"
) -> FeedSource:
    """A feed from its arguments (ValueError naming what is wrong)."""
    key = site.strip()
    if not key or not key.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"site must be a plain name (letters, digits, - and _), not {site!r}")
    if not url:
        raise ValueError("give the feed: -a url=https://…")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"start_url must be an http(s) URL, not {url!r}")
    labels = parse_labels(categories)
    known = SITES.get(key)
    return FeedSource(
        site=Site(
            key=key,
            categories=tuple(labels) or (known.categories if known else ()),
            author=author.strip() or (known.author if known else ""),
            start_url=url,
            domains=(parts.hostname,),
            **({"tz": known.tz} if known else {}),
        ),
        url=url,
        fulltext=truthy(fulltext),
    )


def in_source(method: Callable[..., Any]) -> Callable[..., Any]:
    """A callback (or errback) run whole with its request's feed current, so that what it
    counts is that feed's (crawler/sources.py); a request for a feed this run does not
    have (left in the shared queue by another configuration) is logged and dropped."""

    @functools.wraps(method)
    def run(self: FeedSpider, arg: Any) -> list[Any]:
        meta = arg.meta if isinstance(arg, Response) else arg.request.meta
        key = meta.get(sources.META)
        if key is not None and key not in self.sources:
            self.logger.warning("dropped a request for feed %r, not one of this run's: %s", key, arg)
            return []
        with sources.scope(key):
            return list(method(self, arg) or ())

    return run


class FeedSpider(LinkedPages, PortalSpider):
    """One feed (`-a url=… -a site=…`), or many (`feeds=[{"url", "site", …}, …]`, what
    `scrapy archive` passes): each feed a request of this one spider, its entries with
    its own site key, labels, ids and full-text rule, and its stats its own."""

    name = "feed"
    selectors: ClassVar[dict[str, str]] = {
        "list": "rss/channel/item, rdf:RDF/item or feed/entry",
        "title": "item/title",
        "date": "pubDate / dc:date / published / updated",
        "body": "content:encoded / description / content / summary",
    }

    def __init__(
        self,
        url: str | None = None,
        start_url: str | None = None,
        site: str = "feed",
        categories: str = "",
        author: str = "",
        fulltext: str = "0",
        mirrors: str = "",
        portals: list[PortalRules] | None = None,
        feeds: list[dict[str, str]] | str | None = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(feeds, str):  # -a feeds=feeds.json (or JSON text): as ARCHIVE_FEEDS
            from crawler.commands.archive import load_feeds

            feeds = load_feeds(feeds)
        self.mirrors = parse_mirrors(mirrors)
        self.portals = portals or []
        self.many = feeds is not None  # per-feed stats and summary lines
        if feeds is not None:
            if not feeds:
                raise ValueError("no feeds given")
            listed = []
            for feed in feeds:
                try:
                    listed.append(make_source(**feed))
                except (TypeError, ValueError) as exc:  # named: which of many feeds
                    raise ValueError(f"feed {feed.get('site', '?')!r}: {exc}") from None
            self.name = "feeds"  # one scrapy-redis queue for all (REDIS_URL)
        else:
            listed = [make_source(url or start_url, site, categories, author, fulltext)]
            self.name = f"feed-{listed[0].key}"  # one scrapy-redis queue per feed (REDIS_URL)
        self.sources: dict[str, FeedSource] = {src.key: src for src in listed}
        if len(self.sources) != len(listed):
            raise ValueError("two feeds have the same site")
        self.fulltext = any(src.fulltext for src in listed)
        self.site_key = listed[0].key
        self.feed_url = listed[0].url
        self.claims: Any = None  # REDIS_URL: entries claimed across workers (from_crawler)
        super().__init__(start_url=self.feed_url, **kwargs)
        self.mirror = None  # a feed is fetched from where it is
        self.canonical_start = self.start_url
        self.allowed_domains = None  # type: ignore[assignment]  # its images may be on any host

    @property
    def report_sources(self) -> list[str]:
        """The feeds reported one by one (`scrapy archive`): all of a many-feed crawl's."""
        return list(self.sources) if self.many else []

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        """Per-feed stats and fingerprints: the stats collector, item processor, request
        fingerprinter and downloader counts of crawler/sources.py (a one-feed crawl's
        requests carry no feed: nothing changes for it)."""
        super().update_settings(settings)
        settings.set("STATS_CLASS", "crawler.sources.SourceStatsCollector", priority="spider")
        settings.set("ITEM_PROCESSOR", "crawler.sources.SourcePipelineManager", priority="spider")
        settings.set("REQUEST_FINGERPRINTER_CLASS", "crawler.sources.SourceFingerprinter", priority="spider")
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares["crawler.sources.SourceDownloaderStats"] = 860  # beside Scrapy's DownloaderStats
        priority = max(settings.getpriority("DOWNLOADER_MIDDLEWARES") or 0, SETTINGS_PRIORITIES["spider"])
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority=priority)
        # A feed is a small response carrying many posts: Scrapy's window of responses in
        # process (5 MB) held thousands of posts waiting for the disk at 2,000 feeds (over 200
        # MB); 1 MB keeps a few hundred in flight, enough to keep the writers busy. A value the
        # user sets (settings file, -s) wins.
        if (settings.getpriority("SCRAPER_SLOT_MAX_ACTIVE_SIZE") or 0) < SETTINGS_PRIORITIES["project"]:
            settings.set("SCRAPER_SLOT_MAX_ACTIVE_SIZE", FEED_ACTIVE_SIZE, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> FeedSpider:
        if isinstance(kwargs.get("feeds"), str):  # -a feeds=feeds.json
            from crawler.commands.archive import load_feeds

            kwargs["feeds"] = load_feeds(kwargs["feeds"])
        asked = [kwargs.get("fulltext", "0"), *(f.get("fulltext", "0") for f in kwargs.get("feeds") or ())]
        if any(truthy(x) for x in asked):
            kwargs["portals"] = load_portals(crawler.settings)
        spider: FeedSpider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[assignment]
        if spider.many and not spider.probe:
            for src in spider.sources.values():  # each feed's own finished marker
                (spider.done_marker.parent / f"{src.key}.finished").unlink(missing_ok=True)
            if crawler.settings.get("REDIS_URL"):
                from crawler.distributed import SharedEntries

                spider.claims = SharedEntries.from_crawler(crawler, spider.name)
                crawler.signals.connect(spider.release_claim, signal=signals.item_dropped)
                crawler.signals.connect(spider.release_claim, signal=signals.item_error)
        return spider

    def make_site(self) -> Site:
        if self.many:  # the crawl's own name; each feed has its site
            return Site(key=self.name, categories=(), author="", start_url=self.feed_url, domains=())
        return self.sources[self.site_key].site

    def release_archive(self, reason: str) -> None:
        if not self.many:
            super().release_archive(reason)
            return
        for src in self.sources.values():
            with sources.scope(src.key):
                if src.blocked_pages:
                    self.logger.error(
                        "blocked: feed-%s: %d page(s) refused; %s", src.key, src.blocked_pages, HINT
                    )
            if reason == "finished" and not src.transient_failures:
                try:
                    (self.done_marker.parent / f"{src.key}.finished").touch()
                except OSError as exc:
                    self.logger.warning("cannot mark the run finished: %s", exc)
        self.index.close()
        self.lock.release()

    def skip(self, reason: str, url: str, detail: str = "") -> None:
        super().skip(reason, url, detail)
        src = self.current()
        if src is not None:
            src.blocked_pages += reason == "blocked"
            src.transient_failures += is_transient(reason)

    def current(self) -> FeedSource | None:
        """The feed whose request or item is being handled (a one-feed crawl: its feed)."""
        if not self.many:
            return self.sources[self.site_key]
        key = sources.SOURCE.get()
        return self.sources.get(key) if key is not None else None

    async def start(self) -> Any:
        for src in self.sources.values():
            meta: dict[str, Any] = {"canonical": src.url, "listing": True}
            if self.many:  # its stats; with REDIS_URL read by one worker per run
                meta.update({sources.META: src.key, "run_once": True})
            yield scrapy.Request(src.url, callback=self.parse_feed, errback=self.fetch_failed, meta=meta)

    def is_new_entry(self, key: str, article_id: str) -> bool:
        """is_new for `key`'s post `article_id`: not in the archive (counted already
        archived otherwise) and, with REDIS_URL, claimed by no other worker."""
        if not self.many:
            return self.is_new(article_id) if key == self.site.key else self.is_new_at_key(key, article_id)
        if self.refresh:
            return True
        if self.index.has(key, article_id) or (self.claims and not self.claims.claim(f"{key}/{article_id}")):
            self.crawler.stats.inc_value("newsarchive/already_archived")
            return False
        return True

    def is_new_at_key(self, key: str, article_id: str) -> bool:
        if self.refresh or not self.index.has(key, article_id):
            return True
        self.crawler.stats.inc_value("newsarchive/already_archived")
        return False

    def release_claim(self, item: Any, **kwargs: Any) -> None:
        """An entry that was not archived (dropped, failed): other workers may take it."""
        if self.claims is not None and isinstance(item, Article) and item.source:
            self.claims.release(f"{item.site}/{item.article_id}")

    def _parse_feed(self, response: Response) -> Iterator[Article | scrapy.Request]:
        src = self.sources[response.meta.get(sources.META, self.site_key)]
        stats = self.crawler.stats
        stats.inc_value("newsarchive/list_pages")
        try:
            feed = parser.parse_feed(response.body, response.url)
        except parser.FeedError as exc:
            self.skip(f"feed-{exc.reason}", response.url, str(exc))
            return
        stats.set_value("newsarchive/first_list_links", len(feed.entries))
        stats.inc_value("newsarchive/list_links", len(feed.entries))
        for reason, what in feed.skipped:  # entries the parser could not read whole
            self.skip(f"entry-{reason}", response.url, what)
        site = src.site
        name = feed.title or site.key  # a feed without a <title>: the site's name
        categories = list(site.categories) or [name]
        author = site.author or name
        seen: set[str] = set()
        for entry in feed.entries:
            article_id = entry_id(site.key, entry)
            source = self.link_source(src, entry)
            if source is not None and source.step != "generic":  # a portal's post
                if f"{source.key}/{source.article_id}" in seen or not self.is_new_at(source):
                    continue
                seen.add(f"{source.key}/{source.article_id}")
            elif article_id in seen or not self.is_new_entry(site.key, article_id):
                continue
            seen.add(article_id)
            body = rawhtml.add_referrerpolicy(entry.body)
            article = Article(
                title=entry.title,
                url=entry.link or response.url,
                site=site.key,
                article_id=article_id,
                published=entry.published,
                body=body,
                categories=categories,
                author=author,
                byline=entry.author,
                image_urls=rawhtml.img_srcs(body, entry.link or response.url),
                source=site.key if self.many else "",
            )
            if source is not None:
                extra = {sources.META: src.key} if self.many else {}
                yield self.linked_request(entry.link, source, fallback=article, **extra)
                continue
            self.count_fields(article)
            yield article

    parse_feed = in_source(_parse_feed)
    fetch_failed = in_source(PortalSpider.fetch_failed)
    parse_linked = in_source(LinkedPages.parse_linked)
    linked_error = in_source(LinkedPages.linked_error)

    # --- fulltext=1 ------------------------------------------------------------------
    def link_source(self, src: FeedSource, entry: parser.Entry) -> Source | None:
        """Who reads the entry's link (None: the feed's content is the post)."""
        if not src.fulltext or urlsplit(entry.link or "").scheme not in ("http", "https"):
            return None
        from crawler.parsers.fulltext import resolve

        return resolve(entry.link, self.portals)

    def is_new_at(self, source: Source) -> bool:
        """is_new for a portal's post (the portal's key and id)."""
        return self.is_new_entry(source.key, source.article_id)

    def linked_done(self, article: Article, meta: dict[str, Any]) -> Iterator[Article]:
        """The page's article with the feed's title (and date, off a portal) where it has them."""
        feed_article: Article = meta["fallback"]
        source: Source = meta["source"]
        if source.step == "generic":  # the feed's post, its body from the page
            article.site, article.article_id = feed_article.site, feed_article.article_id
            article.categories, article.author = feed_article.categories, feed_article.author
            article.published = feed_article.published or article.published
        else:  # the portal's post: its key, id and labels, the page's date
            site = SITES.get(source.key)
            rules = source.rules
            article.site, article.article_id = source.key, source.article_id
            article.categories = list(site.categories if site else rules.categories if rules else ())
            article.author = site.author if site else rules.author if rules else ""
        article.source = feed_article.source
        article.title = feed_article.title or article.title
        article.byline = article.byline or feed_article.byline
        self.count_fields(article)
        yield article

    def linked_failed(self, reason: str, detail: str, meta: dict[str, Any]) -> Iterator[Article]:
        """The entry from the feed's own content (nothing lost), counted."""
        article: Article = meta["fallback"]
        self.crawler.stats.inc_value(f"newsarchive/fulltext/fallback/{reason}")
        self.logger.warning(
            "fulltext: %s: %s%s; archived from the feed", article.url, reason, f": {detail}" if detail else ""
        )
        self.count_fields(article)
        yield article

    linked_meta = ("fallback", sources.META)
