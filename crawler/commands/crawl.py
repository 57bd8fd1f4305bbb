"""`scrapy crawl SPIDER`: Scrapy's own command (its log, its stats dump, `-o` feeds), run the
way `scrapy archive` runs a site: settings, `-a` names and ARCHIVE_DIR checked first, under the
archive's lock, then one summary line and archive's exit codes (0 all well, 1 articles failed or
nothing fetched, 2 usage, 3 locked, 4 layout alarm, 5 blocked, 130 interrupted)."""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler import config
from crawler.commands.archive import Runner


class Command(Runner, ScrapyCrawl):
    prog = "crawl"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        config.apply_for_command(self.settings)  # newsarchive.toml, below -s

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one spider: scrapy crawl SPIDER (scrapy list shows them)")
        assert self.crawler_process is not None
        if args[0] not in self.crawler_process.spider_loader.list():
            raise UsageError(
                f"unknown spider {args[0]!r} (known: "
                f"{', '.join(sorted(self.crawler_process.spider_loader.list()))})",
                print_help=False,
            )
        self.exitcode = self.run_jobs([(args[0], args[0], {})], True, opts.spargs)
