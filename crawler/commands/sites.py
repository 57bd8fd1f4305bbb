"""`scrapy sites [--json]`: every portal and every configured feed, one line each.

A portal's line gives its hosts, start URL, front-matter labels (categories / author) and
its layout versions of list and of article pages, newest first, each marked current (served
today) or corpus (as the corpus-era routes read it). A feed's (ARCHIVE_FEEDS) gives its URL and labels.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawler import config
from crawler.commands.archive import USAGE, load_feeds
from crawler.parsers.layouts import Layout
from crawler.sites import SITES
from crawler.spiders.configportal import site_of


def versions(layouts: tuple[Layout, ...]) -> list[dict[str, Any]]:
    return [
        {"name": x.name, "era": x.era, "marker": x.marker, "fields": dict(x.fields), "source": x.source}
        for x in layouts
    ]


def portal_record(name: str, spider: Any) -> dict[str, Any]:
    rules = getattr(spider, "rules", None)  # a newsarchive.toml portal
    site = SITES[spider.site_key] if rules is None else site_of(rules)
    return {
        "name": name,
        "kind": "portal",
        **({"config": rules.source} if rules else {}),
        "hosts": list(site.domains),
        "start_url": site.start_url,
        "categories": list(site.categories),
        "author": site.author,
        "layouts": {"list": versions(spider.list_layouts), "article": versions(spider.article_layouts)},
    }


def feed_record(feed: dict[str, str]) -> dict[str, Any]:
    known = SITES.get(feed["site"])
    cats = feed.get("categories", "")
    categories = (
        (json.loads(cats) if cats.startswith("[") else [c for c in cats.split(",") if c])
        if cats
        else list(known.categories if known else [])
    )
    return {
        "name": feed["site"],
        "kind": "feed",
        "hosts": [],
        "start_url": feed["url"],
        "categories": categories,
        "author": feed.get("author") or (known.author if known else ""),
        "layouts": {},
    }


def line(record: dict[str, Any]) -> str:
    parts = [record["name"], record["kind"]]
    if record.get("config"):
        parts.append(f"config {record['config']}")
    if record["hosts"]:
        parts.append("hosts " + ",".join(record["hosts"]))
    parts += [
        f"start {record['start_url']}",
        "labels " + (" / ".join(record["categories"]) or "(the feed's title)"),
        f"author {record['author'] or '(the feed title)'}",
    ]
    for kind, layouts in record["layouts"].items():
        if layouts:
            parts.append(f"{kind} " + ", ".join(f"{v['name']} ({v['era']})" for v in layouts))
    return "  ".join(parts)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--json]"

    def short_desc(self) -> str:
        return "List every portal and configured feed (hosts, start URL, labels, layout versions)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--json", action="store_true", help="one JSON list instead of lines")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        config.apply_for_command(self.settings)  # newsarchive.toml, below -s

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("sites takes no arguments")
        assert self.settings is not None
        loader: Any = get_spider_loader(self.settings)
        records = [
            portal_record(name, loader.load(name))
            for name in [*sorted(SITES), *getattr(loader, "config_portals", ())]
            if name in loader.list()
        ]
        try:
            records += [feed_record(feed) for feed in load_feeds(self.settings.get("ARCHIVE_FEEDS"))]
        except UsageError as exc:
            print(f"sites: {exc}", file=sys.stderr)
            self.exitcode = USAGE
            return
        if opts.json:
            print(json.dumps(records, ensure_ascii=False, indent=1))
        else:
            print("\n".join(line(r) for r in records))
