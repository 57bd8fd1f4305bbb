"""`scrapy demo [DIR]`: archive the bundled fixture portal offline, to see the whole flow.

Serves seeds/<site>/site/ on 127.0.0.1, runs the real spider against it and writes the
posts to DIR (default ./demo-archive, laid out like a Hexo `source/` folder).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler import config, fixturecrawl
from crawler.fixtureserver import FixtureServer

PORT = 8000  # the port of the printed commands (the demo's own is random)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[DIR]"

    def short_desc(self) -> str:
        return "Archive the bundled fixture portal (served on 127.0.0.1) into DIR"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", default="ofweek", help="which fixture portal (default ofweek)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        config.apply_for_command(self.settings)  # newsarchive.toml, below -s

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) > 1:
            raise UsageError("at most one DIR")
        out = Path(args[0] if args else "demo-archive").resolve()
        portals = fixturecrawl.portals()
        portal = next((p for p in portals if p.site == opts.site), None)
        if portal is None:
            print(
                f"demo: no fixture portal {opts.site!r} (known: "
                f"{', '.join(sorted(p.site for p in portals))})",
                file=sys.stderr,
            )
            self.exitcode = 2
            return
        assert self.settings is not None
        setting = f"IMAGES_MODE={self.settings.get('IMAGES_MODE')}"
        spider_args = ("-a", "max_pages=100")
        before = {p.name for p in (out / "_posts").glob("*.md")}
        with FixtureServer(portal.site_dir) as srv:
            print(f"serving {portal.site_dir} at {srv.origin}")
            res = fixturecrawl.crawl(portal, out, setting, spider_args=spider_args, server=srv)
        print(res.stdout, end="")  # the crawl's summary: new, unchanged …
        print(res.stderr, end="", file=sys.stderr)  # its report: skipped pages, usage errors
        self.exitcode = res.returncode  # the crawl's exit code (README)
        if res.returncode not in (0, 1):
            return
        posts = sorted((out / "_posts").glob("*.md"))
        print(f"{len(posts)} post(s) in {out / '_posts'}, {sum(p.name not in before for p in posts)} new:")
        for p in posts:
            print(f"  {p.name}{'' if p.name in before else '  (new)'}")
        site_dir = portal.site_dir.relative_to(fixturecrawl.PROJECT)
        crawl = fixturecrawl.command(
            portal, out, f"http://127.0.0.1:{PORT}", setting, spider_args=spider_args, log_level="INFO"
        )
        print(
            "To do the same by hand, from this folder, in two shells:\n"
            f"  python -m crawler.fixtureserver {shlex.quote(str(site_dir))} {PORT}\n"
            f"  {shlex.join(['scrapy', *crawl])}"
        )
