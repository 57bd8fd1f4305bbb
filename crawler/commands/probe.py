"""`scrapy probe SITE … [-a articles=N] [-a start_url=URL]`: is a portal readable today?

The health check to run before trusting cron. Per site it runs the real spider in probe
mode (PROBE_ARTICLES): the first list page and up to N articles (default 3), archived or
not, with no item pipeline and no archive touched, so nothing is written. It prints the
links found, the layout version each page matched, which fields each article gave, and
any blocked or layout-alarm reason; exit codes as `scrapy archive` (0, 1, 4, 5; 2 usage).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.commands.archive import SEVERITY, USAGE, outcome
from crawler.commands.archive import Command as ArchiveCommand
from crawler.extensions import LayoutAlarm
from crawler.items import Article
from crawler.parsers.blocked import HINT

DEFAULT_ARTICLES = 3


def article_line(article: Article) -> str:
    """`layout 2026: title, date, body, 3 images` (missing fields named)."""
    fields = {"title": article.title.strip(), "date": article.published, "body": article.body.strip()}
    found = [name if value else f"NO {name}" for name, value in fields.items()]
    images = len(article.image_urls)
    found.append(f"{images} image{'s' * (images != 1)}" if images else "no image")
    return f"layout {article.layout}: {', '.join(found)}" if article.layout else ", ".join(found)


def report(name: str, crawler: Crawler, items: list[Article]) -> tuple[int, list[str]]:
    """The exit code of one site's probe and the lines that describe it."""
    spider: Any = crawler.spider
    stats = crawler.stats.get_stats() if crawler.stats else {}
    lines = []
    for url, layout, links in getattr(spider, "probed_lists", []):
        lines.append(
            f"  list {url}: {links} link{'s' * (links != 1)}" + (f" (layout {layout})" if layout else "")
        )
    for article in items:
        lines.append(f"  {article.url}: {article_line(article)}")
    for url, reason, detail in getattr(spider, "skipped", []):
        lines.append(f"  {url}: skipped ({reason}){f': {detail}' if detail else ''}")
    alarm = next((e for e in crawler.extensions.middlewares if isinstance(e, LayoutAlarm)), None)
    for message in alarm.found if alarm else []:
        lines.append(f"  layout alarm: {message}")
    code, _, _ = outcome(name, stats)
    verdict = {0: "ok", 1: "some pages failed", 4: "LAYOUT ALARM", 5: "BLOCKED"}[code]
    if code == 5:
        lines.append(f"  blocked: {HINT}")
    return code, [f"{name}: {verdict}", *lines]


class Command(ArchiveCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[SITE ...]"

    def short_desc(self) -> str:
        return "Check that portals are readable today (first list page + N articles; writes nothing)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.set_defaults(verbose=True)

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        self.settings.set("ITEM_PIPELINES", {}, priority="cmdline")  # nothing is written
        self.settings.set("IMAGES_MODE", "remote", priority="cmdline")  # no image fetched
        if self.settings.getpriority("LOG_LEVEL") < SETTINGS_PRIORITIES["cmdline"]:
            self.settings.set("LOG_LEVEL", "CRITICAL", priority="spider")  # the report says it all

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            spargs = self.process_spargs(opts)
            articles = spargs.pop("articles", str(DEFAULT_ARTICLES))
            if not articles.isdigit() or int(articles) < 1:
                raise UsageError(f"articles must be a whole number of at least 1, not {articles!r}")
            self.settings.set("PROBE_ARTICLES", int(articles), priority="cmdline")
            jobs = self.jobs(args)
        except UsageError as exc:
            print(f"probe: {exc}", file=sys.stderr)
            self.exitcode = USAGE
            return
        self.exitcode = self._probe(jobs, spargs)

    def _probe(self, jobs: list[tuple[str, str, dict[str, str]]], spargs: dict[str, str]) -> int:
        assert self.crawler_process is not None
        runs: list[tuple[str, Crawler, list[Article]]] = []
        startup_errors: list[str] = []
        for name, spider, own_args in jobs:
            crawler = self.crawler_process.create_crawler(spider)
            items: list[Article] = []
            crawler.signals.connect(
                lambda item, items=items, **_: items.append(item), signal=signals.item_scraped, weak=False
            )
            runs.append((name, crawler, items))
            self.watch_start(
                self.crawler_process.crawl(crawler, **{**spargs, **own_args}), name, startup_errors
            )
        self.crawler_process.start()
        if startup_errors:
            print("probe: could not start:\n  " + "\n  ".join(startup_errors), file=sys.stderr)
            return USAGE
        codes = [0]
        for name, crawler, items in runs:
            code, lines = report(name, crawler, items)
            codes.append(code)
            print("\n".join(lines))
        return max(codes, key=SEVERITY.index)
