"""Portals declared in newsarchive.toml ([[portals]]): one spider class per portal.

`spider_class(rules)` makes the class the spider loader (crawler/spiderloader.py) adds
under the portal's name, so `scrapy crawl/archive/probe NAME` and `scrapy sites` treat it
like a built-in portal: mirrors, only new articles, the list walk (`max_pages`, stop at a
page with nothing new), articles over several pages joined, counted skips, the layout
alarm (naming the config's selectors), scale-out. It only navigates: the pages are read
by parsers/configportal.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawler.config import PortalRules
from crawler.items import Article
from crawler.parsers import configportal as parser
from crawler.parsers.charset import decode_gb
from crawler.parsers.common import LayoutError
from crawler.sites import Site
from crawler.spiders.base import PortalSpider, max_pages_argument

GB_FAMILY = ("gb2312", "gbk", "gb18030", "cp936", "hz")


def site_of(rules: PortalRules) -> Site:
    return Site(
        key=rules.name,
        categories=rules.categories,
        author=rules.author,
        start_url=rules.start_url,
        domains=rules.hosts,
        tz=rules.tz,
    )


class ConfigPortalSpider(PortalSpider):
    """`scrapy crawl NAME [-a start_url=URL] [-a max_pages=N] [-a refresh=1]`."""

    rules: PortalRules

    def __init__(
        self, start_url: str | None = None, max_pages: str | int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(start_url=start_url, **kwargs)
        self.max_pages = max_pages_argument(self.rules.max_pages if max_pages is None else max_pages)
        self.requested: set[str] = set()  # article ids asked for in this run
        self.list_seen: set[str] = set()  # list pages asked for (a `next` loop ends)
        self.encoding = ""

    def make_site(self) -> Site:
        return site_of(self.rules)

    # --- decoding: the config's charset, else the page's (GB family read as GB18030) ---
    def page_text(self, response: Response) -> str | None:
        self.encoding = self.rules.charset or (
            response.encoding if isinstance(response, TextResponse) else "utf-8"
        )
        return super().page_text(response)

    def decode(self, body: bytes) -> str:
        encoding = self.encoding.lower().replace("_", "-")
        if encoding in GB_FAMILY or encoding.startswith("gb"):
            return decode_gb(body)
        try:
            return body.decode(encoding or "utf-8")
        except (UnicodeDecodeError, LookupError) as exc:
            raise ValueError(f"not {encoding}: {exc}") from None

    # --- navigation ----------------------------------------------------------------
    async def start(self) -> Any:
        self.list_seen.add(self.canonical_start)
        yield self.request(self.canonical_start, self.parse_list, page=1, listing=True)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        page = self.read_list(response, partial(parser.parse_list, self.rules))
        if page is None:
            return
        new = 0
        for entry in page.entries:
            aid = parser.article_id(self.rules, entry.url) if self.on_portal(entry.url) else None
            if aid is None:
                self.skip("not-an-article", entry.url)
                continue
            if self.is_new(aid):
                new += 1
                if aid in self.requested:  # another link to the same article
                    continue
                self.requested.add(aid)
                yield self.request(entry.url, self.parse_article)
        number = response.meta["page"]
        nxt = page.next_url
        if (
            nxt
            and nxt not in self.list_seen
            and self.on_portal(nxt)
            and number < self.max_pages
            and self.follow_pages(new)
        ):
            self.list_seen.add(nxt)
            yield self.request(nxt, self.parse_list, page=number + 1, listing=True)

    def parse_article(self, response: Response) -> Iterator[Article | scrapy.Request]:
        text = self.page_text(response)
        if text is None:
            return
        joined: Article | None = response.meta.get("joined")
        try:
            got = parser.parse_article(self.rules, text, self.canonical(response), further=joined is not None)
        except LayoutError as exc:
            if not self.layout_error(exc, text, response) and joined is None:
                self.count_fields(None)
            return
        self.count_layout(got.layout)
        if joined is None:
            article = got.article
            article.layout = got.layout
            self.count_fields(article)
        else:  # a further page of the same article
            article = joined
            article.body += got.article.body
            article.image_urls += got.article.image_urls
            article.pages += 1
        seen = response.meta.get("seen", (self.canonical(response),))
        nxt = got.next_page_url
        if nxt and nxt not in seen and self.on_portal(nxt):
            yield self.request(nxt, self.parse_article, joined=article, seen=(*seen, nxt))
            return
        yield article


def spider_class(rules: PortalRules) -> type[ConfigPortalSpider]:
    """The spider of one config portal (named after it)."""
    return type(
        f"ConfigPortal_{rules.name}",
        (ConfigPortalSpider,),
        {
            "name": rules.name,
            "site_key": rules.name,
            "rules": rules,
            "list_layouts": (parser.list_layout(rules),),
            "article_layouts": (parser.article_layout(rules),),
            "__module__": __name__,
            "__doc__": f"`{rules.name}` from {rules.source}: "
            f"`scrapy crawl {rules.name} [-a start_url=URL] [-a max_pages=N] [-a refresh=1]`",
        },
    )
