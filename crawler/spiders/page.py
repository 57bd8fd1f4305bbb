"""One article page from anywhere, and the link fetching that feeds with `fulltext=1` share.

    scrapy crawl page -a url=URL [-a site=KEY] [-a categories=…] [-a author=…] [-a refresh=1]

The page is read by the chain of parsers/fulltext.py: a known portal's parser when the URL
is on its hosts, a config portal's rules on its hosts, else the generic extractor
(trafilatura). `site` names a portal (built-in or config) whose parser reads the page
even on another host (a mirror, a test server), or, for a page no portal knows, the key
of its file name (`_posts/<site>-<sha1(url)[:16]>.md`, default `page`). A portal's page
gets the portal's id, so it is the same post as its spider's; rerunning is a no-op
unless `refresh=1`. Counted: `newsarchive/fulltext/<step>`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy

from crawler.config import PortalRules
from crawler.items import Article
from crawler.parsers import fulltext
from crawler.sites import SITES, Site
from crawler.spiders.base import PortalSpider
from crawler.spiders.configportal import site_of
from crawler.spiders.feed import parse_labels
from crawler.spiders.linked import LinkedPages, load_portals


class PageSpider(LinkedPages, PortalSpider):
    name = "page"

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PageSpider:
        kwargs["portals"] = load_portals(crawler.settings)
        return super().from_crawler(crawler, *args, **kwargs)  # type: ignore[return-value]

    def __init__(
        self,
        url: str | None = None,
        start_url: str | None = None,
        site: str = "",
        categories: str = "",
        author: str = "",
        portals: list[PortalRules] | None = None,
        **kwargs: Any,
    ) -> None:
        self.page_url = (url or start_url or "").strip()
        parts = urlsplit(self.page_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"give the page: -a url=http(s)://…, not {self.page_url!r}")
        self.portals = portals or []
        self.mirrors = {}
        site = site.strip()
        names = {*fulltext.PORTAL_PARSERS, *(r.name for r in self.portals)}
        if site and site not in names and not site.replace("-", "").replace("_", "").isalnum():
            raise ValueError(
                f"site must be a portal or a plain name (letters, digits, - and _), not {site!r}"
            )
        if site in SITES and site not in fulltext.PORTAL_PARSERS:
            raise ValueError(
                f"site {site!r} has no article pages to read (known: {', '.join(sorted(names))})"
            )
        self.source = fulltext.resolve(self.page_url, self.portals, site if site in names else "")
        self.page_key = site or "page"
        self.labels = parse_labels(categories)
        self.author_label = author.strip()
        super().__init__(start_url=self.page_url, **kwargs)
        # the canonical URL (the portal's host when `url` is on a mirror) gives the id
        self.source = fulltext.resolve(self.canonical_start, self.portals, self.source.key)

    def make_site(self) -> Site:
        if self.source.step == "portal":
            site = SITES[self.source.key]
        elif self.source.rules is not None:
            site = site_of(self.source.rules)
        else:
            host = urlsplit(self.page_url).hostname or ""
            site = Site(
                key=self.page_key, categories=(host,), author=host, start_url=self.page_url, domains=(host,)
            )
        return Site(
            key=site.key,
            categories=tuple(self.labels) or site.categories,
            author=self.author_label or site.author,
            start_url=site.start_url,
            domains=site.domains,
            tz=site.tz,
        )

    def finished_marker(self) -> str:
        return f"page-{self.site.key}"  # never a portal spider's marker

    async def start(self) -> Any:
        if not self.is_new(self.source.article_id):
            self.logger.info("%s is archived already (-a refresh=1 fetches it again)", self.canonical_start)
            return
        yield self.linked_request_page()

    def linked_request_page(self) -> scrapy.Request:
        return scrapy.Request(
            self.fetch_url(self.canonical_start),
            callback=self.parse_linked,
            errback=self.linked_error,
            meta={"canonical": self.canonical_start, "source": self.source},
        )

    def linked_request(self, url: str, source: fulltext.Source, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            self.fetch_url(url),
            callback=self.parse_linked,
            errback=self.linked_error,
            meta={"canonical": url, "source": source, **meta},
        )

    def unmirror_linked(self, text: str) -> str:
        return self.unmirror(text)

    def linked_done(self, article: Article, meta: dict[str, Any]) -> Iterator[Any]:
        article.site = self.site.key
        article.article_id = self.source.article_id
        article.url = self.canonical_start
        article.categories = list(self.site.categories)
        article.author = self.site.author
        self.count_fields(article)
        yield article

    def linked_failed(self, reason: str, detail: str, meta: dict[str, Any]) -> Iterator[Any]:
        portal = meta.get("source", self.source).step != fulltext.GENERIC
        if (
            portal
            and reason not in ("blocked", "empty-page", "undecodable")
            and not reason.startswith(("http-", "fetch", "redirect", "too-"))
        ):
            self.count_fields(None)  # a portal's parser failed: the layout alarm's concern
        self.skip(reason, meta.get("canonical", self.canonical_start), detail)
        return iter(())
