"""Scale-out on a real Redis (scrapy-redis): two workers with their own ARCHIVE_DIR share the
queue; every article is fetched once in all, the work is shared, a rerun fetches no article
again, and an article that failed for a passing reason is fetched again by a later run."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers import ROOT
from tests.hostile.server import HostileServer, serve, slow, status
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
    healed = threading.Event()      # the flaky article fails (503) until the rerun
    routes[FLAKY.path] = lambda h, n: (serve if healed.is_set() else status(503))(h, n)
    a, b = tmp_path / "a", tmp_path / "b"
    with HostileServer(tmp_path / "site", routes=routes) as srv:
        first = worker(srv, start, a, redis_url)
        deadline = time.monotonic() + 30
        while start not in srv.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        second = worker(srv, start, b, redis_url)
        finish(first, (0, 1))
        finish(second, (0, 1))
        paths = Counter(urlsplit(r).path for r in srv.requests)
        everything = {f"ofweek-{x.article_id}.md" for x in ARTICLES}

        # Each article once in all, the work shared. The flaky one: its 3 attempts, and 3
        # more by the other worker when its list page came after the first gave it up (a
        # failed article is forgotten from the shared set: any worker may try it again).
        for art in ARTICLES:
            if art is not FLAKY:
                assert paths[art.path] == 1, art.path
        assert paths[FLAKY.path] in (3, 6)
        # a worker that made a last, failing attempt exits 1 (retries go through the shared
        # queue too: either worker may make it)
        assert 1 in (first.returncode, second.returncode)
        assert posts(a) | posts(b) == everything - {f"ofweek-{FLAKY.article_id}.md"}
        assert not posts(a) & posts(b)
        assert posts(a) and posts(b)

        # A rerun reads the list pages again, fetches only the article that failed.
        srv.requests.clear()
        healed.set()
        finish(worker(srv, start, a, redis_url))
        again = Counter(urlsplit(r).path for r in srv.requests)
        assert again[start] == 1
        assert [p for p in again if p.startswith("/libattery/")] == [FLAKY.path]
        assert posts(a) | posts(b) == everything


FEEDS = 16


def feeds_worker(conf: Path, archive: Path, redis_url: str) -> subprocess.Popen:
    names = [f"f{n}" for n in range(FEEDS)]
    cmd = [sys.executable, "-m", "scrapy", "archive", "-v", *names, "-s", f"ARCHIVE_FEEDS={conf}",
           "-s", f"ARCHIVE_DIR={archive}", "-s", "IMAGES_MODE=remote", "-s", "DOWNLOAD_DELAY=0",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "PROGRESS_INTERVAL=0"]
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "REDIS_URL": redis_url},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def lines(proc: subprocess.Popen) -> list[str]:
    out, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (0, ""), err[-3000:]
    return out.splitlines()


def test_two_archive_workers_split_the_feeds(tmp_path: Path, redis_url: str) -> None:
    import redis

    from tests.test_feed_crawl import feed_id, rss

    site = tmp_path / "site"
    site.mkdir()
    links = {n: [f"https://f{n}.example/{i}" for i in range(3)] for n in range(FEEDS)}
    for n, feed_links in links.items():
        (site / f"f{n}.xml").write_bytes(rss(f"F{n}", [
            {"title": f"条目 {link}", "link": link, "body": f"<p>{link}</p>",
             "date": "Sun, 31 Oct 2021 01:09:09 GMT"} for link in feed_links]))
    everything = {f"f{n}-{feed_id(link)}.md" for n, feed_links in links.items() for link in feed_links}
    a, b = tmp_path / "a", tmp_path / "b"
    routes = {f"/f{n}.xml": slow(0.6) for n in range(FEEDS)}      # slow enough to share
    with HostileServer(site, routes=routes) as srv:
        conf = tmp_path / "feeds.json"
        conf.write_text(json.dumps([{"url": srv.url(f"/f{n}.xml"), "site": f"f{n}"} for n in range(FEEDS)]),
                        encoding="utf-8")
        first = feeds_worker(conf, a, redis_url)
        deadline = time.monotonic() + 30
        while not any(r.endswith(".xml") for r in srv.requests) and time.monotonic() < deadline:
            time.sleep(0.05)
        second = feeds_worker(conf, b, redis_url)
        first_lines, second_lines = lines(first), lines(second)

        # Each feed read once in all, by one worker or the other; the other says so.
        for n in range(FEEDS):
            assert srv.hits(f"/f{n}.xml") == 1, n
            mine = {f"f{n}: 3 new, 0 unchanged, 0 already archived, 0 skipped, 2 requests",
                    f"f{n}: read by another worker"}
            assert {first_lines[n], second_lines[n]} == mine, (first_lines, second_lines)
        assert len(first_lines) == len(second_lines) == FEEDS
        assert posts(a) | posts(b) == everything
        assert not posts(a) & posts(b)
        assert posts(a) and posts(b)

        # The next run (the run's claims lapsed: REDIS_CLAIM_SECONDS) reads every feed again,
        # archives none of what the other worker archived.
        client = redis.Redis.from_url(redis_url)
        client.delete(*client.keys("feeds:dupefilter:run:*"))
        again = lines(feeds_worker(conf, b, redis_url))
        assert again == [f"f{n}: 0 new, 0 unchanged, 3 already archived, 0 skipped, 2 requests"
                         for n in range(FEEDS)]
        assert all(srv.hits(f"/f{n}.xml") == 2 for n in range(FEEDS))
        assert posts(a) | posts(b) == everything and not posts(a) & posts(b)
