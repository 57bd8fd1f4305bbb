"""End to end: a real `scrapy crawl oschina` subprocess against the fixture portal on 127.0.0.1,
with the fixed reference time of seeds/oschina/crawl.json (`-a now=…`)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler import fixturecrawl
from crawler.fixtureserver import FixtureServer
from crawler.spiders.oschina import OschinaSpider
from tests.portalcrawl import (assert_every_case_archived, assert_hexo_loads, assert_only_written, crawl,
                               edited_copy, rerun)

PORTAL = next((p for p in fixturecrawl.portals() if p.site == "oschina"), None)
pytestmark = pytest.mark.skipif(PORTAL is None, reason="no seeds/oschina fixture portal")
LIST = "/news/widgets/_news_index_all_list?p={}&type=ajax"
XHR = {"referer": "https://www.oschina.net/news/project", "x-requested-with": "XMLHttpRequest"}
COOKIE_PAGE = "/news"            # today's route's first GET (no such page in this fixture: a 404)


def article_path(case: dict) -> str:
    return urlsplit(case["article_url"]).path


def page_requests(srv: FixtureServer) -> list[str]:
    return [r for r in srv.requests if r != "/robots.txt"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, FixtureServer]:
    out = tmp_path_factory.mktemp("archive")
    with FixtureServer(PORTAL.site_dir) as srv:
        res, stats = crawl(PORTAL, out, server=srv)
    assert res.returncode == 0, res.stderr[-3000:]
    return out, stats, srv


def test_crawl_json_fixes_now() -> None:
    assert PORTAL.start_path == LIST.format(1)
    assert PORTAL.spider_args == ("-a", "now=2022-06-15T12:00:00+08:00")


def test_every_case_is_archived_byte_for_byte(crawled: tuple[Path, dict, FixtureServer]) -> None:
    out, stats, _ = crawled
    assert_every_case_archived(PORTAL, out, stats)


def test_list_pages_with_xhr_headers_then_each_article_once(crawled: tuple[Path, dict, FixtureServer]) -> None:
    _, stats, srv = crawled
    requests = page_requests(srv)
    lists = [LIST.format(n) for n in (1, 2, 3)]              # p=3 is empty: the walk ends there
    assert requests[0] == COOKIE_PAGE
    assert sorted(requests[1:]) == sorted([*lists, *(article_path(c) for c in PORTAL.cases)])
    assert [r for r in requests if r in lists] == lists
    assert "/news/197800/osc-yuanchuang-shenzhen" not in requests          # the promo in .ad-wrap
    for path, headers in srv.request_headers:
        got = {k.lower(): v for k, v in headers.items()}
        if path in lists:
            assert {k: got.get(k) for k in XHR} == XHR, path
        elif path not in (COOKIE_PAGE, "/robots.txt"):                           # articles: the route's Referer only
            assert "x-requested-with" not in got and got.get("referer") == XHR["referer"], path
    assert stats["newsarchive/list_pages"] == 3 and stats["newsarchive/first_list_links"] == 5
    assert stats["newsarchive/skipped/not-an-article"] == 2                # gitee.com, my.oschina.net
    assert [k for k in stats if k.startswith("newsarchive/skipped/")] == ["newsarchive/skipped/not-an-article"]
    assert stats["newsarchive/oschina/cookie_page_failed"] == 1          # a warning, not a skip
    # this fragment holds h3.header > a (as 2021-22 scrapers saw it) and .item-list meta: the
    # newest versions that read it; the empty p=3 counts no version
    assert stats["newsarchive/layout/oschina/2026"] == 2 + len(PORTAL.cases)
    assert not [k for k in stats if k.startswith("newsarchive/layout/oschina/") and not k.endswith("/2026")]
    assert stats["newsarchive/layout/with/image"] == len(PORTAL.cases) - 1
    assert "newsarchive/layout_alarm" not in stats


def test_max_pages_stops_the_walk(tmp_path: Path) -> None:
    with FixtureServer(PORTAL.site_dir) as srv:
        res, stats = crawl(PORTAL, tmp_path / "a", args=("-a", "max_pages=1"), server=srv)
        assert res.returncode == 0
        assert [r for r in page_requests(srv) if "_news_index_all_list" in r] == [LIST.format(1)]
    written = {p.name for p in (tmp_path / "a" / "_posts").iterdir()}
    assert written == {"oschina-197834.md", "oschina-197851.md", "oschina-197702.md"}


def test_rerun_fetches_only_list_page_1_and_writes_nothing(tmp_path: Path) -> None:
    requests, stats = rerun(PORTAL, tmp_path / "a")
    assert requests == [COOKIE_PAGE, LIST.format(1)]
    assert stats["newsarchive/already_archived"] == 3


def test_another_now_moves_relative_dates_only(tmp_path: Path) -> None:
    res, _ = crawl(PORTAL, tmp_path / "a", args=("-a", "now=2022-06-16T12:00:00+08:00"))
    assert res.returncode == 0
    posts = tmp_path / "a" / "_posts"
    today = (posts / "oschina-197834.md").read_text(encoding="utf-8")       # 今天 08:55
    assert "\ndate: Thu, 16 Jun 2022 00:55:00 GMT\n" in today
    for name in ("oschina-197655.md", "oschina-197610.md"):                 # 06/13, 2022/06/10
        assert (posts / name).read_bytes() == (PORTAL.expected_posts / name).read_bytes()


def test_hexo_loads_what_the_crawl_wrote(crawled: tuple[Path, dict, FixtureServer]) -> None:
    assert_hexo_loads(PORTAL, crawled[0])


# --- bad input: a counted skip, never a post -------------------------------------------

def test_bad_articles_are_counted_skips_and_the_list_wins(tmp_path: Path) -> None:
    title = ('<h1 class="article-box__title"><a href="https://www.oschina.net/news/197655/'
             'shardingsphere-5-1-2-released" target="_blank">')
    portal = edited_copy(PORTAL, tmp_path / "oschina", {
        # neither .article-detail nor (2026's second choice) div.content
        "ad-in-body-today": lambda b: b.replace(b'<div class="article-detail">\n<div class="content">',
                                                b'<div class="detail">\n<div class="text">'),
        "oscimg-minutes-ago": lambda b: b.replace(b"</h1>", b"\xff\xfe</h1>"),      # not UTF-8
        # the page's own title differs from the list's: the post keeps the list's
        "page2-month-day-two-hosts": lambda b: b.replace(title.encode(), (title + "页面标题：").encode()),
    })
    res, stats = crawl(portal, tmp_path / "out")
    assert res.returncode == 4, res.stderr[-3000:]   # the bad pages push coverage below its thresholds: a layout alarm
    for reason in ("no-body", "undecodable"):
        assert stats[f"newsarchive/skipped/{reason}"] == 1, reason
    assert_only_written(PORTAL, tmp_path / "out", [c["name"] for c in PORTAL.cases
                                                   if c["name"] not in ("ad-in-body-today", "oscimg-minutes-ago")])


# --- navigation ------------------------------------------------------------------------------

def test_real_site_and_mirror_urls() -> None:
    real = OschinaSpider()
    assert real.mirror is None
    assert real.canonical_start == "https://www.oschina.net/news/widgets/_news_index_all_list?p=1&type=ajax"
    assert real.max_pages == 5 and real.fixed_now is None
    assert real.on_portal("https://static.oschina.net/uploads/space/2022/0615/a.png")
    assert real.on_portal("https://oscimg.oschina.net/oscnet/up-ab.png")
    assert not real.on_portal("https://gitee.com/x") and not real.on_portal("https://oschina.net.evil.example/")
    mirror = OschinaSpider(start_url="http://127.0.0.1:8123" + LIST.format(1), max_pages="2",
                           now="2022-06-15T12:00:00")
    assert mirror.canonical_start == "https://www.oschina.net" + LIST.format(1)
    assert mirror.fixed_now is not None and mirror.fixed_now.isoformat() == "2022-06-15T12:00:00+08:00"
    assert mirror.fetch_url("https://oscimg.oschina.net/oscnet/up-ab.png") == "http://127.0.0.1:8123/oscnet/up-ab.png"
    assert mirror.fetch_url("https://www.oschina.net/news/1/x") == "http://127.0.0.1:8123/news/1/x"
    for bad in ({"now": "yesterday"}, {"max_pages": "0"}, {"start_url": "ftp://www.oschina.net/"}):
        with pytest.raises(ValueError):
            OschinaSpider(**bad)


def test_fixture_server_serves_query_files_else_ignores_queries() -> None:
    import urllib.error
    import urllib.request

    def get(srv: FixtureServer, path: str) -> bytes:
        return urllib.request.urlopen(srv.url(path), timeout=10).read()

    site = PORTAL.site_dir
    with FixtureServer(site) as srv:
        for n in (1, 2):
            assert get(srv, LIST.format(n)) == (site / LIST.format(n).lstrip("/")).read_bytes()
        article = "/news/197834/deno-1-23-released"
        assert get(srv, article + "?from=rss") == (site / article.lstrip("/")).read_bytes()
        with pytest.raises(urllib.error.HTTPError):
            get(srv, LIST.format(9))                 # no such file, and no file without the query
        with pytest.raises(urllib.error.HTTPError):
            get(srv, "/news/widgets/x?/../../../crawl.json")      # stays inside the root
    assert srv.requests[0] == LIST.format(1) and srv.request_headers[0][0] == LIST.format(1)
