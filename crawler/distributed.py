"""Scale-out on scrapy-redis: set REDIS_URL in the environment (crawler/settings.py).

Every worker (`scrapy crawl ofweek` or `scrapy archive` on any machine, each with its
own ARCHIVE_DIR) shares one request queue and one set of request fingerprints in
Redis: a worker reads the list pages, the article requests go to the shared queue,
and each article is fetched by exactly one worker, once ever (the fingerprints
persist, SCHEDULER_PERSIST). What this module adds to scrapy-redis's dupefilter:

- list pages and feeds (requests with meta `listing`) are re-read on every run: their
  fingerprints are kept per process, never in the shared set;
- an article that failed for a passing reason (timeout, 5xx …) is forgotten from the
  shared set (`forget`), so a later run fetches it again;
- the feeds of `scrapy archive` (requests with meta `run_once`) are read once per run
  across workers: the first worker to schedule a feed claims it for REDIS_CLAIM_SECONDS
  (what "a run" is), and whichever worker pops it from the shared queue reads it;
- a feed entry is archived by one worker (`SharedEntries`): its `<site>/<id>` is claimed
  for REDIS_CLAIM_SECONDS while it is being archived, then kept in a shared set; a claim
  that was not archived (dropped, failed, the worker killed) lapses for the next run.
"""

from __future__ import annotations

import warnings
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.sources import META, with_source

# scrapy-redis 0.9.1 passes spider= to the stats collector: harmless, but a warning per
# run would break `scrapy archive`'s "quiet unless something is wrong".
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module=r"scrapy_redis\.")


DEFAULT_CLAIM_SECONDS = 600  # REDIS_CLAIM_SECONDS


def claim_seconds(settings: Any) -> int:
    return max(1, settings.getint("REDIS_CLAIM_SECONDS", DEFAULT_CLAIM_SECONDS))


class SharedEntries:
    """Feed entries archived once across workers: `<key>:entries` holds what was archived,
    `<key>:entry:<site>/<id>` a worker's claim on what it is archiving."""

    def __init__(self, server: Any, key: str, window: int) -> None:
        self.server, self.key, self.window = server, key, window

    @classmethod
    def from_crawler(cls, crawler: Any, name: str) -> SharedEntries:
        entries = cls(connection.from_settings(crawler.settings), name, claim_seconds(crawler.settings))
        crawler.signals.connect(entries.archived, signal=signals.item_scraped)
        return entries

    def claim(self, entry: str) -> bool:
        """Whether this worker archives `entry` (no worker did, none is doing it now)."""
        if self.server.sismember(f"{self.key}:entries", entry):
            return False
        return bool(self.server.set(f"{self.key}:entry:{entry}", 1, nx=True, ex=self.window))

    def archived(self, item: Any) -> None:
        entry = f"{getattr(item, 'site', '')}/{getattr(item, 'article_id', '')}"
        if getattr(item, "source", ""):  # a many-feed crawl's entry
            self.server.sadd(f"{self.key}:entries", entry)
            self.server.delete(f"{self.key}:entry:{entry}")

    def release(self, entry: str) -> None:
        self.server.delete(f"{self.key}:entry:{entry}")


class SharedDupeFilter(RFPDupeFilter):
    def __init__(self, server: Any, key: str, debug: bool = False) -> None:
        super().__init__(server, key, debug)
        self.listings: set[str] = set()

    window = DEFAULT_CLAIM_SECONDS

    @classmethod
    def from_spider(cls, spider: Any) -> SharedDupeFilter:
        df = super().from_spider(spider)
        df.window = claim_seconds(spider.settings)
        spider.shared_dupefilter = df  # for PortalSpider.fetch_failed
        return df

    def request_seen(self, request: Request) -> bool:
        if request.meta.get("run_once"):  # a feed: read by one worker per run
            fp = self.request_fingerprint(request)
            return not self.server.set(f"{self.key}:run:{fp}", 1, nx=True, ex=self.window)
        if request.meta.get("listing"):
            fp = self.request_fingerprint(request)
            seen = fp in self.listings
            self.listings.add(fp)
            return seen
        return super().request_seen(request)

    def request_fingerprint(self, request: Request) -> str:
        """scrapy-redis's fingerprint, per feed for a feed's requests (crawler/sources.py)."""
        fp = super().request_fingerprint(request)
        return with_source(fp.encode(), request).hex() if request.meta.get(META) else fp

    def forget(self, request: Request) -> None:
        """Let a later run (of any worker) fetch `request` again."""
        urls = [*request.meta.get("redirect_urls", ())[:1], request.url]
        self.server.srem(self.key, *{self.request_fingerprint(request.replace(url=u)) for u in urls})
