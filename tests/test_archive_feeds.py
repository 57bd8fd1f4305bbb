"""`scrapy archive` runs the feeds of ARCHIVE_FEEDS beside the sites (cron)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crawler.fixtureserver import FixtureServer
from tests.helpers import ROOT
from tests.test_feed_crawl import feed_id, rss


def archive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "archive", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_feeds_are_archived_quietly_and_summarized_with_v(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    item = {"title": "快讯一", "link": "https://36kr.com/newsflashes/1", "body": "正文（证券时报）",
            "date": "Sun, 31 Oct 2021 01:09:09 GMT"}
    (site / "flash.xml").write_bytes(rss("快讯 - 36氪", [item]))
    (site / "blog.xml").write_bytes(rss("Hi, DIYgod", [{**item, "link": "https://diygod.me/1"}]))
    out = tmp_path / "archive"
    with FixtureServer(site) as srv:
        feeds = [{"url": srv.url("/flash.xml"), "site": "36kr-flash",
                  "categories": ["新媒体", "36kr", "快讯"], "author": "36kr"},
                 {"url": srv.url("/blog.xml"), "site": "diygod",
                  "categories": ["博客", "Hi, DIYgod", "文章"], "author": "Hi, DIYgod"}]
        conf = tmp_path / "feeds.json"
        conf.write_text(json.dumps(feeds, ensure_ascii=False), encoding="utf-8")
        common = ("-s", f"ARCHIVE_FEEDS={conf}", "-s", f"ARCHIVE_DIR={out}",
                  "-s", "IMAGES_MODE=remote", "-s", "DOWNLOAD_DELAY=0")
        first = archive("36kr-flash", "diygod", *common)
        second = archive("36kr-flash", "diygod", "-v", *common)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    flash = (out / "_posts" / f"36kr-flash-{feed_id(item['link'])}.md").read_text(encoding="utf-8")
    assert "categories: \n - 新媒体\n - 36kr\n - 快讯\nheadimg" in flash and "author: 36kr\n" in flash
    blog = (out / "_posts" / f"diygod-{feed_id('https://diygod.me/1')}.md").read_text(encoding="utf-8")
    assert " - Hi, DIYgod\n" in blog and "author: Hi, DIYgod\n" in blog
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == [
        "36kr-flash: 0 new, 0 unchanged, 1 already archived, 0 skipped, 2 requests",
        "diygod: 0 new, 0 unchanged, 1 already archived, 0 skipped, 2 requests"]


def test_bad_feed_lists_exit_2(tmp_path: Path) -> None:
    for value in ("[{\"url\": \"http://127.0.0.1:9/\"}]", "{not json", str(tmp_path / "missing.json"),
                  '[{"url": "http://127.0.0.1:9/", "site": "x", "colour": "red"}]'):
        res = archive("x", "-s", f"ARCHIVE_FEEDS={value}", "-s", f"ARCHIVE_DIR={tmp_path}")
        assert res.returncode == 2 and res.stderr.startswith("archive: ARCHIVE_FEEDS"), res.stderr
    res = archive("nosuch", "-s", f"ARCHIVE_DIR={tmp_path}")
    assert res.returncode == 2 and "unknown site(s): nosuch" in res.stderr
