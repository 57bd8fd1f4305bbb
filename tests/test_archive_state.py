"""The archive's own state, in process: the index of written posts, the lock, stale temp files,
the writability check and the post pipeline's order (written, then recorded). Fast unit tests
beside the crawls in test_incremental.py and test_write_failure.py (they are what mutation
testing runs against crawler/archive.py and pipelines/post.py)."""
from __future__ import annotations

import asyncio

import fcntl
import os
import stat
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.settings import Settings

from crawler import postformat as pf
from crawler.archive import (
    ArchiveIndex,
    ArchiveLock,
    ArchiveLocked,
    ArchiveUnwritable,
    check_writable,
    clean_stale_temp_files,
)
from crawler.items import Article
from pipelines.post import PostPipeline


def post(archive: Path, name: str, text: str = "x") -> Path:
    path = archive / "_posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- the index -------------------------------------------------------------------

def test_a_new_index_is_built_from_the_posts_on_disk(tmp_path: Path) -> None:
    post(tmp_path, "ofweek-1.md")
    post(tmp_path, "ithome-2.md")
    post(tmp_path, "ofweek-3.md.tmp")                      # not a post
    index = ArchiveIndex(tmp_path)
    assert index.rebuilt is True
    assert len(index) == 2
    assert index.has("ofweek", "1") and index.has("ithome", "2")
    assert not index.has("ofweek", "3")
    assert (tmp_path / ".newsarchive" / "index.sqlite3").is_file()
    index.close()


def test_an_index_without_posts_folder_is_empty(tmp_path: Path) -> None:
    index = ArchiveIndex(tmp_path)
    assert len(index) == 0 and index.rebuild() == 0
    index.close()


def test_recorded_names_persist_and_are_not_rebuilt(tmp_path: Path) -> None:
    index = ArchiveIndex(tmp_path)
    post(tmp_path, "ofweek-1.md")
    assert not index.has("ofweek", "1")                    # on disk, not recorded: not archived yet
    index.record("ofweek", "1")
    index.record("ofweek", "1")
    assert index.has("ofweek", "1") and len(index) == 1
    index.close()
    again = ArchiveIndex(tmp_path)
    assert again.rebuilt is False
    assert again.has("ofweek", "1") and len(again) == 1
    again.close()


def test_a_recorded_post_deleted_by_the_user_is_not_archived(tmp_path: Path) -> None:
    index = ArchiveIndex(tmp_path)
    post(tmp_path, "ofweek-1.md").unlink()
    index.record("ofweek", "1")
    assert not index.has("ofweek", "1")
    (tmp_path / "_posts" / "ofweek-1.md").mkdir()          # not a file either
    assert not index.has("ofweek", "1")
    index.close()


def test_a_recorded_hashed_id_is_found_by_its_id(tmp_path: Path) -> None:
    index = ArchiveIndex(tmp_path)
    post(tmp_path, pf.post_filename("feed", "https://x.example/a?b"))
    index.record("feed", "https://x.example/a?b")
    assert index.has("feed", "https://x.example/a?b")
    index.close()


@pytest.mark.parametrize("damage", [b"not a database at all" * 100, b""])
def test_a_damaged_index_is_rebuilt_from_disk(tmp_path: Path, damage: bytes) -> None:
    post(tmp_path, "ofweek-1.md")
    ArchiveIndex(tmp_path).close()
    (tmp_path / ".newsarchive" / "index.sqlite3").write_bytes(damage)
    index = ArchiveIndex(tmp_path)
    assert index.rebuilt is True
    assert index.has("ofweek", "1") and len(index) == 1
    index.close()


