"""End to end: `scrapy crawl cnbeta` against today's fixture portal (seeds/cnbeta-2026) on 127.0.0.1:
the RSS at /backend.php, article pages read by layout version `2026`."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler import fixturecrawl
from tests.portalcrawl import (assert_every_case_archived, assert_hexo_loads, assert_only_written, crawl,
                               crawl_served, edited_copy, rerun)

PORTAL = next((p for p in fixturecrawl.portals() if p.site == "cnbeta-2026"), None)
pytestmark = pytest.mark.skipif(PORTAL is None, reason="no seeds/cnbeta-2026 fixture portal")


def article_path(case: dict) -> str:
    return urlsplit(case["article_url"]).path


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], list[str]]:
    return crawl_served(PORTAL, tmp_path_factory.mktemp("archive"))


def test_portal_is_crawled_by_the_cnbeta_spider_from_backend_php() -> None:
    assert (PORTAL.spider, PORTAL.start_path) == ("cnbeta", "/backend.php")


def test_every_case_is_archived_byte_for_byte(crawled: tuple[Path, dict, list]) -> None:
    out, stats, _ = crawled
    assert_every_case_archived(PORTAL, out, stats)


def test_the_rss_then_each_article_once_all_of_version_2026(crawled: tuple[Path, dict, list]) -> None:
    _, stats, requests = crawled
    assert sorted(requests) == sorted(["/robots.txt", "/backend.php", *(article_path(c) for c in PORTAL.cases)])
    assert requests.index("/backend.php") < min(requests.index(article_path(c)) for c in PORTAL.cases)
    assert stats["newsarchive/list_pages"] == 1 and stats["newsarchive/first_list_links"] == len(PORTAL.cases)
    # the RSS and every article page read as today's version, none as the corpus era's
    assert stats["newsarchive/layout/cnbeta/2026"] == 1 + len(PORTAL.cases)
    assert "newsarchive/layout/cnbeta/corpus-2022" not in stats
    assert stats["newsarchive/layout/with/image"] == len(PORTAL.cases) - 1     # one has no image
    assert not [k for k in stats if k.startswith("newsarchive/skipped/")]
    assert "newsarchive/layout_alarm" not in stats


def test_rerun_fetches_only_the_rss_and_writes_nothing(tmp_path: Path) -> None:
    requests, stats = rerun(PORTAL, tmp_path / "a")
    assert requests == ["/backend.php"]
    assert stats["newsarchive/already_archived"] == len(PORTAL.cases)


def test_hexo_loads_what_the_crawl_wrote(crawled: tuple[Path, dict, list]) -> None:
    assert_hexo_loads(PORTAL, crawled[0])


def test_broken_pages_are_counted_skips_naming_the_version(tmp_path: Path) -> None:
    portal = edited_copy(PORTAL, tmp_path / "cnbeta-2026", {
        "topic-in-summary-global-in-content":
            lambda b: b.replace(b'class="article-summary"', b'class="article-lead"'),
        "summary-image-two-paragraphs": lambda b: b.replace(b'class="article-content"', b'class="article-text"'),
    })
    res, stats = crawl(portal, tmp_path / "out")
    assert res.returncode == 4, res.stderr[-3000:]   # two broken pages of few: a layout alarm
    assert stats["newsarchive/skipped/no-summary"] == 1 and stats["newsarchive/skipped/no-body"] == 1
    assert "2026: no .article-summary" in res.stderr and "2026: no .article-content" in res.stderr
    assert_only_written(PORTAL, tmp_path / "out",
                        ["relation-old-host-links-kept", "no-image-entity-title-after-midnight"])
