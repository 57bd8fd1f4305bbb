"""PLACEHOLDER_IMAGE (issue 13, case 13): the head image of a post without images, never
fetched, in local image mode too; a URL of one's own, or none. Real crawls."""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

from crawler import postformat
from pipelines.normalize import placeholder_image
from tests.helpers import ROOT
from tests.hostile.server import HostileServer
from tests.ofweeklike import FakeArticle, build

ARTICLES = [FakeArticle(str(46000001 + i), f"无图 {i}", f"<p>正文 {i}</p>") for i in range(3)]


def crawl(srv: HostileServer, start: str, out: Path, *settings: str) -> tuple[str, dict[str, int]]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "ofweek", "-a", f"start_url={srv.url(start)}",
           "-s", f"ARCHIVE_DIR={out}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "LOG_LEVEL=INFO", "-s", 'LAYOUT_MIN_COVERAGE={"image": 0}',
           *[x for s in settings for x in ("-s", s)]]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stderr, {k: int(v) for k, v in re.findall(r"'([\w/.-]+)': (\d+)", res.stderr)}


def heads(out: Path) -> dict[str, tuple[str, str]]:
    got = {}
    for a in ARTICLES:
        post = postformat.read((out / "_posts" / f"ofweek-{a.article_id}.md").read_text(encoding="utf-8"))
        got[a.article_id] = (post.headimg, post.thumbnail)
    return got


def test_the_placeholder_is_written_never_fetched_and_configurable(tmp_path: Path) -> None:
    start = build(tmp_path / "site", ARTICLES)
    with HostileServer(tmp_path / "site") as srv:
        log, stats = crawl(srv, start, tmp_path / "local", "IMAGES_MODE=local")
        # every request went to the test server: the picsum URL was not fetched
        assert stats["downloader/request_count"] == len(srv.requests)
        assert "picsum.photos" not in "".join(srv.requests) and "GET https://picsum" not in log
        for aid, (head, thumb) in heads(tmp_path / "local").items():
            n = int(hashlib.sha1(aid.encode()).hexdigest(), 16) % 10000
            assert head == thumb == f"https://picsum.photos/400/300?random={n}" == placeholder_image(aid)

        crawl(srv, start, tmp_path / "none", "IMAGES_MODE=remote", "PLACEHOLDER_IMAGE=")
        assert set(heads(tmp_path / "none").values()) == {("", "")}

        crawl(srv, start, tmp_path / "own", "IMAGES_MODE=remote", "PLACEHOLDER_IMAGE=/images/logo.png")
        assert set(heads(tmp_path / "own").values()) == {("/images/logo.png", "/images/logo.png")}
