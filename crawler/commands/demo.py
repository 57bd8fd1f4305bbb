"""`scrapy demo [DIR]`: archive the bundled fixture portal offline, to see the whole flow.

Serves seeds/<site>/site/ on 127.0.0.1, runs the real spider against it and writes the
posts to DIR (default ./demo-archive, laid out like a Hexo `source/` folder).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler import config, fixturecrawl
from crawler.fixtureserver import FixtureServer


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[DIR]"

    def short_desc(self) -> str:
        return "Archive the bundled fixture portal (served on 127.0.0.1) into DIR"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", default="ofweek", help="which fixture portal (default ofweek)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        config.apply_for_command(self.settings)             # newsarchive.toml, below -s

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) > 1:
            raise UsageError("at most one DIR")
        out = Path(args[0] if args else "demo-archive").resolve()
        portal = next((p for p in fixturecrawl.portals() if p.site == opts.site), None)
        if portal is None:
            raise UsageError(f"no fixture portal {opts.site!r} under seeds/")
        with FixtureServer(portal.site_dir) as srv:
            print(f"serving {portal.site_dir} at {srv.origin}")
            print(f"scrapy crawl {portal.spider} -a start_url={srv.url(portal.start_path)} "
                  f"-s ARCHIVE_DIR={out} -s IMAGES_MODE={self.settings.get('IMAGES_MODE')}")
            res = fixturecrawl.crawl(portal, out, f"IMAGES_MODE={self.settings.get('IMAGES_MODE')}",
                                     spider_args=("-a", "max_pages=100"), server=srv)
        if res.returncode != 0:
            print(res.stderr, file=sys.stderr)
            self.exitcode = 1
            return
        if res.stderr:
            print(res.stderr, file=sys.stderr)                  # warnings: skipped pages
        posts = sorted((out / "_posts").glob("*.md"))
        print(f"{len(posts)} post(s) in {out / '_posts'}:")
        for p in posts:
            print(f"  {p.name}")
