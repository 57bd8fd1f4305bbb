"""A page that fails for a passing reason (5xx after retries, timeout, reset) leaves the run
unfinished: the next run walks every list page again and archives what was missed, instead
of stopping at the first list page with nothing new."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT
from tests.hostile.server import HostileServer, attempts, serve, status
from tests.ofweeklike import FakeArticle, build

ARTICLES = [FakeArticle(str(43000001 + i), f"文章 {i}",      # an image each: no layout alarm
                        f"<p>正文 {i}</p><p><img src=\"https://img.ofweek.com/{i}.jpg\"></p>")
            for i in range(4)]
FLAKY = ARTICLES[3]                       # on list page 2


def run(srv: HostileServer, start: str, out: Path, code: int = 0) -> dict[str, int]:
    """A crawl that must exit with `code` (1: an article failed), and its stats."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "ofweek", "-a", f"start_url={srv.url(start)}",
           "-s", f"ARCHIVE_DIR={out}", "-s", "IMAGES_MODE=remote", "-s", "DOWNLOAD_DELAY=0",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=2", "-s", "LOG_LEVEL=INFO"]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == code, res.stderr[-3000:]
    return {k: int(v) for k, v in re.findall(r"'([\w/.-]+)': (\d+)", res.stderr)}


def test_a_transient_failure_is_retried_by_the_next_run(tmp_path: Path) -> None:
    start = build(tmp_path / "site", ARTICLES, per_page=2)
    out = tmp_path / "archive"
    flaky = attempts(status(503), status(503), status(503), serve)    # 3 failures, then fine
    with HostileServer(tmp_path / "site", routes={FLAKY.path: flaky}) as srv:
        first = run(srv, start, out, code=1)      # one article failed: exit 1
        assert first["newsarchive/skipped/http-503"] == 1
        assert not (out / "_posts" / f"ofweek-{FLAKY.article_id}.md").exists()
        assert not (out / ".newsarchive" / "ofweek.finished").exists()

        second = run(srv, start, out)             # page 1 has nothing new, page 2 is walked
        assert second["newsarchive/posts/written"] == 1
        assert (out / "_posts" / f"ofweek-{FLAKY.article_id}.md").is_file()
        assert (out / ".newsarchive" / "ofweek.finished").exists()

        before = len(srv.requests)
        run(srv, start, out)                      # all done: the walk stops at page 1 again
        assert [r for r in srv.requests[before:] if r != "/robots.txt"] == [start]
