"""Only new articles; cron safety: reruns, kills, overlap, layout alarm, index loss."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler import fixturecrawl
from crawler.fixtureserver import FixtureServer
from tests.helpers import ROOT
from tests.portalcrawl import crawl
from tests.test_ofweek_crawl import PORTAL

pytestmark = pytest.mark.skipif(PORTAL is None, reason="no seeds/ofweek fixture portal")


def snapshot(archive: Path) -> dict[str, str]:
    """Every file under _posts/ with a hash of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((archive / "_posts").iterdir())}


def page_requests(srv: FixtureServer) -> list[str]:
    return [r for r in srv.requests if r != "/robots.txt"]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("clean")
    res, _ = crawl(PORTAL, out, args=("-a", "max_pages=100"))
    assert res.returncode == 0, res.stderr[-2000:]
    return snapshot(out)


def copy_portal(tmp_path: Path) -> fixturecrawl.Portal:
    shutil.copytree(PORTAL.root, tmp_path / "ofweek")
    return fixturecrawl.Portal("ofweek", tmp_path / "ofweek")


def test_rerun_makes_one_request_and_writes_nothing(tmp_path: Path, clean: dict[str, str]) -> None:
    out = tmp_path / "a"
    with FixtureServer(PORTAL.site_dir) as srv:
        crawl(PORTAL, out, args=("-a", "max_pages=100"), server=srv)
        assert snapshot(out) == clean
        srv.requests.clear()
        mtimes = {p: p.stat().st_mtime_ns for p in (out / "_posts").iterdir()}
        res, stats = crawl(PORTAL, out, args=("-a", "max_pages=100"), server=srv)
        assert res.returncode == 0
        assert page_requests(srv) == [urlsplit(PORTAL.start_path).path]
    assert stats["downloader/request_count"] - stats.get("robotstxt/request_count", 0) == 1
    assert "newsarchive/posts/written" not in stats
    assert {p: p.stat().st_mtime_ns for p in (out / "_posts").iterdir()} == mtimes


def test_posts_deleted_by_the_user_are_fetched_again(tmp_path: Path, clean: dict[str, str]) -> None:
    """The index says archived, the file is gone: the archive folder is the truth."""
    out = tmp_path / "a"
    with FixtureServer(PORTAL.site_dir) as srv:
        crawl(PORTAL, out, args=("-a", "max_pages=100"), server=srv)
        for p in (out / "_posts").glob("*.md"):
            p.unlink()
        assert (out / ".newsarchive" / "index.sqlite3").is_file()   # the index kept, not rebuilt
        srv.requests.clear()
        res, stats = crawl(PORTAL, out, args=("-a", "max_pages=100"), server=srv)
        assert res.returncode == 0, res.stderr[-2000:]
    assert snapshot(out) == clean
    assert stats["newsarchive/posts/written"] == len(clean)


def add_article(portal: fixturecrawl.Portal) -> tuple[str, str]:
    """Publish a new article at the top of the first list page; returns (path, id)."""
    seed = next(c for c in portal.cases if c["name"] == "seed")
    old_path = urlsplit(seed["article_url"]).path
    old_id = seed["article_id"]
    new_id = str(int(old_id) + 1000)
    new_path = old_path.replace(old_id, new_id)
    site = portal.site_dir
    (site / new_path.lstrip("/")).write_bytes((site / old_path.lstrip("/")).read_bytes())
    listing = site / urlsplit(portal.start_path).path.lstrip("/")
    html = listing.read_bytes()
    entry = ('<div class="con-details clearfix"><div class="con-right"><h3>'
             f'<a href="https://www.ofweek.com{new_path}" target="_blank">新文章</a></h3></div></div>\n')
    first = html.index(b'<div class="con-details')
    listing.write_bytes(html[:first] + entry.encode("gb18030") + html[first:])
    return new_path, new_id


