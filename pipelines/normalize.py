"""Normalize an Article: labels (the spider's or the site's), UTC dates, absolute URLs, head image."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.parsers.rawhtml import absolute
from crawler.sites import SITES

PLACEHOLDER = "https://picsum.photos/400/300?random={n}"
DEFAULT_MAX_FUTURE = 86400  # seconds; DATE_MAX_FUTURE

logger = logging.getLogger(__name__)


def placeholder_image(article_id: str, template: str = PLACEHOLDER) -> str:
    """The head image of a post without images (PLACEHOLDER_IMAGE): the generator's random
    picsum image by default, made stable (`{n}` derives from the article id); any URL; or
    empty for none. Never fetched, in local image mode too (it is not in the body)."""
    n = int(hashlib.sha1(article_id.encode("utf-8")).hexdigest(), 16) % 10000
    return template.replace("{n}", str(n))


def _verbatim_earliest_utc(text: str) -> datetime | None:
    """The earliest UTC instant a zone-less `YYYY-MM-DD HH:MM[:SS]` can mean (UTC+14)."""
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=UTC) - timedelta(hours=14)


# A run of whitespace that holds a line break, a tab or another non-space (NBSP …) character.
_BREAK_RUN = re.compile(r"\s*[^\S ]\s*")


def one_line(title: str) -> str:
    """A title on one line, its inner spaces as the source wrote them: the ends trimmed, and
    each whitespace run that holds a line break, tab or other non-space one space (feeds keep
    `520特别活动 _  2行代码` with its two spaces, as the corpus generator wrote them)."""
    return _BREAK_RUN.sub(" ", title).strip()


class NormalizePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        # a date further ahead than this is a page error, not news: the article is skipped
        self.max_future = timedelta(seconds=crawler.settings.getfloat("DATE_MAX_FUTURE", DEFAULT_MAX_FUTURE))
        placeholder = crawler.settings.get("PLACEHOLDER_IMAGE", PLACEHOLDER)
        self.placeholder = "" if placeholder is None else str(placeholder).strip()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        return cls(crawler)

    def drop(self, reason: str, url: str, log_level: str | None = None) -> DropItem:
        self.stats.inc_value(f"newsarchive/skipped/{reason}")
        return DropItem(f"{reason}: {url}", log_level=log_level)

    def process_item(self, item: object, spider: Spider | None = None) -> object:
        a = ItemAdapter(item)
        site = SITES.get(a["site"])  # None: a feed with its own labels
        a["title"] = one_line(a["title"])
        if not a["title"]:
            raise self.drop("no-title", a["url"])
        if not a["body"].strip():
            raise self.drop("no-body", a["url"])
        if not a["article_id"]:
            raise self.drop("no-id", a["url"])
        published = a["published"]
        if isinstance(published, datetime):
            if published.tzinfo is None:  # portal time without offset
                published = published.replace(tzinfo=site.tz if site else UTC)
            a["published"] = published.astimezone(UTC)
            latest = a["published"]
        elif not published:
            raise self.drop("no-date", a["url"])
        else:  # a source's local date string, kept verbatim: zone unknown
            latest = _verbatim_earliest_utc(published)
        if latest is not None and latest > datetime.now(UTC) + self.max_future:
            logger.warning(
                "skipped %s (future-date): dated %s, more than %gs ahead",
                a["url"],
                published,
                self.max_future.total_seconds(),
            )
            raise self.drop("future-date", a["url"], log_level="DEBUG")  # warned above
        # The spider's labels (a feed's -a categories/author), else the site's.
        a["categories"] = list(a["categories"] or (site.categories if site else ()))
        a["author"] = a["author"] or (site.author if site else "")
        if not a["categories"] or not a["author"]:
            raise self.drop("no-labels", a["url"])
        a["image_urls"] = [absolute(a["url"], u) for u in a["image_urls"]]
        web = [u for u in a["image_urls"] if urlsplit(u).scheme in ("http", "https")]
        head = web[0] if web else placeholder_image(a["article_id"], self.placeholder)  # never file:/data:
        a["headimg"] = a["headimg"] or head
        a["thumbnail"] = a["thumbnail"] or head
        return item
