"""Nothing archived is lost when a post cannot be written (issue 13, cases 1 and 2).

Real crawls (`scrapy archive`) of an OFweek-like portal into an archive whose storage
truly fails at the OS level, as root too (tests run as root, where chmod stops nothing):
- a full disk: `_posts/` is a tmpfs of two pages (8 KiB), so the third post's write gets
  ENOSPC from the kernel; "freeing space" is a remount with a larger size;
- a read-only `_posts/`: a read-only bind mount of the folder onto itself (EROFS), or, when
  not root, chmod 0555 (EACCES);
- an unwritable ARCHIVE_DIR (read-only the same way): refused before crawling, exit 2.
Mounting needs CAP_SYS_ADMIN: where neither mounting nor chmod can make a folder
unwritable, the case is skipped.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.archive import ArchiveIndex
from tests.helpers import ROOT
from tests.hostile.server import HostileServer
from tests.ofweeklike import FakeArticle, build

ARTICLES = [FakeArticle(str(44000001 + i), f"文章 {i}",
                        f"<p>正文 {i}</p><p><img src=\"https://img.ofweek.com/{i}.jpg\"></p>")
            for i in range(4)]


def mount(*args: str) -> None:
    res = subprocess.run(["mount", *args], capture_output=True, text=True)
    if res.returncode:
        pytest.skip(f"cannot mount here: {res.stderr.strip()}")


def umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], check=False)


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    try:
        yield path
    finally:
        umount(path)


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """`path` (a folder) made unwritable for this process, root included."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        path.chmod(0o555)
        try:
            yield path
        finally:
            path.chmod(0o755)
        return
    mount("--bind", str(path), str(path))
    try:
        mount("-o", "remount,bind,ro", str(path))
        yield path
    finally:
        umount(path)


def archive(srv: HostileServer, start: str, out: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scrapy", "archive", "ofweek", "-v",
           "-a", f"start_url={srv.url(start)}", "-a", "max_pages=5",
           "-s", f"ARCHIVE_DIR={out}", "-s", "IMAGES_MODE=remote", "-s", "DOWNLOAD_DELAY=0",
           "-s", "AUTOTHROTTLE_ENABLED=False"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def indexed(out: Path) -> set[str]:
    index = ArchiveIndex(out)
    try:
        return {row[0] for row in index.db.execute("SELECT name FROM posts")}
    finally:
        index.close()


def posts(out: Path) -> set[str]:
    return {p.name for p in (out / "_posts").iterdir()}


def every_post() -> set[str]:
    return {f"ofweek-{a.article_id}.md" for a in ARTICLES}


def test_a_full_disk_loses_no_article(tmp_path: Path) -> None:
    start = build(tmp_path / "site", ARTICLES, per_page=2)
    out = tmp_path / "archive"
    with HostileServer(tmp_path / "site") as srv, tmpfs(out / "_posts", "8k") as folder:
        first = archive(srv, start, out)
        assert first.returncode == 1, first.stderr[-3000:]
        written = posts(out)
        assert len(written) == 2 and written < every_post()   # the third write hit ENOSPC
        assert "ofweek: 2 new, 0 unchanged, 0 already archived, 2 skipped" in first.stdout
        assert "skipped 2 (write-failed)" in first.stderr
        assert "Traceback" not in first.stderr
        assert indexed(out) == written                     # recorded only once durable
        assert not (out / ".newsarchive" / "ofweek.finished").exists()

        mount("-o", "remount,size=1m", str(folder))         # space freed
        second = archive(srv, start, out)
        assert second.returncode == 0, second.stderr[-3000:]
        assert "ofweek: 2 new, 0 unchanged, 2 already archived, 0 skipped" in second.stdout
        assert posts(out) == indexed(out) == every_post()
        assert (out / ".newsarchive" / "ofweek.finished").exists()


def test_a_read_only_posts_folder_loses_no_article(tmp_path: Path) -> None:
    start = build(tmp_path / "site", ARTICLES, per_page=2)
    out = tmp_path / "archive"
    with HostileServer(tmp_path / "site") as srv:
        with read_only(out / "_posts"):
            first = archive(srv, start, out)
        assert first.returncode == 1, first.stderr[-3000:]
        assert "ofweek: 0 new, 0 unchanged, 0 already archived, 4 skipped" in first.stdout
        assert "skipped 4 (write-failed)" in first.stderr
        assert "Traceback" not in first.stderr
        assert posts(out) == set() and indexed(out) == set()
        assert not (out / ".newsarchive" / "ofweek.finished").exists()

        second = archive(srv, start, out)                   # writable again: all archived
        assert second.returncode == 0, second.stderr[-3000:]
        assert posts(out) == indexed(out) == every_post()
        assert (out / ".newsarchive" / "ofweek.finished").exists()


def test_an_unwritable_archive_folder_is_named_before_crawling(tmp_path: Path) -> None:
    start = build(tmp_path / "site", ARTICLES, per_page=2)
    out = tmp_path / "archive"
    with HostileServer(tmp_path / "site") as srv, read_only(out):
        res = archive(srv, start, out)
        assert not srv.requests                             # nothing fetched
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and str(out) in lines[0], res.stderr
    assert lines[0].startswith(f"archive: cannot write to the archive folder {out}")


def test_a_post_that_cannot_be_rendered_is_a_counted_unwritable_skip(tmp_path: Path) -> None:
    """The last guard (the format's own checks): nothing written, nothing recorded."""
    import asyncio
    from datetime import datetime

    from scrapy.exceptions import DropItem
    from scrapy.utils.test import get_crawler

    from crawler.items import Article
    from pipelines.post import PostPipeline

    crawler = get_crawler(settings_dict={"ARCHIVE_DIR": str(tmp_path)})
    crawler.stats.open_spider()
    pipe = PostPipeline.from_crawler(crawler)
    naive = Article(title="t", url="https://x.test/1", site="ofweek", article_id="1",
                    body="<p>b</p>", published=datetime(2022, 1, 1))     # zone unknown
    with pytest.raises(DropItem, match="cannot write"):
        asyncio.run(pipe.process_item(naive))       # raises before any write is awaited
    assert crawler.stats.get_value("newsarchive/skipped/unwritable") == 1
    assert not (tmp_path / "_posts").exists() or not list((tmp_path / "_posts").iterdir())
