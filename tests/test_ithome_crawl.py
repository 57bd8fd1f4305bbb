"""End to end: a real `scrapy crawl ithome` subprocess against the fixture portal on 127.0.0.1."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler import fixturecrawl
from crawler.fixtureserver import FixtureServer
from crawler.spiders.ithome import IthomeSpider
from tests.portalcrawl import (assert_every_case_archived, assert_hexo_loads, assert_only_written, crawl,
                               crawl_served, edited_copy, rerun)
from tests.helpers import ROOT

PORTAL = next((p for p in fixturecrawl.portals() if p.site == "ithome"), None)
pytestmark = pytest.mark.skipif(PORTAL is None, reason="no seeds/ithome fixture portal")


def article_path(case: dict) -> str:
    return urlsplit(case["article_url"]).path


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], list[str]]:
    out, stats, requests = crawl_served(PORTAL, tmp_path_factory.mktemp("archive"))
    return out, stats, [r for r in requests if r != "/robots.txt"]


def test_every_case_is_archived_byte_for_byte(crawled: tuple[Path, dict, list]) -> None:
    out, stats, _ = crawled
    assert_every_case_archived(PORTAL, out, stats)


def test_one_list_page_then_each_article_once(crawled: tuple[Path, dict, list]) -> None:
    _, stats, requests = crawled
    assert requests[0] == "/"
    assert sorted(requests[1:]) == sorted(article_path(c) for c in PORTAL.cases)
    assert stats["newsarchive/list_pages"] == 1 and stats["newsarchive/first_list_links"] == len(PORTAL.cases)
    assert stats["newsarchive/layout/with/image"] == len(PORTAL.cases) - 1     # one has no image
    assert stats["newsarchive/layout/ithome/corpus-2022"] == 1 + len(PORTAL.cases)  # list + articles
    assert "newsarchive/layout/ithome/2026" not in stats
    assert not [k for k in stats if k.startswith("newsarchive/skipped/")]
    assert "newsarchive/layout_alarm" not in stats


def test_rerun_makes_one_request_and_writes_nothing(tmp_path: Path) -> None:
    requests, stats = rerun(PORTAL, tmp_path / "a")
    assert requests == ["/"]
    assert stats["newsarchive/already_archived"] == len(PORTAL.cases)


def test_hexo_loads_what_the_crawl_wrote(crawled: tuple[Path, dict, list]) -> None:
    assert_hexo_loads(PORTAL, crawled[0])


# --- bad input: a counted skip, never a post -------------------------------------------

def test_bad_articles_are_counted_skips_and_list_titles_win(tmp_path: Path) -> None:
    portal = edited_copy(PORTAL, tmp_path / "ithome", {
        "lazy-images-tougao": lambda b: b.replace(b'id="paragraph"', b'id="para"'),
        "list-paddingleft": lambda b: b.replace(b"</h1>", b"\xff\xfe</h1>"),     # not UTF-8
        "no-image-source-byline": lambda b: re.sub(rb'<span id="pubtime_baidu">.*?</span>', b"", b),
        "single-digit-date": lambda b: b.replace("<h1>全国首批".encode(), "<h1>页面上的另一个标题：全国首批".encode()),
    })
    res, stats = crawl(portal, tmp_path / "out")
    assert res.returncode == 4, res.stderr[-3000:]   # the bad pages push coverage below its thresholds: a layout alarm
    for reason in ("no-body", "undecodable", "no-date"):
        assert stats[f"newsarchive/skipped/{reason}"] == 1, reason
    # the h1 changed, the list link text did not: that post is unchanged
    assert_only_written(PORTAL, tmp_path / "out", ["single-digit-date", "relative-href-alt"])


def test_changed_list_layout_is_a_layout_alarm(tmp_path: Path) -> None:
    root = tmp_path / "ithome"
    shutil.copytree(PORTAL.root, root)
    index = root / "site" / "index.html"
    index.write_bytes(index.read_bytes().replace(b'<div class="fl">', b'<div class="news-list">'))
    with FixtureServer(root / "site") as srv:
        res = subprocess.run(
            [sys.executable, "-m", "scrapy", "archive", "ithome", "-a", f"start_url={srv.url('/')}",
             "-s", f"ARCHIVE_DIR={tmp_path / 'a'}", "-s", "IMAGES_MODE=remote", "-s", "DOWNLOAD_DELAY=0"],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 4, res.stderr
    assert "layout alarm" in res.stderr and "#list > div.fl > ul > li > div > h2 > a" in res.stderr


# --- navigation ------------------------------------------------------------------------------

def test_real_site_and_mirror_urls() -> None:
    real = IthomeSpider()
    assert real.mirror is None and real.canonical_start == "https://www.ithome.com/list/"
    channel = IthomeSpider(start_url="https://it.ithome.com/")          # the corpus-era list
    assert channel.mirror is None and channel.canonical_start == "https://it.ithome.com/"
    mirror = IthomeSpider(start_url="http://127.0.0.1:8123/", max_pages="3")
    assert mirror.canonical_start == "https://www.ithome.com/"
    assert mirror.fetch_url("https://www.ithome.com/0/632/418.htm") == "http://127.0.0.1:8123/0/632/418.htm"
    assert mirror.fetch_url("https://img.ithome.com/newsuploadfiles/2022/7/a.png") == (
        "http://127.0.0.1:8123/newsuploadfiles/2022/7/a.png")
    assert mirror.fetch_url("https://example.com/x") == "https://example.com/x"
    with pytest.raises(ValueError):
        IthomeSpider(start_url="ftp://it.ithome.com/")
