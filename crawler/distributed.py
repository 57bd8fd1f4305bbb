"""Scale-out on scrapy-redis: set REDIS_URL in the environment (crawler/settings.py).

Every worker (`scrapy crawl ofweek` or `scrapy archive` on any machine, each with its
own ARCHIVE_DIR) shares one request queue and one set of request fingerprints in
Redis: a worker reads the list pages, the article requests go to the shared queue,
and each article is fetched by exactly one worker, once ever (the fingerprints
persist, SCHEDULER_PERSIST). What this module adds to scrapy-redis's dupefilter:

- list pages and feeds (requests with meta `listing`) are re-read on every run: their
  fingerprints are kept per process, never in the shared set;
- an article that failed for a passing reason (timeout, 5xx …) is forgotten from the
  shared set (`forget`), so a later run fetches it again.
"""

from __future__ import annotations

import warnings
from typing import Any

from scrapy import Request
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy_redis.dupefilter import RFPDupeFilter

# scrapy-redis 0.9.1 passes spider= to the stats collector: harmless, but a warning per
# run would break `scrapy archive`'s "quiet unless something is wrong".
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module=r"scrapy_redis\.")


class SharedDupeFilter(RFPDupeFilter):
    def __init__(self, server: Any, key: str, debug: bool = False) -> None:
        super().__init__(server, key, debug)
        self.listings: set[str] = set()

    @classmethod
    def from_spider(cls, spider: Any) -> SharedDupeFilter:
        df = super().from_spider(spider)
        spider.shared_dupefilter = df  # for PortalSpider.fetch_failed
        return df

    def request_seen(self, request: Request) -> bool:
        if request.meta.get("listing"):
            fp = self.request_fingerprint(request)
            seen = fp in self.listings
            self.listings.add(fp)
            return seen
        return super().request_seen(request)

    def forget(self, request: Request) -> None:
        """Let a later run (of any worker) fetch `request` again."""
        urls = [*request.meta.get("redirect_urls", ())[:1], request.url]
        self.server.srem(self.key, *{self.request_fingerprint(request.replace(url=u)) for u in urls})