def test_a_new_article_is_the_only_one_fetched(tmp_path: Path) -> None:
    portal = copy_portal(tmp_path)
    out = tmp_path / "a"
    with FixtureServer(portal.site_dir) as srv:
        crawl(portal, out, args=("-a", "max_pages=100"), server=srv)
        before = snapshot(out)
        new_path, new_id = add_article(portal)
        srv.requests.clear()
        res, stats = crawl(portal, out, args=("-a", "max_pages=100"), server=srv)
        assert res.returncode == 0
        fetched = page_requests(srv)
    # the new article is the only article fetched; list pages stop at the first one with
    # nothing new (page 2 here)
    assert [r for r in fetched if "CATList" not in r] == [new_path]
    assert len([r for r in fetched if "CATList" in r]) == 2
    after = snapshot(out)
    assert set(after) - set(before) == {f"ofweek-{new_id}.md"}
    assert {k: v for k, v in after.items() if k in before} == before
    assert stats["newsarchive/posts/written"] == 1


def test_refresh_refetches_and_rewrites_only_changed_posts(tmp_path: Path, clean: dict[str, str]) -> None:
    out = tmp_path / "a"
    crawl(PORTAL, out, args=("-a", "max_pages=100"))
    res, stats = crawl(PORTAL, out, args=("-a", "max_pages=100", "-a", "refresh=1"))
    assert res.returncode == 0
    assert stats["newsarchive/posts/unchanged"] == len(clean)
    assert "newsarchive/posts/written" not in stats
    assert snapshot(out) == clean


@pytest.mark.parametrize("damage", ["delete", "garbage"])
def test_index_lost_or_damaged_is_rebuilt_without_refetching(tmp_path: Path, damage: str) -> None:
    out = tmp_path / "a"
    with FixtureServer(PORTAL.site_dir) as srv:
        crawl(PORTAL, out, args=("-a", "max_pages=100"), server=srv)
        index = out / ".newsarchive" / "index.sqlite3"
        assert index.is_file()
        if damage == "delete":
            index.unlink()
        else:
            index.write_bytes(b"this is not a database" * 100)
        srv.requests.clear()
        res, _ = crawl(PORTAL, out, args=("-a", "max_pages=100"), server=srv)
        assert res.returncode == 0, res.stderr[-2000:]
        assert page_requests(srv) == [urlsplit(PORTAL.start_path).path]


def test_kill_9_at_several_moments_then_rerun_gives_the_clean_archive(
        tmp_path: Path, clean: dict[str, str]) -> None:
    counts: list[int] = []
    with FixtureServer(PORTAL.site_dir) as srv:
        # fixed moments, and "just after the first post appeared" (mid-run however slow the machine)
        for i, delay in enumerate([0.8, 1.6, 2.4, 3.2, None]):
            out = tmp_path / f"k{i}"
            cmd = [sys.executable, "-m", "scrapy", "crawl", "ofweek",
                   "-a", f"start_url={srv.url(PORTAL.start_path)}", "-a", "max_pages=100",
                   "-s", f"ARCHIVE_DIR={out}", "-s", "IMAGES_MODE=remote", "-s", "LOG_LEVEL=ERROR",
                   "-s", "DOWNLOAD_DELAY=0.25", "-s", "AUTOTHROTTLE_ENABLED=False"]
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if delay is None:
                deadline = time.monotonic() + 60
                while not list((out / "_posts").glob("*.md")) and time.monotonic() < deadline:
                    time.sleep(0.02)
            else:
                time.sleep(delay)
            assert proc.poll() is None, f"the crawl ended before the kill at {delay}s"
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            posts = out / "_posts"
            visible = snapshot(out) if posts.is_dir() else {}
            for name, digest in visible.items():        # whatever is visible is whole
                assert digest == clean[name], f"{name} half-written by the kill at {delay}s"
            counts.append(len(visible))
            (posts).mkdir(parents=True, exist_ok=True)
            (posts / ".newsarchive-stale.tmp").write_bytes(b"half a po")   # as a kill mid-write leaves
            res, _ = crawl(PORTAL, out, args=("-a", "max_pages=100"), server=srv)
            assert res.returncode == 0
            assert snapshot(out) == clean, f"after a kill at {delay}s"
            assert not list(posts.glob(".newsarchive-*"))
    print("posts visible after each kill:", counts)
    # the last kill lands mid-run: some but not all posts written
    assert 0 < counts[-1] < len(clean), counts


