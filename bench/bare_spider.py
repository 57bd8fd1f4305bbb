"""The bare Scrapy spider the crawl figures are measured against: it follows the same list
pages and article links of the OFweek-like portal as `scrapy crawl ofweek` and yields one
field per article (the title), with no decoding rules, checks, pipelines or archive.

    scrapy runspider bench/bare_spider.py -a start_url=http://127.0.0.1:PORT/CATList-….html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start_url: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [start_url]
        parts = urlsplit(start_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"

    def local(self, url: str) -> str:  # the portal's absolute links, onto the test server
        parts = urlsplit(url)
        return self.origin + parts.path

    def parse(self, response: Any) -> Iterator[Any]:
        for href in response.css("div.con-details h3 a::attr(href)").getall():
            yield response.follow(self.local(response.urljoin(href)), self.parse_article)
        for href in response.css("div.page a::attr(href)").getall():
            yield response.follow(href, self.parse)

    def parse_article(self, response: Any) -> Iterator[dict]:
        yield {"title": response.css("h1::text").get()}
