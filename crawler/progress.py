"""Progress of a long run: every PROGRESS_INTERVAL seconds, one line per site on stderr
(`ofweek: 2 list page(s), 5 new, 3 already archived, 0 skipped, 14 requests so far`).

On when PROGRESS is true: `scrapy crawl` always, `scrapy archive` with -v or on a terminal;
so under cron a run stays silent unless something is wrong."""

from __future__ import annotations

import sys
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task: Any = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 10)
        if not crawler.settings.getbool("PROGRESS") or interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def spider_opened(self, spider: Any) -> None:
        self.task = create_looping_call(self.report, spider)
        self.task.start(self.interval, now=False)

    def report(self, spider: Any) -> None:
        get = self.crawler.stats.get_value
        skipped = sum(
            v for k, v in self.crawler.stats.get_stats().items() if k.startswith("newsarchive/skipped/")
        )
        site = getattr(getattr(spider, "site", None), "key", spider.name)
        print(
            f"{site}: {get('newsarchive/list_pages', 0)} list page(s), "
            f"{get('newsarchive/posts/written', 0)} new, {get('newsarchive/already_archived', 0)} "
            f"already archived, {skipped} skipped, {get('downloader/request_count', 0)} requests "
            "so far",
            file=sys.stderr,
            flush=True,
        )

    def spider_closed(self, spider: Any) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
