"""IT之家 channel news: the first list page → article pages."""
from __future__ import annotations

from collections.abc import Iterator

import scrapy
from scrapy.http import Response

from crawler.items import Article
from crawler.parsers import ithome as parser
from crawler.spiders.base import SingleListSpider


class IthomeSpider(SingleListSpider):
    """`scrapy crawl ithome [-a start_url=URL] [-a refresh=1]`.

    Reads only the first list page (`https://it.ithome.com/`), as RSSHub's route does: the
    site loads further pages with an XHR POST. `max_pages` is accepted (so `scrapy archive
    -a max_pages=N` can pass it to every site) and ignored.
    """

    name = "ithome"
    site_key = "ithome"
    selectors = {                      # named by the layout alarm when a field goes missing
        "list": parser.LIST_LINKS,
        "title": "div.post_title h1 (list link text preferred)",
        "date": "#pubtime_baidu",
        "body": f"#{parser.BODY_ID}",
        "image": f"#{parser.BODY_ID} img[data-original] / img[src]",
    }

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        page = self.read_list(response, parser.parse_list)
        if page is None:
            return
        for entry in page.entries:        # article URLs on ithome.com only, each id once
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
