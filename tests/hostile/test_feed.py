"""A hostile feed through `scrapy crawl feed`: an external entity (XXE) and an entity bomb
in its DOCTYPE, injection titles, active content, bad and future dates, hostile links and
guids. Every recoverable entry is archived, the rest counted, nothing leaks or escapes."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import yaml

from crawler.fixtureserver import FixtureServer
from tests.helpers import ROOT

LOL = "".join(['<!ENTITY l0 "lollollollollollollollollollol">'] + [
    f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)])
DOCTYPE = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"> {LOL}]>'
GOOD_DATE = "Wed, 27 Jul 2022 07:31:24 GMT"

# (guid, title as written in the feed XML, title expected, body, date, outcome)
CASES = [
    # undeclared once the DOCTYPE is gone: the references stay as literal text
    ("g-xxe", "秘密 &xxe; 结束", "秘密 &xxe; 结束", "<p>a &amp;xxe; b</p>", GOOD_DATE, "archived"),
    ("g-lol", "笑 &l9;", "笑 &l9;", "<p>lol</p>", GOOD_DATE, "archived"),
    ("g-front", escape("---\ntitle: pwned\n---"), "--- title: pwned ---", "<p>x</p>", GOOD_DATE, "archived"),
    ("g-yaml", escape("!!python/object/apply:os.system ['echo pwned'] &a *a"),
     "!!python/object/apply:os.system ['echo pwned'] &a *a", "<p>y</p>", GOOD_DATE, "archived"),
    ("g-tpl", escape("{{ site.title }} {% raw %} \"q\" 'a': #c"),
     "{{ site.title }} {% raw %} \"q\" 'a': #c", "<p>{{ x }}{% y %}</p>", GOOD_DATE, "archived"),
    ("g-script", "脚本", "脚本",
     '<p onclick="x()">t</p><script>steal()</script><a href="javascript:alert(1)">l</a>', GOOD_DATE,
     "archived"),
    ("../../../../etc/cron.d/x", "路径", "路径", "<p>p</p>", GOOD_DATE, "archived"),
    ("g-nodate", "无日期", "无日期", "<p>d</p>", "", "no-date"),
    ("g-baddate", "坏日期", "坏日期", "<p>d</p>", "昨天 10:38", "no-date"),
    ("g-future", "未来", "未来", "<p>f</p>", "Fri, 01 Jan 2100 00:00:00 GMT", "future-date"),
    ("g-empty", "空正文", "空正文", "", GOOD_DATE, "no-body"),
]


def feed_xml() -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>file:///etc/passwd</link><guid>{escape(guid)}</guid>"
        f"<pubDate>{date}</pubDate><description>{escape(body)}</description></item>"
        for guid, title, _, body, date, _ in CASES)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{DOCTYPE}\n<rss version="2.0"><channel>'
            f"<title>恶意 &xxe;源</title>{items}</channel></rss>").encode("utf-8")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("hostile-feed")
    (tmp / "site").mkdir()
    (tmp / "site" / "feed.xml").write_bytes(feed_xml())
    with FixtureServer(tmp / "site") as srv:
        res = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "feed", "-a", f"url={srv.url('/feed.xml')}",
             "-a", "site=hostile", "-a", "categories=新媒体,恶意,源", "-a", "author=恶意",
             "-s", f"ARCHIVE_DIR={tmp / 'archive'}", "-s", "IMAGES_MODE=remote",
             "-s", "LOG_LEVEL=INFO"], cwd=ROOT, capture_output=True, text=True, timeout=120)
        requests = list(srv.requests)
    # A layout alarm (exit 4): most entries of this hostile feed lack a date, title or body.
    assert res.returncode == 4, res.stderr[-3000:]
    assert "crawl: feed: layout alarm" in res.stderr
    stats = {k: int(v) for k, v in re.findall(r"'(newsarchive/[\w/.-]+)': (\d+)", res.stderr)}
    return {"tmp": tmp, "archive": tmp / "archive", "stats": stats, "log": res.stderr,
            "requests": requests}


def front(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("\n---\n", 2)[0], *text.split("\n---\n", 2)[1:]
    return yaml.safe_load(head), body


def test_recoverable_entries_are_archived_with_their_exact_titles(crawl: dict) -> None:
    posts = sorted((crawl["archive"] / "_posts").iterdir())
    archived = [c for c in CASES if c[5] == "archived"]
    assert len(posts) == len(archived)
    titles = sorted(front(p)[0]["title"] for p in posts)
    assert titles == sorted(c[2] for c in archived)
    for p in posts:
        meta, _ = front(p)
        assert set(meta) == {"title", "categories", "headimg", "author", "comments", "date", "thumbnail"}
        assert meta["categories"] == ["新媒体", "恶意", "源"] and meta["author"] == "恶意"


def test_nothing_leaks_and_nothing_runs(crawl: dict) -> None:
    secret = Path("/etc/passwd").read_text(errors="replace").split("\n", 1)[0]
    for f in crawl["tmp"].rglob("*"):
        if f.is_file() and f.name != "feed.xml":
            text = f.read_bytes().decode("utf-8", "replace")
            assert not secret or secret not in text, f
            assert "lollollol" * 10 not in text, f
    bodies = "".join(front(p)[1] for p in (crawl["archive"] / "_posts").iterdir())
    for needle in ("<script", "onclick", "javascript:", "{{", "{%"):
        assert needle not in bodies
    assert crawl["requests"] == ["/robots.txt", "/feed.xml"]          # links are never fetched


def test_skips_are_counted_and_no_file_escapes(crawl: dict) -> None:
    stats = crawl["stats"]
    for reason in ("no-date", "future-date", "no-body"):
        assert stats[f"newsarchive/skipped/{reason}"] == sum(1 for c in CASES if c[5] == reason)
    assert stats["newsarchive/sanitized/posts"] == 1
    files = [p for p in crawl["tmp"].rglob("*") if p.is_file()]
    for f in files:
        rel = f.relative_to(crawl["tmp"]).parts
        assert rel[0] in ("site", "archive"), f
        if rel[0] == "archive":
            assert rel[1] in ("_posts", ".newsarchive"), f            # state: lock, index, marker
            assert not f.name.endswith(".tmp")
            assert rel[1] != "_posts" or f.stat().st_size > 0, f
    names = [p.name for p in (crawl["archive"] / "_posts").iterdir()]
    assert all(re.fullmatch(r"hostile-[0-9a-f]{16}\.md", n) for n in names), names


@pytest.mark.parametrize("data, reason", [
    (b"<html><body><p>\xe7\xbb\xb4\xe6\x8a\xa4\xe4\xb8\xad</p></body></html>", "feed-not-a-feed"),
    (b'<?xml version="1.0" encoding="gbk"?><rss>\x81\x20\xff</rss>', "feed-undecodable"),
])
def test_a_feed_that_cannot_be_read_is_a_counted_skip(tmp_path: Path, data: bytes, reason: str) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "feed.xml").write_bytes(data)
    with FixtureServer(tmp_path / "site") as srv:
        res = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "feed", "-a", f"url={srv.url('/feed.xml')}",
             "-a", "site=broken", "-a", "categories=c", "-a", "author=a",
             "-s", f"ARCHIVE_DIR={tmp_path / 'archive'}", "-s", "LOG_LEVEL=INFO"],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
    stats = {k: int(v) for k, v in re.findall(r"'(newsarchive/[\w/.-]+)': (\d+)", res.stderr)}
    assert res.returncode == 4, res.stderr[-3000:]   # the feed (its list page) gave no entries
    assert stats[f"newsarchive/skipped/{reason}"] == 1, res.stderr[-3000:]
    assert "Traceback" not in res.stderr
