"""End to end: `scrapy crawl ofweek` against today's fixture portal (seeds/ofweek-2026) on 127.0.0.1."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler import fixturecrawl
from tests.portalcrawl import assert_every_case_archived, assert_hexo_loads, crawl_served, rerun

PORTAL = next((p for p in fixturecrawl.portals() if p.root.name == "ofweek-2026"), None)
pytestmark = pytest.mark.skipif(PORTAL is None, reason="no seeds/ofweek-2026 fixture portal")
LISTS = ["/ai/CATList-201700-8100-ai.html", "/ai/CATList-201700-8100-ai-2.html"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], list[str]]:
    out, stats, requests = crawl_served(PORTAL, tmp_path_factory.mktemp("archive"))
    return out, stats, [r for r in requests if r != "/robots.txt"]


def test_it_is_crawled_by_the_ofweek_spider() -> None:
    assert (PORTAL.spider, PORTAL.start_path) == ("ofweek", LISTS[0])


def test_every_case_is_archived_byte_for_byte(crawled: tuple[Path, dict, list]) -> None:
    out, stats, _ = crawled
    assert_every_case_archived(PORTAL, out, stats)


def test_list_num_pager_then_each_article_page_once(crawled: tuple[Path, dict, list]) -> None:
    _, stats, requests = crawled
    pages = [urlsplit(u).path for c in PORTAL.cases for u in c["pages"]]
    assert [r for r in requests if "CATList" in r] == LISTS
    assert sorted(r for r in requests if "CATList" not in r) == sorted(pages)
    assert stats["newsarchive/list_pages"] == 2 and stats["newsarchive/first_list_links"] == 2
    assert not [k for k in stats if k.startswith("newsarchive/skipped/")]
    assert "newsarchive/layout_alarm" not in stats


def test_layout_versions_are_counted(crawled: tuple[Path, dict, list]) -> None:
    _, stats, _ = crawled
    layouts = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
               if k.startswith("newsarchive/layout/ofweek/")}
    # 2 channel list pages; div.artical: 1 page + 2 pages of the long article; 1 solar page
    assert layouts == {"2026-channel": 2, "2026": 3, "2026-solar": 1}


def test_rerun_makes_one_request_and_writes_nothing(tmp_path: Path) -> None:
    requests, stats = rerun(PORTAL, tmp_path / "a")
    assert requests == [LISTS[0]]
    assert stats["newsarchive/already_archived"] == 2        # page 1's two articles


def test_hexo_loads_what_the_crawl_wrote(crawled: tuple[Path, dict, list]) -> None:
    assert_hexo_loads(PORTAL, crawled[0])
