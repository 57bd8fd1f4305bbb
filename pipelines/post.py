"""Write each Article as a post in the seed format: ARCHIVE_DIR/_posts/<site>-<id>.md.

A post that cannot be written (disk full, read-only or missing folder, I/O error) is a
counted `write-failed` skip: the article is not recorded as archived and the run is left
unfinished, so the next run fetches it again.

The write (temp file, fsync, rename, folder fsync) runs in a small thread pool
(`crawler.durable.Writer`, POST_WRITE_THREADS threads) whose folder fsyncs are grouped, so the
reactor keeps crawling while the disk syncs; the article is recorded in the index only after
its post is durable."""

from __future__ import annotations

from pathlib import Path

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler import postformat
from crawler.archive import ArchiveIndex
from crawler.durable import WRITE_THREADS, Writer
from crawler.items import Article


class PostPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive_dir = Path(crawler.settings.get("ARCHIVE_DIR", "./archive"))
        self.writer = Writer(crawler.settings.getint("POST_WRITE_THREADS", WRITE_THREADS))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PostPipeline:
        return cls(crawler)

    def close_spider(self) -> None:
        self.writer.close()  # every item is done by now: nothing waits in the pool

    async def process_item(self, item: Article, spider: Spider | None = None) -> Article:
        index = getattr(self.crawler.spider, "index", None)
        try:
            data = postformat.encode(postformat.render(item))
            path = postformat.post_path(self.archive_dir, item.site, item.article_id)
            written = await self.writer.run(self._write, path, data, index, item)
        except postformat.FormatError as exc:
            self.stats.inc_value("newsarchive/skipped/unwritable")
            raise DropItem(f"cannot write {item.url}: {exc}") from None
        except OSError as exc:
            detail = f"{path}: {exc.strerror or exc}"
            skip = getattr(self.crawler.spider, "skip", None)
            if skip is not None:  # counted, and keeps the run unfinished
                skip("write-failed", item.url, detail)
            else:
                self.stats.inc_value("newsarchive/skipped/write-failed")
            raise DropItem(f"cannot write {item.url}: {detail}") from None
        if written:
            self.stats.inc_value("newsarchive/posts/written")
        else:
            self.stats.inc_value("newsarchive/posts/unchanged")
        return item

    def _write(self, path: Path, data: bytes, index: ArchiveIndex | None, item: Article) -> bool:
        """In a writer thread: the post made durable (False: it already held these bytes),
        then recorded as archived."""
        postformat.check_inside(path)
        written = postformat.write_atomic(path, data, self.writer.dir_sync.sync)
        if index is not None:
            index.record(item.site, item.article_id)  # archived: once it is durable
        return written
