"""`scrapy crawl SPIDER`: Scrapy's own command, plus exit code 5 when a portal refused us
(blocked: the log says so and what to try). Otherwise Scrapy's code (1 when the crawl could
not start); `scrapy archive` gives the full set of exit codes."""
from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl

from crawler import config
from crawler.commands.archive import BLOCKED, outcome


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        config.apply_for_command(self.settings)             # newsarchive.toml, below -s

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        crawlers = []
        create = self._create_crawler

        def keep(spidercls):  # type: ignore[no-untyped-def]
            crawler = create(spidercls)
            crawlers.append(crawler)
            return crawler

        self._create_crawler = keep              # type: ignore[method-assign]
        super().run(args, opts)
        if self.exitcode or not crawlers or crawlers[0].stats is None:
            return
        code, _, _ = outcome(args[0], crawlers[0].stats.get_stats())
        if code == BLOCKED:
            self.exitcode = code
