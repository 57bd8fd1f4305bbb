"""`scrapy archive` reads all its feeds in one crawl (one spider, a request per feed) and still
reports each feed on its own: its summary line, its failure (named and counted as that feed's
only), its layout alarm and `blocked`, its finished marker; the exit code as before."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from crawler import postformat
from crawler.fixtureserver import FixtureServer
from tests.helpers import ROOT
from tests.hostile.server import HostileServer, status
from tests.test_feed_crawl import feed_id, rss
from tests.test_fulltext_crawl import EXAMPLE, GENERIC, OFWEEK_POST, OFWEEK_URL, stats_of
from tests.test_fulltext_crawl import rss as mixed

DATE = "Sun, 31 Oct 2021 01:09:09 GMT"


def entry(link: str) -> dict[str, str]:
    return {"title": f"标题 {link[-1]}", "link": link, "body": f"<p>正文 {link}</p>", "date": DATE}


def archive(conf: Path, out: Path, *names: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "archive", "-v", *names, "-s", f"ARCHIVE_FEEDS={conf}",
         "-s", f"ARCHIVE_DIR={out}", "-s", "IMAGES_MODE=remote", "-s", "DOWNLOAD_DELAY=0",
         "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "PROGRESS_INTERVAL=0"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_one_crawl_reports_each_feed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.xml").write_bytes(rss("A", [entry("https://a.example/1"), entry("https://a.example/2")]))
    (site / "b.xml").write_bytes(rss("B", [entry("https://b.example/1")]))
    (site / "broken.xml").write_bytes(b"<html><body>maintenance</body></html>")
    (site / "walled.xml").write_bytes(rss("W", [entry("https://w.example/1")]))
    out = tmp_path / "archive"
    with HostileServer(site, routes={"/walled.xml": status(403)}) as srv:
        feeds = [{"url": srv.url(f"/{k}.xml"), "site": k, "categories": [k.upper(), "feed"], "author": k}
                 for k in ("a", "b", "broken", "walled")]
        feeds.append({"url": srv.url("/a.xml"), "site": "twin", "categories": ["T"], "author": "t"})
        conf = tmp_path / "feeds.json"
        conf.write_text(json.dumps(feeds), encoding="utf-8")
        first = archive(conf, out, "a", "b", "broken", "walled", "twin")  # (no name: the portals too)
        # robots.txt once for the host, each feed once (a URL twice: two feeds): one crawl
        assert sorted(srv.requests) == ["/a.xml", "/a.xml", "/b.xml", "/broken.xml", "/robots.txt",
                                        "/walled.xml"]
        second = archive(conf, out, "a", "walled")
        third = archive(conf, out, "a", "b")

    # A broken feed is a layout alarm (4), which outranks the blocked one (5).
    assert first.returncode == 4, first.stderr
    assert first.stdout.splitlines() == [
        "a: 2 new, 0 unchanged, 0 already archived, 0 skipped, 2 requests",
        "b: 1 new, 0 unchanged, 0 already archived, 0 skipped, 2 requests",
        "broken: 0 new, 0 unchanged, 0 already archived, 1 skipped, 2 requests",
        "walled: 0 new, 0 unchanged, 0 already archived, 1 skipped, 2 requests",
        "twin: 2 new, 0 unchanged, 0 already archived, 0 skipped, 2 requests"]
    report = first.stderr[first.stderr.index("archive: "):].splitlines()
    assert report[:2] == ["archive: broken: layout alarm (see the log above)",
                          "  broken: skipped 1 (feed-not-a-feed)"]
    assert report[2].startswith("  walled: blocked: 1 page(s) refused by the site")
    assert report[3:] == ["  walled: skipped 1 (blocked)"]
    log = first.stderr[:first.stderr.index("archive: ")]
    assert "layout alarm: feed-broken: the list page gave no article link" in log
    assert "blocked: feed-walled: 1 page(s) refused" in log
    assert not re.search(r"(^|\s|feed-)(a|b|twin): ", first.stderr, re.M), first.stderr  # the good: silent
    assert "Traceback" not in first.stderr

    posts = sorted(p.name for p in (out / "_posts").iterdir())
    assert posts == sorted([*(f"{k}-{feed_id(f'https://a.example/{n}')}.md" for k in ("a", "twin") for n in (1, 2)),
                            f"b-{feed_id('https://b.example/1')}.md"])
    post = (out / "_posts" / f"b-{feed_id('https://b.example/1')}.md").read_text(encoding="utf-8")
    assert "categories: \n - B\n - feed\n" in post and "author: b\n" in post
    # each feed's finished marker: not the blocked one's (it may work next time)
    state = out / ".newsarchive"
    assert {p.stem for p in state.glob("*.finished")} >= {"a", "b", "broken"}
    assert not (state / "walled.finished").exists()

    assert second.returncode == 5, second.stderr
    assert second.stdout.splitlines() == [
        "a: 0 new, 0 unchanged, 2 already archived, 0 skipped, 2 requests",
        "walled: 0 new, 0 unchanged, 0 already archived, 1 skipped, 2 requests"]
    assert second.stderr.count("archive: ") == 1 and "archive: walled: blocked" in second.stderr

    assert (third.returncode, third.stderr) == (0, "")
    assert third.stdout.splitlines() == [
        "a: 0 new, 0 unchanged, 2 already archived, 0 skipped, 2 requests",
        "b: 0 new, 0 unchanged, 1 already archived, 0 skipped, 2 requests"]


def test_fulltext_feed_among_others_keeps_its_posts_and_counts(tmp_path: Path) -> None:
    """A `fulltext` feed beside a plain one in one crawl (`-a feeds=FILE`): the portal's post
    byte for byte, the linked pages counted as that feed's (its requests, its fallbacks)."""
    site = tmp_path / "site"
    shutil.copytree(GENERIC, site)
    (site / "plain.xml").write_bytes(rss("P", [entry("https://p.example/1")]))
    out = tmp_path / "archive"
    title = postformat.read(OFWEEK_POST.read_text(encoding="utf-8")).title
    with FixtureServer(ROOT / "seeds/ofweek/site") as ofw, FixtureServer(site) as srv:
        (site / "feed.xml").write_bytes(mixed([
            (title, OFWEEK_URL, "Sun, 28 Nov 2021 03:00:00 GMT", "<p>summary only</p>"),
            ("Gone", srv.url("/blog/2024/gone.html"), "Thu, 07 Mar 2024 10:00:00 GMT", "<p>dead link</p>")]))
        conf = tmp_path / "feeds.json"
        conf.write_text(json.dumps([
            {"url": srv.url("/feed.xml"), "site": "mixed", "fulltext": "1"},
            {"url": srv.url("/plain.xml"), "site": "plain", "categories": ["P"], "author": "p"}]))
        res = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "feed", "-a", f"feeds={conf}", "-a",
             f"mirrors=ofweek={ofw.origin}", "-s", f"ARCHIVE_DIR={out}", "-s", "IMAGES_MODE=remote",
             "-s", f"CONFIG={EXAMPLE}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr[-3000:]
    posts = out / "_posts"
    assert (posts / "ofweek-30537445.md").read_bytes() == OFWEEK_POST.read_bytes()
    assert len([p for p in posts.iterdir() if p.name.startswith("mixed-")]) == 1  # the dead link's summary
    assert len([p for p in posts.iterdir() if p.name.startswith("plain-")]) == 1
    stats = stats_of(res.stderr)
    assert stats["source/mixed/newsarchive/fulltext/portal"] == 1
    assert stats["source/mixed/newsarchive/fulltext/fallback/http-404"] == 1
    assert stats["source/mixed/newsarchive/posts/written"] == 2
    # the feed, its link on the mirror, the dead link; robots.txt of both hosts
    assert stats["source/mixed/downloader/request_count"] == 5
    assert stats["source/plain/downloader/request_count"] == 2
    assert "source/plain/newsarchive/fulltext/portal" not in stats
    assert res.stdout.splitlines() == [
        "mixed: 2 new, 0 unchanged, 0 already archived, 0 skipped, 5 requests",
        "plain: 1 new, 0 unchanged, 0 already archived, 0 skipped, 2 requests"]


