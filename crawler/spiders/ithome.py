"""IT之家 news: the first list page → article pages."""

from __future__ import annotations

from collections.abc import Iterator

import scrapy
from scrapy.http import Response

from crawler.items import Article
from crawler.parsers import ithome as parser
from crawler.spiders.base import SingleListSpider


class IthomeSpider(SingleListSpider):
    """`scrapy crawl ithome [-a start_url=URL] [-a refresh=1]`.

    Reads only the first list page: today's news list `https://www.ithome.com/list/` (layout
    `2026`) by default, or a channel page such as `https://it.ithome.com/` (`corpus-2022`,
    as RSSHub's route read it). `max_pages` is accepted (so `scrapy archive -a max_pages=N`
    can pass it to every site) and ignored.
    """

    name = "ithome"
    site_key = "ithome"
    list_layouts, article_layouts = parser.LIST_LAYOUTS, parser.ARTICLE_LAYOUTS  # (layouts.py)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        page = self.read_list(response, parser.parse_list)
        if page is None:
            return
        for entry in page.entries:  # article URLs on ithome.com only, each id once
            if self.is_new(parser.article_id(entry.url)):
                yield self.request(entry.url, self.parse_article, list_title=entry.title)

    def parse_article(self, response: Response) -> Iterator[Article]:
        article = self.read_article(response, parser.parse_article)
        if article is None:
            return
        self.count_fields(article)
        if response.meta.get("list_title"):
            article.title = response.meta["list_title"]
        yield article
