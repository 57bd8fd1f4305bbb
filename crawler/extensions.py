"""Crawl-wide checks that run beside the spiders."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.logcount import LogCount

from crawler.sources import scope, source_stats

DEFAULT_MIN_COVERAGE = {"title": 0.9, "date": 0.9, "body": 0.9, "image": 0.2}


class LayoutAlarm:
    """A portal redesign must not pass as "no new articles".

    When a crawl's first list page yields no article link, or (over at least
    LAYOUT_MIN_ARTICLES article pages) a field's share falls below its
    LAYOUT_MIN_COVERAGE, log the selector that failed at ERROR and set the stat
    `newsarchive/layout_alarm` (`scrapy archive` then exits 4).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.min_articles = crawler.settings.getint("LAYOUT_MIN_ARTICLES", 3)
        self.min_coverage = {**DEFAULT_MIN_COVERAGE, **crawler.settings.getdict("LAYOUT_MIN_COVERAGE")}
        self.found: list[str] = []  # the alarms of the finished crawl
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LayoutAlarm:
        return cls(crawler)

    def alarms(self, selectors: dict[str, str], get: Any = None) -> list[str]:
        """The alarms of the crawl's stats (`get`: of one source's, crawler/sources.py)."""
        get = get or self.stats.get_value
        found: list[str] = []
        if (
            get("newsarchive/list_pages", 0)
            and not get("newsarchive/first_list_links", 0)
            and not get("newsarchive/skipped/blocked", 0)
        ):  # blocked is not broken
            found.append(f"the list page gave no article link (selector {selectors.get('list', '?')})")
        articles = get("newsarchive/layout/articles", 0)
        if articles >= self.min_articles:
            for field, minimum in self.min_coverage.items():
                if selectors and field not in selectors:
                    continue  # a field this spider does not read
                share = get(f"newsarchive/layout/with/{field}", 0) / articles
                if share < float(minimum):
                    found.append(
                        f"{field} found in {share:.0%} of {articles} article pages "
                        f"(< {float(minimum):.0%}; selector {selectors.get(field, '?')})"
                    )
        return found

    def spider_closed(self, spider: Spider, reason: Any) -> None:
        if reason != "finished":
            return
        keys = getattr(spider, "report_sources", None)
        if keys:  # many feeds in one crawl: each its own alarm
            views = source_stats(self.stats.get_stats(), keys)
            for key in keys:
                found = self.alarms(getattr(spider, "selectors", {}), views[key].get)
                self.found += [f"feed-{key}: {m}" for m in found]
                with scope(key):
                    for message in found:
                        spider.logger.error("layout alarm: feed-%s: %s", key, message)
                    if found:
                        self.stats.set_value("newsarchive/layout_alarm", len(found))
            return
        found = self.found = self.alarms(getattr(spider, "selectors", {}))
        for message in found:
            spider.logger.error("layout alarm: %s: %s", spider.name, message)
        if found:
            self.stats.set_value("newsarchive/layout_alarm", len(found))


class OwnLogCount(LogCount):
    """Scrapy's log_count/<LEVEL> stats, counting only this crawler's records: with several
    crawlers in one process (`scrapy archive`), a record attributed to another crawler's
    spider (Scrapy and our spiders and pipelines attribute theirs) is not counted here."""

    def spider_opened(self, spider: Spider) -> None:
        super().spider_opened(spider)
        if self.handler is not None:
            self.handler.addFilter(self._own)

    def _own(self, record: logging.LogRecord) -> bool:
        other = getattr(record, "spider", None)
        return other is None or other is self.crawler.spider