def test_names_recorded_from_another_thread_are_archived(tmp_path: Path) -> None:
    # the post pipeline records in its writer's threads (pipelines/post.py)
    index = ArchiveIndex(tmp_path)
    post(tmp_path, "ofweek-1.md")
    errors: list[BaseException] = []

    def record() -> None:
        try:
            index.record("ofweek", "1")
        except BaseException as exc:  # reported below
            errors.append(exc)

    worker = threading.Thread(target=record)
    worker.start()
    worker.join()
    assert errors == []
    assert index.has("ofweek", "1") and len(index) == 1
    index.close()
    assert ArchiveIndex(tmp_path).has("ofweek", "1")             # and it was written to the index


def test_rebuild_forgets_posts_no_longer_on_disk(tmp_path: Path) -> None:
    index = ArchiveIndex(tmp_path)
    post(tmp_path, "ofweek-1.md")
    index.record("ofweek", "1")
    index.record("ofweek", "2")                            # recorded, file gone
    assert len(index) == 2
    assert index.rebuild() == 1
    assert len(index) == 1
    assert index.has("ofweek", "1") and not index.has("ofweek", "2")
    post(tmp_path, "ofweek-2.md")
    assert not index.has("ofweek", "2")                    # on disk, not recorded since
    index.close()


# --- the lock --------------------------------------------------------------------