def test_a_feed_crawl_keeps_fewer_responses_in_process_unless_told(monkeypatch) -> None:  # noqa: ANN001
    # Feeds are small responses of many posts each: the feed spider narrows Scrapy's window
    # of responses in process (5 MB) so posts waiting for the disk stay a few hundred (memory
    # at 2,000 feeds: bench/feeds_bench.py); a value the user sets wins.
    from scrapy.crawler import Crawler
    from scrapy.utils.project import get_project_settings

    from crawler.spiders.feed import FEED_ACTIVE_SIZE, FeedSpider

    monkeypatch.chdir(ROOT)
    # get_project_settings() exports SCRAPY_SETTINGS_MODULE: set here, monkeypatch removes it
    # again (left behind, a later test's bare `scrapy runspider` would load the project's pipelines)
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    assert settings.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE") == 5_000_000  # Scrapy's, for the portals
    assert Crawler(FeedSpider, settings.copy()).settings.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE") == FEED_ACTIVE_SIZE
    for priority in ("project", "cmdline"):                  # newsarchive.toml / settings.py, -s
        told = settings.copy()
        told.set("SCRAPER_SLOT_MAX_ACTIVE_SIZE", 3_000_000, priority=priority)
        assert Crawler(FeedSpider, told).settings.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE") == 3_000_000
