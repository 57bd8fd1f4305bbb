"""A mirror whose pages link to the mirror itself (absolute `http://127.0.0.1:PORT/…` and
protocol-relative `//127.0.0.1:PORT/…` links, as link-rewriting mirrors and proxies write
them) archives like a mirror whose pages link to the portal: the same posts, byte for byte."""
from __future__ import annotations

import shutil
from pathlib import Path

from crawler import fixturecrawl
from crawler.fixtureserver import FixtureServer
from tests.portalcrawl import assert_every_case_archived, crawl

PORTAL = next(p for p in fixturecrawl.portals() if p.site == "ofweek")
HOST = b"https://www.ofweek.com"          # the start URL's host: its links are rewritten


def rewrite_tree(src: Path, dst: Path, origin: str) -> int:
    """Copy `src` to `dst` with every link to the start host turned into a link to `origin`
    (absolute on HTML pages, protocol-relative on the others); the count of links rewritten."""
    shutil.copytree(src, dst)
    count = 0
    for n, path in enumerate(sorted(p for p in dst.rglob("*.htm*") if p.is_file())):
        data = path.read_bytes()
        mirror = origin.encode() if n % 2 == 0 else origin.encode().removeprefix(b"http:")
        count += data.count(HOST)
        path.write_bytes(data.replace(HOST, mirror))
    return count


def test_self_linking_mirror_archives_like_any_mirror(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with FixtureServer(site) as srv:
        site.rmdir()
        rewritten = rewrite_tree(PORTAL.site_dir, site, srv.origin)
        list_page = (site / PORTAL.start_path.lstrip("/")).read_bytes()
        assert rewritten > len(PORTAL.cases) and srv.origin.encode() in list_page
        assert HOST not in list_page
        res, stats = crawl(PORTAL, tmp_path / "a", args=("-a", "max_pages=100"), server=srv)
    assert res.returncode == 0, res.stderr[-3000:]
    assert stats.get("newsarchive/layout_alarm") is None
    assert_every_case_archived(PORTAL, tmp_path / "a", stats)
