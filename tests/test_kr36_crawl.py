"""End to end: a real `scrapy crawl 36kr` subprocess against the fixture portal on 127.0.0.1."""
from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from crawler import fixturecrawl
from crawler.fixtureserver import FixtureServer
from crawler.spiders.kr36 import Kr36Spider
from tests.helpers import ROOT
from tests.portalcrawl import (assert_every_case_archived, assert_hexo_loads, crawl, crawl_served,
                               rerun)

PORTAL = next((p for p in fixturecrawl.portals() if p.site == "36kr"), None)
PORTAL_2026 = next((p for p in fixturecrawl.portals() if p.site == "36kr-2026"), None)
pytestmark = pytest.mark.skipif(PORTAL is None or PORTAL_2026 is None,
                                reason="no seeds/36kr or seeds/36kr-2026 fixture portal")
LIST_PATH = "/newsflashes"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], list[str]]:
    # exit 1: the portal's empty item is a counted no-body skip (an article failed)
    return crawl_served(PORTAL, tmp_path_factory.mktemp("archive"), code=1)


def test_every_case_is_archived_byte_for_byte(crawled: tuple[Path, dict, list]) -> None:
    out, stats, _ = crawled
    assert_every_case_archived(PORTAL, out, stats)            # the item without text is not


def test_one_request_and_the_empty_item_a_counted_skip(crawled: tuple[Path, dict, list]) -> None:
    _, stats, requests = crawled
    assert sorted(requests) == ["/newsflashes", "/robots.txt"]
    assert stats["downloader/request_count"] - stats.get("robotstxt/request_count", 0) == 1
    assert stats["newsarchive/list_pages"] == 1
    assert stats["newsarchive/first_list_links"] == len(PORTAL.cases) + 1
    assert stats["newsarchive/layout/articles"] == len(PORTAL.cases) + 1
    assert stats["newsarchive/layout/with/body"] == len(PORTAL.cases)
    assert {k: v for k, v in stats.items() if k.startswith("newsarchive/skipped/")} == {
        "newsarchive/skipped/no-body": 1}
    assert "newsarchive/layout_alarm" not in stats                 # 9 of 10 bodies: at the threshold
    assert {k: v for k, v in stats.items() if k.startswith("newsarchive/layout/36kr/")} == {
        "newsarchive/layout/36kr/corpus-2022": 1}


def test_the_extensionless_page_is_served_as_html() -> None:
    with FixtureServer(PORTAL.site_dir) as srv:
        with urllib.request.urlopen(srv.url(LIST_PATH)) as resp:
            assert resp.headers["Content-Type"] == "text/html"


def test_rerun_fetches_only_the_list_and_writes_nothing(tmp_path: Path) -> None:
    requests, stats = rerun(PORTAL, tmp_path / "a", code=1)     # the empty item, each run: exit 1
    assert requests == [LIST_PATH]
    assert stats["newsarchive/already_archived"] == len(PORTAL.cases)
    assert stats["newsarchive/skipped/no-body"] == 1                # still not archivable


def test_hexo_loads_what_the_crawl_wrote(crawled: tuple[Path, dict, list]) -> None:
    assert_hexo_loads(PORTAL, crawled[0])


# --- bad input ---------------------------------------------------------------------------------