def locked_elsewhere(archive: Path) -> bool:
    """Whether another open file description can take the lock (flock is per description)."""
    fd = os.open(archive / ".newsarchive" / "lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_the_lock_is_shared_within_a_process_and_exclusive_across(tmp_path: Path) -> None:
    first = ArchiveLock(tmp_path).acquire()
    assert first.acquired
    lock = tmp_path / ".newsarchive" / "lock"
    assert lock.read_text() == f"{os.getpid()}\n"
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(lock.stat().st_mode) == 0o644 & ~umask
    assert locked_elsewhere(tmp_path)
    with ArchiveLock(tmp_path) as second:                  # re-entrant: more crawls of the run
        assert second.acquired
        with ArchiveLock(tmp_path) as third:
            assert third.acquired
        assert locked_elsewhere(tmp_path)
    assert not second.acquired
    assert locked_elsewhere(tmp_path)                      # the first holder still holds it
    first.release()
    first.release()                                        # twice: harmless
    assert not locked_elsewhere(tmp_path)
    with ArchiveLock(tmp_path):                            # and it can be taken again
        assert locked_elsewhere(tmp_path)


def test_a_lock_held_by_another_run_is_a_named_error(tmp_path: Path) -> None:
    ArchiveLock(tmp_path)  # creates the state folder
    lock = tmp_path / ".newsarchive" / "lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        mine = ArchiveLock(tmp_path)
        with pytest.raises(ArchiveLocked) as exc:
            mine.acquire()
        assert str(exc.value) == f"another run holds {lock.resolve()}"
        assert not mine.acquired
        mine.release()                                     # not held: nothing to release
    finally:
        os.close(fd)
    with ArchiveLock(tmp_path) as taken:
        assert taken.acquired


# --- temp files and the writability check -----------------------------------------

def test_stale_temp_files_are_removed_and_nothing_else(tmp_path: Path) -> None:
    keep = [post(tmp_path, "ofweek-1.md"), post(tmp_path, "newsarchive-x.tmp"),
            post(tmp_path, ".newsarchive-x.md")]
    stale = [post(tmp_path, ".newsarchive-abc.tmp")]
    images = tmp_path / "images" / "ab"
    images.mkdir(parents=True)
    (images / "abcd.png").write_bytes(b"png")
    keep.append(images / "abcd.png")
    (images / ".newsarchive-def.tmp").write_bytes(b"half")
    stale.append(images / ".newsarchive-def.tmp")
    assert clean_stale_temp_files(tmp_path) == 2
    assert all(p.exists() for p in keep)
    assert not any(p.exists() for p in stale)
    assert clean_stale_temp_files(tmp_path) == 0


def test_check_writable_makes_the_folders_and_writes_in_the_state_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "new" / "archive"
    archive.parent.mkdir()
    probes: list[Path] = []
    real_mkstemp = tempfile.mkstemp

    def spy(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, name = real_mkstemp(*args, **kwargs)
        probes.append(Path(name))
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    check_writable(archive)
    assert (archive / "_posts").is_dir() and (archive / ".newsarchive").is_dir()
    [probe] = probes
    assert probe.parent == archive / ".newsarchive"        # the folder a run writes its state in
    assert os.listdir(archive / ".newsarchive") == []      # and the probe file is gone
    check_writable(archive)                                # an existing archive is fine too


def test_check_writable_names_the_folder_it_cannot_make(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    archive = tmp_path / "file" / "archive"
    with pytest.raises(ArchiveUnwritable) as exc:
        check_writable(archive)
    assert str(exc.value) == (f"cannot write to the archive folder {archive}: Not a directory"
                              f" ({archive / '.newsarchive'})")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "_posts").write_text("x")            # the archive itself, and a file as _posts
    with pytest.raises(ArchiveUnwritable) as exc:
        check_writable(tmp_path / "a")
    assert str(exc.value) == f"cannot write to the archive folder {tmp_path / 'a'}: File exists ({tmp_path / 'a' / '_posts'})"
    (tmp_path / "dangling").symlink_to(tmp_path / "missing" / "archive")   # the folder itself
    with pytest.raises(ArchiveUnwritable) as exc:
        check_writable(tmp_path / "dangling")
    assert str(exc.value) == f"cannot write to the archive folder {tmp_path / 'dangling'}: File exists"


# --- the post pipeline -------------------------------------------------------------

class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] = self.values.get(key, start) + count


def pipeline(archive: Path, **spider: Any) -> PostPipeline:
    crawler: Any = SimpleNamespace(stats=Stats(), settings=Settings({"ARCHIVE_DIR": str(archive)}),
                                   spider=SimpleNamespace(**spider))
    return PostPipeline.from_crawler(crawler)


def process(pipe: PostPipeline, item: Article) -> Article:
    """The pipeline's own steps, its writes made in this thread (no reactor here; the
    thread pool and its grouped syncs are tests/test_durable.py's)."""
    async def direct(func: Any, *args: Any) -> Any:
        return func(*args)

    pipe.writer.run = direct  # type: ignore[method-assign]
    return asyncio.run(pipe.process_item(item))


def article(**kw: Any) -> Article:
    return Article(**{"title": "t", "author": "a", "published": "d", "site": "ofweek",
                      "article_id": "1", "url": "https://x.example/1", **kw})


def test_a_post_is_written_then_recorded(tmp_path: Path) -> None:
    index = ArchiveIndex(tmp_path)
    pipe = pipeline(tmp_path, index=index)
    item = article(body="<p>b</p>")
    assert process(pipe, item) is item
    assert (tmp_path / "_posts" / "ofweek-1.md").read_bytes() == pf.render(item).encode("utf-8")
    assert index.has("ofweek", "1")
    assert pipe.stats.values == {"newsarchive/posts/written": 1}
    assert pipe.writer.dir_sync.requests == 1              # its folder synced by the grouped syncs
    process(pipe, item)
    assert pipe.stats.values == {"newsarchive/posts/written": 1, "newsarchive/posts/unchanged": 1}
    index.close()


def test_without_an_index_the_post_is_still_written(tmp_path: Path) -> None:
    pipe = pipeline(tmp_path)
    process(pipe, article())
    assert (tmp_path / "_posts" / "ofweek-1.md").is_file()


def test_archive_dir_defaults_to_archive_in_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    crawler: Any = SimpleNamespace(stats=Stats(), settings=Settings(), spider=None)
    process(PostPipeline.from_crawler(crawler), article())
    assert (tmp_path / "archive" / "_posts" / "ofweek-1.md").is_file()


def test_a_failed_write_is_a_counted_skip_and_not_recorded(tmp_path: Path) -> None:
    index = ArchiveIndex(tmp_path)
    (tmp_path / "_posts").write_text("a file where the folder should be")
    skipped: list[tuple[str, str, str]] = []
    pipe = pipeline(tmp_path, index=index, skip=lambda *a: skipped.append(a))
    with pytest.raises(DropItem) as exc:
        process(pipe, article())
    path = tmp_path / "_posts" / "ofweek-1.md"
    detail = f"{path}: File exists"
    assert skipped == [("write-failed", "https://x.example/1", detail)]
    assert str(exc.value) == f"cannot write https://x.example/1: {detail}"
    assert not index.has("ofweek", "1") and len(index) == 0
    assert pipe.stats.values == {}                         # counted by skip()
    index.close()
    bare = pipeline(tmp_path)                              # a spider without skip(): counted here
    with pytest.raises(DropItem):
        process(bare, article())
    assert bare.stats.values == {"newsarchive/skipped/write-failed": 1}


def test_a_post_that_cannot_be_named_is_an_unwritable_skip(tmp_path: Path) -> None:
    pipe = pipeline(tmp_path, skip=lambda *a: pytest.fail("not a write failure"))
    with pytest.raises(DropItem) as exc:
        process(pipe, article(site="../x"))
    assert str(exc.value) == "cannot write https://x.example/1: bad site name '../x'"
    assert pipe.stats.values == {"newsarchive/skipped/unwritable": 1}
    assert not (tmp_path / "_posts").exists()


def test_a_post_linked_out_of_the_posts_folder_is_an_unwritable_skip(tmp_path: Path) -> None:
    index = ArchiveIndex(tmp_path)
    (tmp_path / "_posts").mkdir()
    outside = tmp_path / "elsewhere.md"
    outside.write_text("not a post")
    (tmp_path / "_posts" / "ofweek-1.md").symlink_to(outside)
    pipe = pipeline(tmp_path, index=index, skip=lambda *a: pytest.fail("not a write failure"))
    with pytest.raises(DropItem) as exc:
        process(pipe, article())
    link = tmp_path / "_posts" / "ofweek-1.md"
    assert str(exc.value) == f"cannot write https://x.example/1: post path {link} leaves {link.parent}"
    assert pipe.stats.values == {"newsarchive/skipped/unwritable": 1}
    assert outside.read_text() == "not a post" and link.is_symlink()
    assert not index.has("ofweek", "1")
    index.close()


def test_post_write_threads_sets_the_writers_pool(tmp_path: Path) -> None:
    crawler: Any = SimpleNamespace(stats=Stats(), spider=None,
                                   settings=Settings({"ARCHIVE_DIR": str(tmp_path), "POST_WRITE_THREADS": 7}))
    assert PostPipeline.from_crawler(crawler).writer.threads == 7
    assert pipeline(tmp_path).writer.threads == 4                # the default


def test_the_indexes_of_one_archive_in_one_process_see_each_others_records(tmp_path: Path) -> None:
    # `scrapy archive` runs a crawler per portal and one for the feeds, each with its index:
    # a portal's post written through a feed's full-text link is archived for the portal too
    portal, feeds = ArchiveIndex(tmp_path), ArchiveIndex(tmp_path)
    post(tmp_path, "ofweek-1.md")
    feeds.record("ofweek", "1")
    assert portal.has("ofweek", "1") and len(portal) == 1
    elsewhere = ArchiveIndex(tmp_path / "other")               # another archive: its own names
    post(tmp_path / "other", "ofweek-1.md")
    post(tmp_path / "other", "ofweek-2.md")
    elsewhere.record("ofweek", "2")
    post(tmp_path, "ofweek-2.md")                               # here too, recorded only there
    assert portal.has("ofweek", "1") and not portal.has("ofweek", "2")
    assert not elsewhere.has("ofweek", "1") and elsewhere.has("ofweek", "2")
    for index in (portal, feeds, elsewhere):
        index.close()
