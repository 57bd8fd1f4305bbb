"""Scale-out on a real Redis (scrapy-redis): two workers with their own ARCHIVE_DIR share the
queue; every article is fetched once in all, the work is shared, a rerun fetches no article
again, and an article that failed for a passing reason is fetched again by a later run."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers import ROOT
from tests.hostile.server import HostileServer, attempts, serve, slow, status
from tests.ofweeklike import FakeArticle, build

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server is not installed (.ci/run installs it)")

ARTICLES = [FakeArticle(str(44000001 + i), f"分布式 {i}",          # an image each: no layout alarm
                        f"<p>正文 {i}</p><p><img src=\"https://img.ofweek.com/{i}.jpg\"></p>")
            for i in range(10)]
FLAKY = ARTICLES[7]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path: Path):
    import redis

    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def worker(srv: HostileServer, start: str, archive: Path, redis_url: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "ofweek", "-a", f"start_url={srv.url(start)}",
           "-s", f"ARCHIVE_DIR={archive}", "-s", "IMAGES_MODE=remote", "-s", "DOWNLOAD_DELAY=0",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=2", "-s", "LOG_LEVEL=INFO"]
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "REDIS_URL": redis_url},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, codes: tuple[int, ...] = (0,)) -> str:
    """A worker's log, once it exited with one of `codes` (1: the flaky article failed)."""
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in codes, err[-3000:]
    assert "Traceback" not in err and "WARNING: /" not in err, err[-3000:]
    return err


def posts(archive: Path) -> set[str]:
    folder = archive / "_posts"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_two_workers_share_the_queue(tmp_path: Path, redis_url: str) -> None:
    start = build(tmp_path / "site", ARTICLES, per_page=5)
    routes = {a.path: slow(0.8) for a in ARTICLES}       # slow enough to share
    routes[FLAKY.path] = attempts(status(503), status(503), status(503), serve)
    a, b = tmp_path / "a", tmp_path / "b"
    with HostileServer(tmp_path / "site", routes=routes) as srv:
        first = worker(srv, start, a, redis_url)
        deadline = time.monotonic() + 30
        while start not in srv.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        second = worker(srv, start, b, redis_url)
        finish(first, (0, 1))                    # the worker that got the flaky article: 1
        finish(second, (0, 1))
        assert sorted((first.returncode, second.returncode)) == [0, 1]
        paths = Counter(urlsplit(r).path for r in srv.requests)
        everything = {f"ofweek-{x.article_id}.md" for x in ARTICLES}

        # Each article once in all (the flaky one: its 3 attempts), the work shared.
        for art in ARTICLES:
            assert paths[art.path] == (3 if art is FLAKY else 1), art.path
        assert posts(a) | posts(b) == everything - {f"ofweek-{FLAKY.article_id}.md"}
        assert not posts(a) & posts(b)
        assert posts(a) and posts(b)

        # A rerun reads the list pages again, fetches only the article that failed.
        srv.requests.clear()
        finish(worker(srv, start, a, redis_url))
        again = Counter(urlsplit(r).path for r in srv.requests)
        assert again[start] == 1
        assert [p for p in again if p.startswith("/libattery/")] == [FLAKY.path]
        assert posts(a) | posts(b) == everything
