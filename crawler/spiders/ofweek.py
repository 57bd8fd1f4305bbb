"""OFweek industry news: list pages (with pagination) → article pages (joined over pages)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.items import Article
from crawler.parsers import ofweek as parser
from crawler.spiders.base import PortalSpider, max_pages_argument

DEFAULT_MAX_PAGES = 5


class OfweekSpider(PortalSpider):
    """`scrapy crawl ofweek [-a start_url=URL] [-a max_pages=N]` (default 5 list pages)."""

    name = "ofweek"
    site_key = "ofweek"
    list_layouts, article_layouts = parser.LIST_LAYOUTS, parser.ARTICLE_LAYOUTS  # (layouts.py)

    def __init__(
        self, start_url: str | None = None, max_pages: str | int = DEFAULT_MAX_PAGES, **kwargs: Any
    ) -> None:
        super().__init__(start_url=start_url, **kwargs)
        self.requested: set[str] = set()  # article ids asked for in this run
        self.max_pages = max_pages_argument(max_pages)

    async def start(self) -> Any:
        yield self.request(self.canonical_start, self.parse_list, page=1, listing=True)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        page = self.read_list(response, parser.parse_list)
        if page is None:
            return
        new = 0
        for entry in page.entries:
            if not (self.on_portal(entry.url) and parser.is_article_url(entry.url)):
                self.skip("not-an-article", entry.url)
                continue
            aid = parser.article_id(entry.url) or entry.url  # an article URL: never None
            if self.is_new(aid):
                new += 1
                if aid in self.requested:  # another URL of it (?query, other path, page)
                    continue
                self.requested.add(aid)
                yield self.request(entry.url, self.parse_article, list_title=entry.title)
        number = response.meta["page"]
        if page.next_url and number < self.max_pages and self.follow_pages(new):
            yield self.request(page.next_url, self.parse_list, page=number + 1, listing=True)

    def parse_article(self, response: Response) -> Iterator[Article | scrapy.Request]:
        text = self.page_text(response)
        if text is None:
            return
        first_page = "joined" not in response.meta
        try:
            got = parser.parse_article(text, self.canonical(response))
        except parser.LayoutError as exc:
            if not self.layout_error(exc, text, response) and first_page:
                self.count_fields(None)
            return
        self.count_layout(got.layout)
        if first_page:
            got.article.layout = got.layout
            self.count_fields(got.article)
        article: Article = response.meta.get("joined") or got.article
        if "joined" in response.meta:  # a further page of the same article
            article.body += got.article.body
            article.image_urls += got.article.image_urls
            article.pages += 1
        elif response.meta.get("list_title"):
            article.title = response.meta["list_title"]
        if got.next_page_url and got.next_page_url not in response.meta.get("seen", ()):
            seen = (*response.meta.get("seen", (self.canonical(response),)), got.next_page_url)
            yield self.request(got.next_page_url, self.parse_article, joined=article, seen=seen)
            return
        yield article
