"""cnBeta: the site's RSS → article pages (layout versions: parsers/cnbeta.py)."""

from __future__ import annotations

from collections.abc import Iterator

import scrapy
from scrapy.http import Response

from crawler.items import Article
from crawler.parsers import cnbeta as parser
from crawler.spiders.base import SingleListSpider


class CnbetaSpider(SingleListSpider):
    """`scrapy crawl cnbeta [-a start_url=URL] [-a refresh=1]`.

    Reads the RSS (`https://www.cnbeta.com.tw/backend.php`, one request; the corpus era's was
    `https://rss.cnbeta.com/`), then each new article's page: the post takes title, date
    (with seconds) and author from the RSS item and the body from the page, by the page's
    layout version (`2026` or `corpus-2022`). `max_pages` is accepted (so `scrapy archive -a
    max_pages=N` can pass it to every site) and ignored: the RSS is one page.
    """

    name = "cnbeta"
    site_key = "cnbeta"
    list_layouts, article_layouts = parser.LIST_LAYOUTS, parser.ARTICLE_LAYOUTS  # (layouts.py)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        page = self.read_list(response, parser.parse_list)
        if page is None:
            return
        for entry in page.entries:  # cnBeta articles only, each id once, no adam
            if self.is_new(parser.article_id(entry.url)):
                yield self.request(entry.url, self.parse_article, entry=entry)

    def parse_article(self, response: Response) -> Iterator[Article]:
        article = self.read_article(response, parser.parse_article)
        if article is None:
            return
        entry: parser.FeedEntry | None = response.meta.get("entry")
        if entry is not None:  # the RSS item's title, date (seconds) and author win
            article.title = entry.title or article.title
            article.published = entry.published or article.published
            article.byline = entry.author or article.byline
        self.count_fields(article)
        yield article
