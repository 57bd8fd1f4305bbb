"""Active content through a crawl: an OFweek-like article whose body carries <script>,
on*= handlers and javascript: URLs is archived without them; a clean article is
written byte for byte as with KEEP_ACTIVE_CONTENT=True, which keeps raw bodies."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.fixtureserver import FixtureServer
from tests.helpers import ROOT
from tests.ofweeklike import FakeArticle, build

HOSTILE = ('<p>一</p><script>document.cookie</script>'
           '<p onclick="steal()">二<a href="javascript:alert(1)">链接</a></p>'
           '<p style="text-align:center"><img src="https://images.ofweek.com/Upload/a.jpg" '
           'onerror="alert(1)" alt="图"></p><iframe srcdoc="<script>x()</script>"></iframe>')
CLEAN = ('<p style="text-indent: 2em;">正文 onclick=1 javascript:x 只是文字</p>'
         '<p style="text-align:center"><img src="https://images.ofweek.com/Upload/b.jpg" alt="b"></p>')
ARTICLES = [FakeArticle("42000001", "带脚本的文章", HOSTILE), FakeArticle("42000002", "干净的文章", CLEAN)]


def crawl(srv: FixtureServer, start: str, out: Path, *settings: str) -> str:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "ofweek", "-a", f"start_url={srv.url(start)}",
           "-s", f"ARCHIVE_DIR={out}", "-s", "IMAGES_MODE=remote", "-s", "DOWNLOAD_DELAY=0",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO",
           *[x for s in settings for x in ("-s", s)]]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stderr


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("active")
    start = build(tmp / "site", ARTICLES)
    with FixtureServer(tmp / "site") as srv:
        log = crawl(srv, start, tmp / "safe")
        crawl(srv, start, tmp / "raw", "KEEP_ACTIVE_CONTENT=True")
    stats = {k: int(v) for k, v in re.findall(r"'(newsarchive/[\w/.-]+)': (\d+)", log)}
    return {"safe": tmp / "safe" / "_posts", "raw": tmp / "raw" / "_posts", "stats": stats}


def post(folder: Path, article: FakeArticle) -> str:
    return (folder / f"ofweek-{article.article_id}.md").read_text(encoding="utf-8")


def test_active_content_is_stripped_from_the_written_post(archives: dict) -> None:
    text = post(archives["safe"], ARTICLES[0])
    for needle in ("<script", "onclick", "onerror", "javascript:", "srcdoc", "document.cookie"):
        assert needle not in text
    for kept in ("<p>一</p>", "<p>二<a>链接</a></p>", 'alt="图"', "<iframe></iframe>"):
        assert kept in text
    stats = archives["stats"]
    assert stats["newsarchive/sanitized/posts"] == 1
    assert stats["newsarchive/sanitized/script"] == 1
    assert stats["newsarchive/sanitized/handler"] == 3                # onclick, onerror, srcdoc
    assert stats["newsarchive/sanitized/url"] == 1
    assert stats["newsarchive/posts/written"] == 2


def test_clean_bodies_are_byte_for_byte_and_the_setting_keeps_raw(archives: dict) -> None:
    assert post(archives["safe"], ARTICLES[1]) == post(archives["raw"], ARTICLES[1])
    raw = post(archives["raw"], ARTICLES[0])
    assert '<script>document.cookie</script>' in raw and 'onclick="steal()"' in raw
