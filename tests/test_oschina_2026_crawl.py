"""End to end: `scrapy crawl oschina` against seeds/oschina-2026 (today's markup) on 127.0.0.1:
the cookie page first, its cookie sent on (Scrapy's CookiesMiddleware), every case byte for
byte, each page counted under its layout version."""
from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler import fixturecrawl, fixtureserver
from crawler.fixtureserver import FixtureServer
from tests.portalcrawl import assert_every_case_archived, assert_hexo_loads, crawl, rerun

PORTAL = next((p for p in fixturecrawl.portals() if p.site == "oschina-2026"), None)
pytestmark = pytest.mark.skipif(PORTAL is None, reason="no seeds/oschina-2026 fixture portal")
LIST = "/news/widgets/_news_index_all_list?p={}&type=ajax"
COOKIE = "oscid=fixture-2026"
REFERER = "https://www.oschina.net/news/project"


class _CookieHandler(fixtureserver._Handler):
    """The fixture server, plus the cookie the real /news page sets (a modeled name and value)."""

    def send_response(self, code: int, message: str | None = None) -> None:
        super().send_response(code, message)
        if code == 200 and urlsplit(self.path).path in ("/news", "/news/"):
            self.send_header("Set-Cookie", f"{COOKIE}; Path=/; HttpOnly")


def cookie_server() -> FixtureServer:
    srv = FixtureServer(PORTAL.site_dir)
    srv.httpd.RequestHandlerClass = partial(_CookieHandler, root=srv.root, log=srv.requests,
                                            header_log=srv.request_headers)
    return srv


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, FixtureServer]:
    out = tmp_path_factory.mktemp("archive")
    with cookie_server() as srv:
        res, stats = crawl(PORTAL, out, server=srv)
    assert res.returncode == 0, res.stderr[-3000:]
    return out, stats, srv


def test_crawl_json() -> None:
    assert PORTAL.spider == "oschina" and PORTAL.start_path == LIST.format(1)
    assert PORTAL.spider_args == ("-a", "now=2026-03-12T12:00:00+08:00")


def test_every_case_is_archived_byte_for_byte(crawled: tuple[Path, dict, FixtureServer]) -> None:
    out, stats, _ = crawled
    assert_every_case_archived(PORTAL, out, stats)


def test_cookie_page_first_then_its_cookie_on_every_request(crawled: tuple[Path, dict, FixtureServer]) -> None:
    _, stats, srv = crawled
    pages = [(p, {k.lower(): v for k, v in h.items()}) for p, h in srv.request_headers if p != "/robots.txt"]
    assert pages[0][0] == "/news" and "cookie" not in pages[0][1]
    lists = [LIST.format(n) for n in (1, 2, 3)]
    articles = [urlsplit(c["article_url"]).path for c in PORTAL.cases]
    assert sorted(p for p, _ in pages[1:]) == sorted(lists + articles)
    for path, headers in pages[1:]:
        assert headers.get("cookie") == COOKIE, path
        assert headers.get("referer") == REFERER, path
        assert (headers.get("x-requested-with") == "XMLHttpRequest") is (path in lists), path
    assert stats["newsarchive/oschina/cookies_set"] == 1
    assert "newsarchive/oschina/cookie_page_failed" not in stats


def test_each_page_counted_under_its_version(crawled: tuple[Path, dict, FixtureServer]) -> None:
    _, stats, _ = crawled
    articles = len(PORTAL.cases)
    assert {c["list_layout"] for c in PORTAL.cases} == {"2026", "2026-data-url"}
    assert {k: v for k, v in stats.items() if k.startswith("newsarchive/layout/oschina/")} == {
        "newsarchive/layout/oschina/2026": 1 + articles,            # list p=1, every article page
        "newsarchive/layout/oschina/2026-data-url": 1,              # list p=2 (p=3: empty, no version)
    }
    assert stats["newsarchive/list_pages"] == 3 and stats["newsarchive/first_list_links"] == 4
    assert stats["newsarchive/skipped/not-an-article"] == 2         # gitee.com, my.oschina.net
    assert [k for k in stats if k.startswith("newsarchive/skipped/")] == ["newsarchive/skipped/not-an-article"]
    assert stats["newsarchive/layout/with/image"] == articles - 1
    assert "newsarchive/layout_alarm" not in stats


def test_without_the_cookie_page_the_walk_goes_on(tmp_path: Path) -> None:
    """The plain fixture server sets no cookie; a missing /news is a warning, not a skip."""
    site = tmp_path / "portal"
    shutil.copytree(PORTAL.root, site)
    (site / "site" / "news" / "index.html").unlink()
    res, stats = crawl(fixturecrawl.Portal("oschina-2026", site), tmp_path / "out")
    assert res.returncode == 0, res.stderr[-3000:]
    assert stats["newsarchive/oschina/cookie_page_failed"] == 1
    assert "cookie page https://www.oschina.net/news failed (http-404" in res.stderr
    assert stats["newsarchive/posts/written"] == len(PORTAL.cases)


def test_rerun_fetches_the_cookie_page_and_list_page_1_only(tmp_path: Path) -> None:
    requests, stats = rerun(PORTAL, tmp_path / "a")
    assert requests == ["/news", LIST.format(1)]
    assert stats["newsarchive/already_archived"] == 3


def test_hexo_loads_what_the_crawl_wrote(crawled: tuple[Path, dict, FixtureServer]) -> None:
    assert_hexo_loads(PORTAL, crawled[0])