def archive(root: Path, out: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    with FixtureServer(root / "site") as srv:
        res = subprocess.run(
            [sys.executable, "-m", "scrapy", "archive", "36kr", "-a", f"start_url={srv.url(LIST_PATH)}",
             "-s", f"ARCHIVE_DIR={out}", "-s", "IMAGES_MODE=remote", "-s", "DOWNLOAD_DELAY=0"],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
        return res, [r for r in srv.requests if r != "/robots.txt"]


@pytest.mark.parametrize("change", [
    lambda t: t.replace("<script>window.initialState=", "<script>window.__STATE__="),
    lambda t: t.replace('"newsflashList":{"flow"', '"newsflashList":{flow'),
], ids=["state-missing", "state-not-json"])
def test_a_page_without_a_readable_state_is_a_layout_alarm(tmp_path: Path, change) -> None:
    root = tmp_path / "36kr"
    shutil.copytree(PORTAL.root, root)
    page = root / "site" / "newsflashes"
    text = page.read_text(encoding="utf-8")
    page.write_text(change(text), encoding="utf-8")
    assert page.read_text(encoding="utf-8") != text
    res, requests = archive(root, tmp_path / "a")
    assert res.returncode == 4, res.stderr
    assert "layout alarm" in res.stderr and "window.initialState" in res.stderr
    assert requests == [LIST_PATH]
    assert not (tmp_path / "a" / "_posts").exists() or not list((tmp_path / "a" / "_posts").iterdir())
    res, stats = crawl(fixturecrawl.Portal("36kr", root), tmp_path / "b")
    assert res.returncode == 4 and stats["newsarchive/skipped/list-no-layout"] == 1   # as archive


def test_renamed_text_field_is_a_body_alarm(tmp_path: Path) -> None:
    root = tmp_path / "36kr"
    shutil.copytree(PORTAL.root, root)
    page = root / "site" / "newsflashes"
    page.write_text(page.read_text(encoding="utf-8").replace('"widgetContent"', '"content"'),
                    encoding="utf-8")
    res, _ = archive(root, tmp_path / "a")
    assert res.returncode == 4, res.stderr
    assert "body found in 0%" in res.stderr and "widgetContent" in res.stderr


# --- navigation ---------------------------------------------------------------------------------

def test_real_site_and_mirror_urls() -> None:
    real = Kr36Spider()                                 # today's page, as RSSHub's current route
    assert real.mirror is None and real.canonical_start == "https://www.36kr.com/newsflashes"
    corpus = Kr36Spider(start_url="https://36kr.com/newsflashes")      # the corpus era's host
    assert corpus.mirror is None and corpus.canonical_start == "https://36kr.com/newsflashes"
    mirror = Kr36Spider(start_url="http://127.0.0.1:8123/newsflashes", max_pages="3")
    assert mirror.canonical_start == "https://www.36kr.com/newsflashes"
    assert mirror.fetch_url("https://www.36kr.com/newsflashes") == "http://127.0.0.1:8123/newsflashes"
    assert mirror.fetch_url("https://36kr.com/newsflashes") == "http://127.0.0.1:8123/newsflashes"
    assert {"36kr.com", "127.0.0.1"} <= set(mirror.allowed_domains)


def test_the_spider_declares_the_parser_layouts() -> None:
    assert [x.name for x in Kr36Spider.layouts] == ["2026", "corpus-2022"]
    assert Kr36Spider.selectors["list"].startswith("2026: ")
    assert "corpus-2022: " in Kr36Spider.selectors["list"] and "window.initialState" in Kr36Spider.selectors["list"]
    assert set(Kr36Spider.selectors) == {"list", "title", "date", "body"}     # no image: not alarmed


# --- today's page: seeds/36kr-2026 ---------------------------------------------------------------

@pytest.fixture(scope="module")
def crawled_2026(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], list[str]]:
    return crawl_served(PORTAL_2026, tmp_path_factory.mktemp("archive2026"))


def test_2026_every_case_is_archived_byte_for_byte(crawled_2026: tuple[Path, dict, list]) -> None:
    out, stats, requests = crawled_2026
    assert_every_case_archived(PORTAL_2026, out, stats)     # itemType 0 and the repeated id are not
    assert sorted(requests) == ["/newsflashes", "/robots.txt"]
    assert stats["newsarchive/first_list_links"] == len(PORTAL_2026.cases)
    assert {k: v for k, v in stats.items() if k.startswith("newsarchive/layout/36kr/")} == {
        "newsarchive/layout/36kr/2026": 1}
    assert not [k for k in stats if k.startswith("newsarchive/skipped/")]
    assert "newsarchive/layout_alarm" not in stats


def test_2026_hexo_loads_what_the_crawl_wrote(crawled_2026: tuple[Path, dict, list]) -> None:
    assert_hexo_loads(PORTAL_2026, crawled_2026[0])


@pytest.mark.parametrize("variant", ["newsflashes-isspider", "newsflashes-waf-challenge"])
def test_a_stub_or_challenge_is_blocked_not_a_layout_alarm(tmp_path: Path, variant: str) -> None:
    root = tmp_path / "36kr-2026"
    shutil.copytree(PORTAL_2026.root, root)
    shutil.copyfile(root / "variants" / variant, root / "site" / "newsflashes")
    res, stats = crawl(fixturecrawl.Portal("36kr-2026", root), tmp_path / "a")
    assert res.returncode == 5, res.stderr[-3000:]                  # blocked, said so
    assert stats["newsarchive/list_pages"] == 1
    assert {k: v for k, v in stats.items() if k.startswith("newsarchive/skipped/")} == {
        "newsarchive/skipped/blocked": 1}
    assert "newsarchive/layout_alarm" not in stats
    assert not [k for k in stats if k.startswith("newsarchive/layout/36kr/")]
    assert "layout alarm" not in res.stderr and "(blocked)" in res.stderr
    assert not (tmp_path / "a" / "_posts").exists() or not list((tmp_path / "a" / "_posts").iterdir())
    res, _ = archive(root, tmp_path / "b")
    assert res.returncode == 5, res.stderr[-3000:]                  # blocked, not a layout alarm
    assert "layout alarm" not in res.stderr and "blocked" in res.stderr
