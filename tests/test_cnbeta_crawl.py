"""End to end: a real `scrapy crawl cnbeta` subprocess against the fixture portal on 127.0.0.1."""
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
from crawler.parsers.feed import Entry
from crawler.spiders.cnbeta import CnbetaSpider
from crawler.spiders.feed import entry_id
from tests.portalcrawl import (assert_every_case_archived, assert_hexo_loads, assert_only_written, crawl,
                               crawl_served, edited_copy, rerun)
from tests.helpers import ROOT

PORTAL = next((p for p in fixturecrawl.portals() if p.site == "cnbeta"), None)
pytestmark = pytest.mark.skipif(PORTAL is None, reason="no seeds/cnbeta fixture portal")
ADAM_PATH = "/articles/tech/1262402.htm"          # the RSS item by `adam` (its page exists)


def article_path(case: dict) -> str:
    return urlsplit(case["article_url"]).path


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], list[str]]:
    return crawl_served(PORTAL, tmp_path_factory.mktemp("archive"))


def test_every_case_is_archived_byte_for_byte(crawled: tuple[Path, dict, list]) -> None:
    out, stats, _ = crawled
    # adam's RSS item is not among them
    assert_every_case_archived(PORTAL, out, stats)


def test_robots_the_rss_then_each_new_article_once(crawled: tuple[Path, dict, list]) -> None:
    _, stats, requests = crawled
    # one robots.txt (every host is the mirror), the RSS, one request per article id
    assert sorted(requests) == sorted(["/robots.txt", "/", *(article_path(c) for c in PORTAL.cases)])
    assert requests.index("/") < min(requests.index(article_path(c)) for c in PORTAL.cases)
    assert ADAM_PATH not in requests
    assert stats["newsarchive/list_pages"] == 1 and stats["newsarchive/first_list_links"] == len(PORTAL.cases)
    assert stats["newsarchive/layout/articles"] == len(PORTAL.cases)
    # the RSS and every article page read as the corpus era's version (hosts on cnbeta.com)
    assert stats["newsarchive/layout/cnbeta/corpus-2022"] == 1 + len(PORTAL.cases)
    assert "newsarchive/layout/cnbeta/2026" not in stats
    assert stats["newsarchive/layout/with/image"] == len(PORTAL.cases) - 1     # one has no image
    assert not [k for k in stats if k.startswith("newsarchive/skipped/")]
    assert "newsarchive/layout_alarm" not in stats


def test_rerun_fetches_only_the_rss_and_writes_nothing(tmp_path: Path) -> None:
    requests, stats = rerun(PORTAL, tmp_path / "a")
    assert requests == ["/"]
    assert stats["newsarchive/already_archived"] == len(PORTAL.cases)


def test_hexo_loads_what_the_crawl_wrote(crawled: tuple[Path, dict, list]) -> None:
    assert_hexo_loads(PORTAL, crawled[0])


# --- bad input: a counted skip, never a post -------------------------------------------

def test_bad_articles_are_counted_skips_and_the_rss_wins(tmp_path: Path) -> None:
    portal = edited_copy(PORTAL, tmp_path / "cnbeta", {
        "global-topic-webp": lambda b: b.replace(b'class="article-content"', b'class="article-text"'),
        "relation-kept-affiliate": lambda b: b.replace(b"</h1>", b"\xff\xfe</h1>"),       # not UTF-8
        "duplicate-in-rss-two-webp": lambda b: b.replace(b'class="article-summary"', b'class="summary"'),
        # the page's own title and date differ from the RSS item's: the post keeps the RSS's
        "old-url-no-image": lambda b: b.replace("<h1>工信部：".encode(), "<h1>页面上的另一个标题：".encode())
        .replace("2022年04月18日 16:12".encode(), "2022年04月19日 09:00".encode()),
    })
    res, stats = crawl(portal, tmp_path / "out")
    assert res.returncode == 4, res.stderr[-3000:]   # the bad pages push coverage below its thresholds: a layout alarm
    for reason in ("no-body", "undecodable", "no-summary"):
        assert stats[f"newsarchive/skipped/{reason}"] == 1, reason
    assert_only_written(PORTAL, tmp_path / "out", ["old-url-no-image", "quote-title-topic-in-summary"])


def test_an_rss_that_is_not_a_feed_is_a_layout_alarm(tmp_path: Path) -> None:
    root = tmp_path / "cnbeta"
    shutil.copytree(PORTAL.root, root)
    (root / "site" / "index.html").write_bytes(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>系统维护中</p></body></html>'.encode())
    with FixtureServer(root / "site") as srv:
        res = subprocess.run(
            [sys.executable, "-m", "scrapy", "archive", "cnbeta", "-a", f"start_url={srv.url('/')}",
             "-s", f"ARCHIVE_DIR={tmp_path / 'a'}", "-s", "IMAGES_MODE=remote", "-s", "DOWNLOAD_DELAY=0"],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
        requests = [r for r in srv.requests if r != "/robots.txt"]
    assert res.returncode == 4, res.stderr
    assert "layout alarm" in res.stderr and "rss/channel/item" in res.stderr
    assert requests == ["/"]


# --- navigation ------------------------------------------------------------------------------

def test_real_site_and_mirror_urls() -> None:
    real = CnbetaSpider()                                      # today's RSS by default
    assert real.mirror is None and real.canonical_start == "https://www.cnbeta.com.tw/backend.php"
    assert real.on_portal("https://static.cnbetacdn.com/article/2022/0418/a.webp")
    assert real.on_portal("https://www.cnbeta.com.tw/articles/tech/1577922.htm")
    assert real.on_portal("https://rss.cnbeta.com/")                          # the corpus era's
    assert not real.on_portal("https://cnbetacdn.com.evil.example/a.webp")
    assert not real.on_portal("https://cnbeta.com.tw.evil.example/a.htm")
    old = CnbetaSpider(start_url="https://rss.cnbeta.com/")
    assert old.mirror is None and old.canonical_start == "https://rss.cnbeta.com/"
    mirror = CnbetaSpider(start_url="http://127.0.0.1:8123/", max_pages="3")
    assert mirror.canonical_start == "https://www.cnbeta.com.tw/"
    assert mirror.fetch_url("https://www.cnbeta.com.tw/articles/tech/1577922.htm") == (
        "http://127.0.0.1:8123/articles/tech/1577922.htm")
    assert mirror.fetch_url("https://www.cnbeta.com/articles/tech/1262418.htm") == (
        "http://127.0.0.1:8123/articles/tech/1262418.htm")
    assert mirror.fetch_url("https://static.cnbetacdn.com/article/2022/0418/a.webp") == (
        "http://127.0.0.1:8123/article/2022/0418/a.webp")           # images too (local mode)
    assert mirror.fetch_url("https://example.com/x") == "https://example.com/x"
    assert {"cnbeta.com.tw", "cnbeta.com", "cnbetacdn.com", "127.0.0.1"} <= set(mirror.allowed_domains)
    with pytest.raises(ValueError):
        CnbetaSpider(start_url="ftp://rss.cnbeta.com/")


def test_feed_spider_uses_cnbeta_ids() -> None:
    link = "https://www.cnbeta.com/articles/tech/1262418.htm"
    assert entry_id("cnbeta", Entry("t", link, link, None, "")) == "1262418"
    other = "https://www.cnbeta.com/topics/618.htm"
    assert re.fullmatch(r"[0-9a-f]{16}", entry_id("cnbeta", Entry("t", other, other, None, "")))
