"""开源中国 news: the cookie page, then list fragments (XHR, paged) → article pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.downloadsafety import failure_reason
from crawler.items import Article
from crawler.parsers import oschina as parser
from crawler.sites import BEIJING
from crawler.spiders.base import PortalSpider, max_pages_argument

DEFAULT_MAX_PAGES = 5


def parse_now(text: str) -> datetime:
    """An ISO 8601 time (`2022-06-15T12:00:00+08:00`); without an offset, Beijing time."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"now must be an ISO 8601 time such as 2022-06-15T12:00:00+08:00, not {text!r}"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=BEIJING)


class OschinaSpider(PortalSpider):
    """`scrapy crawl oschina [-a start_url=URL] [-a max_pages=N] [-a refresh=1] [-a now=ISO]`.

    First GETs `https://www.oschina.net/news` for its cookies (today's route does; Scrapy's
    CookiesMiddleware, on by default, sends them with every later request; when that page
    fails the walk goes on without them, counted as `newsarchive/oschina/cookie_page_failed`).
    Then walks the list fragment `…/news/widgets/_news_index_all_list?p=1&type=ajax` (p=2, 3 …,
    at most `max_pages`, default 5), sent with the route's XHR headers, then each new article's
    page (with the route's Referer). Dates such as `今天 08:55` or `25分钟前` are read against
    `now`: the clock when the list arrives, or the fixed `-a now=` (tests and fixture crawls).
    """

    name = "oschina"
    site_key = "oschina"
    empty_page_ends_list = True
    list_layouts, article_layouts = parser.LIST_LAYOUTS, parser.ARTICLE_LAYOUTS  # (layouts.py)

    def __init__(
        self,
        start_url: str | None = None,
        max_pages: str | int = DEFAULT_MAX_PAGES,
        now: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(start_url=start_url, **kwargs)
        self.requested: set[str] = set()  # article ids asked for in this run
        self.max_pages = max_pages_argument(max_pages)
        self.fixed_now = parse_now(now) if now else None

    def now(self) -> datetime:
        """The reference time of relative list dates."""
        return self.fixed_now or datetime.now(BEIJING)

    def list_request(self, url: str, number: int) -> scrapy.Request:
        return self.request(url, self.parse_list, headers=parser.LIST_HEADERS, page=number, listing=True)

    async def start(self) -> Any:
        req = self.request(parser.COOKIE_PAGE, self.got_cookies)
        yield req.replace(errback=self.no_cookies)

    def got_cookies(self, response: Response) -> Iterator[scrapy.Request]:
        """The cookie page arrived (CookiesMiddleware kept what it set): on to the list."""
        self.crawler.stats.set_value(
            "newsarchive/oschina/cookies_set", len(response.headers.getlist("Set-Cookie"))
        )
        yield self.list_request(self.canonical_start, 1)

    def no_cookies(self, failure: Any) -> Iterator[scrapy.Request]:
        """The cookie page failed: not an article lost, so no skip; the list is read anyway."""
        reason, detail = failure_reason(failure, self.settings.getint("REDIRECT_MAX_TIMES"))
        self.crawler.stats.inc_value("newsarchive/oschina/cookie_page_failed")
        self.logger.warning(
            "cookie page %s failed (%s%s); reading the list without its cookies",
            parser.COOKIE_PAGE,
            reason,
            f": {detail}" if detail else "",
        )
        yield self.list_request(self.canonical_start, 1)

    def decode(self, body: bytes) -> str:
        """UTF-8, as the site serves it (strict: anything else is a counted skip)."""
        return body.decode("utf-8")

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        now = self.now()
        page = self.read_list(response, lambda text, url: parser.parse_list(text, url, now))
        if page is None:
            return
        new = 0
        for entry in page.entries:
            aid = parser.article_id(entry.url)
            if aid is None:  # gitee.com, my.oschina.net, osc.cool …
                self.skip("not-an-article", entry.url)
                continue
            if self.is_new(aid):
                new += 1
                if aid in self.requested:  # another URL of it, or listed on two pages
                    continue
                self.requested.add(aid)
                yield self.request(entry.url, self.parse_article, headers=parser.ARTICLE_HEADERS, entry=entry)
        number = response.meta["page"]
        if page.next_url and number < self.max_pages and self.follow_pages(new):
            yield self.list_request(page.next_url, number + 1)

    def parse_article(self, response: Response) -> Iterator[Article]:
        article = self.read_article(response, parser.parse_article)
        if article is None:
            return
        entry: parser.NewsEntry | None = response.meta.get("entry")
        if entry is not None:  # the list's title and date (minutes) win
            article.title = entry.title or article.title
            article.published = entry.published or article.published
        self.count_fields(article)
        yield article
