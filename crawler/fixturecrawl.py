"""Crawl a bundled fixture portal (seeds/<site>/) served on 127.0.0.1, for real.

`scrapy validate` (no FILE) and `scrapy demo` use it; so do the end-to-end tests.
A fixture portal is `seeds/<site>/site/` (a mirror tree: paths as on the real hosts),
`seeds/<site>/expected/_posts/` (the posts a crawl must write, byte for byte) and
`seeds/<site>/cases.json` (which article each expected post comes from), and optionally
`seeds/<site>/crawl.json`: `{"spider": "ithome", "start_path": "/path?query", "spider_args":
{"now": "…"}}`: the spider when the folder is not named after it (one fixture portal per layout
era: `seeds/ithome/` corpus era, `seeds/ithome-2026/` today's markup), the first list page when
the cases cannot tell it (a query string) and `-a` arguments every crawl of the portal takes (a
fixed reference time for relative dates), before the caller's own. A portal declared in a config
file names it: `"config": "newsarchive.example.toml"` (relative to the project), passed as
`-s CONFIG=…` (the folder's name is then the config portal's name, or crawl.json's `spider`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from crawler.fixtureserver import FixtureServer

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT / "seeds"


@dataclass
class Portal:
    site: str
    root: Path

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def expected_posts(self) -> Path:
        return self.root / "expected" / "_posts"

    @property
    def cases(self) -> list[dict]:
        return json.loads((self.root / "cases.json").read_text(encoding="utf-8"))

    @property
    def crawl_config(self) -> dict:
        path = self.root / "crawl.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    @property
    def spider(self) -> str:
        """The spider that crawls it: crawl.json's `spider`, else the folder's name (a portal's
        fixture of another layout era, `seeds/ithome-2026/`, names `"spider": "ithome"`)."""
        return self.crawl_config.get("spider") or self.site

    @property
    def start_path(self) -> str:
        """The path of the portal's first list page: crawl.json's `start_path`, else the
        shortest list URL path of the cases."""
        return self.crawl_config.get("start_path") or min(
            (urlsplit(c["list_url"]).path for c in self.cases), key=len
        )

    @property
    def config(self) -> Path | None:
        """The config file that declares the portal (a newsarchive.toml portal): crawl.json's
        `config`, a path relative to the project (`"newsarchive.example.toml"`), else None."""
        name = self.crawl_config.get("config")
        return PROJECT / name if name else None

    @property
    def config_args(self) -> tuple[str, ...]:
        """`-s CONFIG=…` for a config portal's fixture (none for a built-in portal's)."""
        return ("-s", f"CONFIG={self.config}") if self.config else ()

    def spider_class(self) -> type:
        """The class of the spider that crawls it (a config portal's, built from its config)."""
        from scrapy.spiderloader import get_spider_loader
        from scrapy.utils.project import get_project_settings

        settings = get_project_settings()
        if self.config:
            settings.set("CONFIG", str(self.config))
        return get_spider_loader(settings).load(self.spider)

    @property
    def spider_args(self) -> tuple[str, ...]:
        """`-a NAME=value` pairs from crawl.json's `spider_args` (none without it)."""
        args = self.crawl_config.get("spider_args", {})
        return tuple(x for k, v in args.items() for x in ("-a", f"{k}={v}"))


def portals() -> list[Portal]:
    return [Portal(p.parent.name, p.parent) for p in sorted(SEEDS.glob("*/cases.json"))]


def command(
    portal: Portal,
    archive_dir: Path,
    origin: str,
    *settings: str,
    spider_args: tuple[str, ...] = (),
    log_level: str = "WARNING",
) -> list[str]:
    """The arguments of `scrapy` that crawl `portal` served at `origin` into `archive_dir`."""
    return [
        "crawl",
        portal.spider,
        "-a",
        f"start_url={origin}{portal.start_path}",
        *portal.spider_args,
        *spider_args,
        "-s",
        f"ARCHIVE_DIR={archive_dir}",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        f"LOG_LEVEL={log_level}",
        *portal.config_args,
        *[x for s in settings for x in ("-s", s)],
    ]


def crawl(
    portal: Portal,
    archive_dir: Path,
    *settings: str,
    spider_args: tuple[str, ...] = (),
    log_level: str = "WARNING",
    server: FixtureServer | None = None,
) -> subprocess.CompletedProcess:
    """Run `scrapy crawl <site>` in a subprocess against the portal served on 127.0.0.1.

    `settings` are NAME=value pairs; the log (stderr) and output are captured. The
    portal's own spider arguments (crawl.json) come first, so `spider_args` override them.
    """

    def run(srv: FixtureServer) -> subprocess.CompletedProcess:
        cmd = [
            sys.executable,
            "-m",
            "scrapy",
            *command(
                portal, archive_dir, srv.origin, *settings, spider_args=spider_args, log_level=log_level
            ),
        ]
        return subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True, timeout=600)

    if server is not None:
        return run(server)
    with FixtureServer(portal.site_dir) as srv:
        return run(srv)
