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
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.items import Article
from crawler.parsers import cnbeta, ithome, kr36, ofweek, oschina, rawhtml
from crawler.parsers import feed as parser
from crawler.sites import SITES, Site
from crawler.spiders.base import PortalSpider
from crawler.spiders.linked import LinkedPages, load_portals, parse_mirrors

if TYPE_CHECKING:
    from crawler.config import PortalRules
    from crawler.parsers.fulltext import Source

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


class FeedSpider(LinkedPages, PortalSpider):
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
        **kwargs: Any,
    ) -> None:
        self.fulltext = str(fulltext).strip().lower() in ("1", "true", "yes")
        self.mirrors = parse_mirrors(mirrors)
        self.portals = portals or []
        self.site_key = site.strip()
        if not self.site_key or not self.site_key.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"site must be a plain name (letters, digits, - and _), not {site!r}")
        self.feed_url = url or start_url
        if not self.feed_url:
            raise ValueError("give the feed: -a url=https://…")
        self.name = f"feed-{self.site_key}"  # one scrapy-redis queue per feed (REDIS_URL)
        self.labels = parse_labels(categories)
        self.author_label = author.strip()
        super().__init__(start_url=self.feed_url, **kwargs)
        self.mirror = None  # a feed is fetched from where it is
        self.canonical_start = self.start_url
        self.allowed_domains = None  # type: ignore[assignment]  # its images may be on any host

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> FeedSpider:
        if str(kwargs.get("fulltext", "0")).strip().lower() in ("1", "true", "yes"):
            kwargs["portals"] = load_portals(crawler.settings)
        return super().from_crawler(crawler, *args, **kwargs)  # type: ignore[return-value]

    def make_site(self) -> Site:
        known = SITES.get(self.site_key)
        host = urlsplit(self.feed_url or "").hostname or ""
        return Site(
            key=self.site_key,
            categories=tuple(self.labels) or (known.categories if known else ()),
            author=self.author_label or (known.author if known else ""),
            start_url=self.feed_url or "",
            domains=(host,),
            **({"tz": known.tz} if known else {}),
        )

    async def start(self) -> Any:
        yield scrapy.Request(
            self.start_url,
            callback=self.parse_feed,
            errback=self.fetch_failed,
            meta={"canonical": self.start_url, "listing": True},
        )

    def parse_feed(self, response: Response) -> Iterator[Article | scrapy.Request]:
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
        name = feed.title or self.site.key  # a feed without a <title>: the site's name
        categories = list(self.site.categories) or [name]
        author = self.site.author or name
        seen: set[str] = set()
        for entry in feed.entries:
            article_id = entry_id(self.site.key, entry)
            source = self.link_source(entry)
            if source is not None and source.step != "generic":  # a portal's post
                if f"{source.key}/{source.article_id}" in seen or not self.is_new_at(source):
                    continue
                seen.add(f"{source.key}/{source.article_id}")
            elif article_id in seen or not self.is_new(article_id):
                continue
            seen.add(article_id)
            body = rawhtml.add_referrerpolicy(entry.body)
            article = Article(
                title=entry.title,
                url=entry.link or response.url,
                site=self.site.key,
                article_id=article_id,
                published=entry.published,
                body=body,
                categories=categories,
                author=author,
                byline=entry.author,
                image_urls=rawhtml.img_srcs(body, entry.link or response.url),
            )
            if source is not None:
                yield self.linked_request(entry.link, source, fallback=article)
                continue
            self.count_fields(article)
            yield article

    # --- fulltext=1 ------------------------------------------------------------------
    def link_source(self, entry: parser.Entry) -> Source | None:
        """Who reads the entry's link (None: the feed's content is the post)."""
        if not self.fulltext or urlsplit(entry.link or "").scheme not in ("http", "https"):
            return None
        from crawler.parsers.fulltext import resolve

        return resolve(entry.link, self.portals)

    def is_new_at(self, source: Source) -> bool:
        """is_new for a portal's post (the portal's key and id)."""
        if self.refresh or not self.index.has(source.key, source.article_id):
            return True
        self.crawler.stats.inc_value("newsarchive/already_archived")
        return False

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

    linked_meta = ("fallback",)
