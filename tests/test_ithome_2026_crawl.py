"""End to end, today's markup: a real `scrapy crawl ithome` subprocess against the fixture
portal seeds/ithome-2026 (the `/list/` page, layout `2026`) on 127.0.0.1."""
from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler import fixturecrawl
from crawler.spiders.ithome import IthomeSpider
from tests.portalcrawl import (assert_every_case_archived, assert_hexo_loads, crawl, crawl_served,
                               rerun)

PORTAL = next((p for p in fixturecrawl.portals() if p.site == "ithome-2026"), None)
pytestmark = pytest.mark.skipif(PORTAL is None, reason="no seeds/ithome-2026 fixture portal")


def article_path(case: dict) -> str:
    return urlsplit(case["article_url"]).path


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], list[str]]:
    out, stats, requests = crawl_served(PORTAL, tmp_path_factory.mktemp("archive"))
    return out, stats, [r for r in requests if r != "/robots.txt"]


def test_the_portal_is_crawled_by_the_ithome_spider_from_list() -> None:
    assert (PORTAL.spider, PORTAL.start_path) == ("ithome", "/list/")
    assert IthomeSpider().canonical_start == "https://www.ithome.com/list/"      # the default
    assert IthomeSpider(start_url="http://127.0.0.1:8123/list/").canonical_start == (
        "https://www.ithome.com/list/")


def test_every_case_is_archived_byte_for_byte(crawled: tuple[Path, dict, list]) -> None:
    out, stats, _ = crawled
    assert_every_case_archived(PORTAL, out, stats)


def test_one_list_page_then_each_article_once_all_2026(crawled: tuple[Path, dict, list]) -> None:
    _, stats, requests = crawled
    assert requests[0] == "/list/"            # no lapin ad, no topic page, no sidebar link
    assert sorted(requests[1:]) == sorted(article_path(c) for c in PORTAL.cases)
    assert stats["newsarchive/first_list_links"] == len(PORTAL.cases)
    assert stats["newsarchive/layout/ithome/2026"] == 1 + len(PORTAL.cases)     # list + articles
    assert "newsarchive/layout/ithome/corpus-2022" not in stats
    assert stats["newsarchive/layout/with/image"] == len(PORTAL.cases) - 1     # one has no image
    assert not [k for k in stats if k.startswith("newsarchive/skipped/")]
    assert "newsarchive/layout_alarm" not in stats


def test_rerun_makes_one_request_and_writes_nothing(tmp_path: Path) -> None:
    requests, stats = rerun(PORTAL, tmp_path / "a")
    assert requests == ["/list/"]
    assert stats["newsarchive/already_archived"] == len(PORTAL.cases)


def test_hexo_loads_what_the_crawl_wrote(crawled: tuple[Path, dict, list]) -> None:
    assert_hexo_loads(PORTAL, crawled[0])


def test_a_2026_page_without_its_h1_is_a_counted_skip_naming_the_versions(tmp_path: Path) -> None:
    root = tmp_path / "ithome-2026"
    shutil.copytree(PORTAL.root, root)
    case = PORTAL.cases[0]
    path = root / "site" / article_path(case).lstrip("/")
    data = path.read_bytes()
    path.write_bytes(data.replace(b"<h1>", b"<h2>").replace(b"</h1>", b"</h2>"))
    res, stats = crawl(fixturecrawl.Portal("ithome-2026", root), tmp_path / "out")
    assert res.returncode == 4, res.stderr[-3000:]   # one page of few without its title: a layout alarm
    assert stats["newsarchive/skipped/no-layout"] == 1
    assert "2026 (#dt > div.fl.content > h1), corpus-2022 (div.post_title h1)" in res.stderr
    written = {p.name for p in (tmp_path / "out" / "_posts").iterdir()}
    assert written == {Path(c["expected"]).name for c in PORTAL.cases[1:]}