def archive_cmd(portal: fixturecrawl.Portal, out: Path, srv: FixtureServer, *extra: str,
                ) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "scrapy", "archive", "ofweek", "-a",
           f"start_url={srv.url(portal.start_path)}", "-a", "max_pages=100",
           "-s", f"ARCHIVE_DIR={out}", "-s", "IMAGES_MODE=remote", "-s", "AUTOTHROTTLE_ENABLED=False",
           *extra]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_archive_is_quiet_on_success_and_summarizes_with_v(tmp_path: Path, clean: dict[str, str]) -> None:
    out = tmp_path / "a"
    with FixtureServer(PORTAL.site_dir) as srv:
        proc = archive_cmd(PORTAL, out, srv, "-s", "DOWNLOAD_DELAY=0")
        stdout, stderr = proc.communicate(timeout=300)
        assert (proc.returncode, stdout, stderr) == (0, "", "")
        assert snapshot(out) == clean
        proc = archive_cmd(PORTAL, out, srv, "-v", "-s", "DOWNLOAD_DELAY=0")
        stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0 and stderr == ""
    # list page 1 links 3 articles (one of them twice): robots.txt + that page, nothing else
    assert stdout == "ofweek: 0 new, 0 unchanged, 3 already archived, 0 skipped, 2 requests\n"


def test_overlapping_archive_runs_exit_3(tmp_path: Path) -> None:
    out = tmp_path / "a"
    with FixtureServer(PORTAL.site_dir) as srv:
        first = archive_cmd(PORTAL, out, srv, "-s", "DOWNLOAD_DELAY=1")
        deadline = time.time() + 60
        while not (out / ".newsarchive" / "lock").exists() or not srv.requests:
            assert time.time() < deadline and first.poll() is None
            time.sleep(0.05)
        second = archive_cmd(PORTAL, out, srv, "-s", "DOWNLOAD_DELAY=0")
        _, err2 = second.communicate(timeout=120)
        assert first.poll() is None, "the first run is still going"
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=120)
    assert second.returncode == 3
    assert "another run holds" in err2


def test_changed_layout_exits_4_and_names_the_selector(tmp_path: Path) -> None:
    portal = copy_portal(tmp_path)
    for page in portal.site_dir.glob("CATList-*.html"):        # a redesign: new class names
        page.write_bytes(re.sub(rb'class="con-details[^"]*"', b'class="news-item"', page.read_bytes()))
    with FixtureServer(portal.site_dir) as srv:
        proc = archive_cmd(portal, tmp_path / "a", srv, "-s", "DOWNLOAD_DELAY=0")
        _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 4
    assert "layout alarm" in stderr and "div.list-left div.con-details h3 > a" in stderr


def test_missing_field_coverage_exits_4(tmp_path: Path) -> None:
    portal = copy_portal(tmp_path)
    for page in portal.site_dir.rglob("ART-*.html"):           # dates moved elsewhere
        page.write_bytes(re.sub(rb'<div class="time fl">.*?</div>', b"", page.read_bytes(), flags=re.S))
    with FixtureServer(portal.site_dir) as srv:
        proc = archive_cmd(portal, tmp_path / "a", srv, "-s", "DOWNLOAD_DELAY=0")
        _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 4
    assert "date found in" in stderr


def test_archive_usage_errors_exit_2(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "scrapy", "archive", "nosuchsite",
                          "-s", f"ARCHIVE_DIR={tmp_path}"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 2 and "unknown site" in res.stderr
    res = subprocess.run([sys.executable, "-m", "scrapy", "archive", "ofweek", "-a", "start_url=ftp://x",
                          "-s", f"ARCHIVE_DIR={tmp_path}"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 2 and "start_url" in res.stderr


def test_scrapy_crawl_keeps_the_usual_stats_dump(tmp_path: Path) -> None:
    res, stats = crawl(PORTAL, tmp_path / "a")
    assert "Dumping Scrapy stats" in res.stderr and stats["downloader/request_count"] > 1
    assert os.path.isdir(tmp_path / "a" / "_posts")
