"""36kr 快讯: the items of one list page's JSON state (RSSHub's `/36kr/newsflashes`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from scrapy.http import Response

from crawler.items import Article
from crawler.parsers import kr36 as parser
from crawler.spiders.base import SingleListSpider


class Kr36Spider(SingleListSpider):
    """`scrapy crawl 36kr [-a start_url=URL] [-a refresh=1]`.

    One request per run: `https://www.36kr.com/newsflashes` (today's; the corpus era's
    `https://36kr.com/newsflashes` works too), whose `window.initialState` holds every item
    whole (title, text, time), so no item page is fetched. The layout versions are the
    parser's (`2026`, `corpus-2022`); 36kr's spider stub and WAF challenge are `blocked`
    skips. Our own User-Agent is sent (the route's old iPhone one is not). `max_pages` is
    accepted and ignored.
    """

    name = "36kr"
    site_key = "36kr"
    list_layouts, article_layouts = parser.LIST_LAYOUTS, parser.ARTICLE_LAYOUTS  # (layouts.py)

    def parse_list(self, response: Response) -> Iterator[Article]:
        page = self.read_list(response, parser.parse_list)
        if page is None:
            return
        for entry in cast(list[parser.FlashEntry], page.entries):
            if not entry.item_id:
                self.skip("no-id", entry.url, "item without itemId")
                continue
            if not self.is_new(entry.item_id):
                continue
            article = Article(
                title=entry.title,
                url=entry.url,
                site=self.site.key,
                article_id=entry.item_id,
                published=entry.published,
                body=entry.body,
            )
            article.layout = page.layout
            self.count_fields(article)
            missing = (
                "no-title"
                if not article.title
                else "no-body"
                if not article.body.strip()
                else "no-date"
                if article.published is None
                else ""
            )
            if missing:
                self.skip(missing, entry.url, f"item {entry.item_id}")
                continue
            yield article
