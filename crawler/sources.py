"""Many sources in one crawl: each source's own stats, beside the crawl's totals.

`scrapy archive` reads all its feeds with one spider (spiders/feed.py), yet reports each
feed on its own. While a source is current (`scope(key)`: a callback of its requests, the
pipelines on one of its items), every stat change is also recorded as
`source/<key>/<stat>`; `source_stats` gives a source's stats back under their usual names,
so `outcome()` judges a feed as it judged a feed's own crawler. Downloader counts come
from the requests' meta (`SourceDownloaderStats`), the robots.txt of a source's hosts
counted for each source on them (what the source would have cost on its own).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.pipelines import ItemPipelineManager
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.request import RequestFingerprinter

SOURCE: ContextVar[str | None] = ContextVar("newsarchive_source", default=None)
META = "feed_key"  # request meta: the source a request is for
PREFIX = "source/"
DOWNLOADER = "downloader/"  # counted from request meta only (SourceDownloaderStats)


@contextmanager
def scope(key: str | None) -> Iterator[None]:
    """Make `key` the current source (None: none) for the stats changed inside."""
    token = SOURCE.set(key)
    try:
        yield
    finally:
        SOURCE.reset(token)


def source_stats(stats: dict[str, Any], keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Each source's stats under their usual names (with the crawl's finish_reason), in
    one pass over the stats. A source key holds no "/" (spiders/feed.py checks)."""
    views: dict[str, dict[str, Any]] = {key: {} for key in keys}
    for name, value in stats.items():
        if name.startswith(PREFIX):
            key, _, stat = name[len(PREFIX) :].partition("/")
            if key in views:
                views[key][stat] = value
    if "finish_reason" in stats:
        for view in views.values():
            view["finish_reason"] = stats["finish_reason"]
    return views


class SourceStatsCollector(MemoryStatsCollector):
    """Scrapy's stats, each change also made under source/<key>/ while a source is current."""

    # Scrapy's StatsCollector routes every attribute read (each `self._stats` too) through a
    # Python __getattribute__ that wraps its methods to warn about a deprecated `spider`
    # argument, at the cost of a caught AttributeError per read: a few per item. The methods
    # here still accept `spider` (and ignore it, as Scrapy's do).
    __getattribute__ = object.__getattribute__

    def _own(self, key: str) -> str | None:
        current = SOURCE.get()
        if current is None or key.startswith((PREFIX, DOWNLOADER)):
            return None
        return f"{PREFIX}{current}/{key}"

    def set_value(self, key: str, value: Any, spider: Spider | None = None) -> None:
        super().set_value(key, value)
        own = self._own(key)
        if own:
            super().set_value(own, value)

    def inc_value(self, key: str, count: int = 1, start: int = 0, spider: Spider | None = None) -> None:
        super().inc_value(key, count, start)
        own = self._own(key)
        if own:
            super().inc_value(own, count, start)

    def max_value(self, key: str, value: Any, spider: Spider | None = None) -> None:
        super().max_value(key, value)
        own = self._own(key)
        if own:
            super().max_value(own, value)

    def min_value(self, key: str, value: Any, spider: Spider | None = None) -> None:
        super().min_value(key, value)
        own = self._own(key)
        if own:
            super().min_value(own, value)


def with_source(fingerprint: bytes, request: Request) -> bytes:
    """A request's fingerprint made its source's: two feeds may hold the same URL (or link
    the same page) and each reads it, as each did with a crawler of its own."""
    key = request.meta.get(META)
    return hashlib.sha1(fingerprint + b"\0" + key.encode("utf-8")).digest() if key else fingerprint


class SourceFingerprinter(RequestFingerprinter):
    """Scrapy's request fingerprints, per source (`with_source`)."""

    def fingerprint(self, request: Request) -> bytes:
        return with_source(super().fingerprint(request), request)


class SourcePipelineManager(ItemPipelineManager):
    """The item pipelines, run with the item's source current (Article.source)."""

    async def process_item_async(self, item: Any) -> Any:
        with scope(getattr(item, "source", "") or None):
            return await super().process_item_async(item)


class SourceDownloaderStats:
    """downloader/request_count and response_count per source (request meta `feed_key`,
    else the source current when the request was made: a source's images). The first
    request of a source to a host also counts that host's robots.txt, as the source's
    own crawl would have fetched it."""

    def __init__(self, stats: Any, robots: bool) -> None:
        self.stats = stats
        self.robots = robots
        self.hosts: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> SourceDownloaderStats:
        return cls(crawler.stats, crawler.settings.getbool("ROBOTSTXT_OBEY"))

    def count(self, key: str, name: str) -> None:
        self.stats.inc_value(f"{PREFIX}{key}/{DOWNLOADER}{name}")

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        key = request.meta.get(META) or SOURCE.get()
        if not key:
            return None
        request.meta[META] = key
        self.count(key, "request_count")
        netloc = urlsplit(request.url).netloc
        if self.robots and not request.meta.get("dont_obey_robotstxt") and (key, netloc) not in self.hosts:
            self.hosts.add((key, netloc))
            self.count(key, "request_count")
        return None

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        key = request.meta.get(META)
        if key:
            self.count(key, "response_count")
        return response
