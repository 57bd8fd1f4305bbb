"""The archive folder is the truth: which posts exist, and who may write them.

- `ArchiveIndex`: a SQLite index of the post file names under `_posts/`, kept in
  `ARCHIVE_DIR/.newsarchive/index.sqlite3` (Hexo ignores dot-folders). A name is recorded
  after its post is written, never before; a missing or damaged index is rebuilt from
  the posts on disk, so deleting it loses nothing. WAL with synchronous=NORMAL: recording a
  name costs no fsync. The names are also held in memory (`has` asks no query), and
  `record` may be called from the post writer's threads.
- `ArchiveLock`: an exclusive `flock` on `ARCHIVE_DIR/.newsarchive/lock`, shared by every
  crawl of one process (so `scrapy archive` can run several spiders under one lock).
- `clean_stale_temp_files`: temp files left by a killed run (only safe under the lock).
- `check_writable`: refuse an archive folder a run could not write, before anything is fetched.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import tempfile
import threading
from pathlib import Path
from typing import ClassVar

from crawler import postformat

STATE_DIR = ".newsarchive"


class ArchiveLocked(RuntimeError):
    """Another process holds the archive's lock."""


class ArchiveUnwritable(RuntimeError):
    """The archive folder (or its state folder) cannot be created or written."""


def check_writable(archive_dir: str | os.PathLike[str]) -> None:
    """Create ARCHIVE_DIR, its state folder and `_posts/`, and write a file in the state
    folder; raise ArchiveUnwritable naming the folder when that fails. (A `_posts/` that
    turns unwritable later, or a full disk, makes `write-failed` skips instead.)"""
    try:
        folder = state_dir(archive_dir)
        (Path(archive_dir) / "_posts").mkdir(exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".check-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        top, where = os.path.abspath(archive_dir), os.path.abspath(exc.filename or archive_dir)
        raise ArchiveUnwritable(
            f"cannot write to the archive folder {top}: {exc.strerror or exc}"
            + (f" ({where})" if where != top else "")
        ) from None


def state_dir(archive_dir: str | os.PathLike[str]) -> Path:
    path = Path(archive_dir) / STATE_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


class ArchiveIndex:
    # The indexes of one archive in one process (`scrapy archive`: a crawler per portal and
    # one for the feeds) share its names and its lock: what one records, the others see.
    _shared: ClassVar[dict[Path, tuple[threading.Lock, set[str]]]] = {}

    def __init__(self, archive_dir: str | os.PathLike[str]) -> None:
        self.posts = Path(archive_dir) / "_posts"
        self.path = state_dir(archive_dir) / "index.sqlite3"
        self.rebuilt = False
        # one statement at a time (record() runs in the writer's threads), and the names
        self._lock, self._names = self._shared.setdefault(self.path.resolve(), (threading.Lock(), set()))
        try:
            self.db = self._open()
        except sqlite3.DatabaseError:
            for stale in (self.path, *(self.path.with_name(self.path.name + x) for x in ("-wal", "-shm"))):
                stale.unlink(missing_ok=True)  # damaged beyond opening: start afresh
            self.db = self._open()
        with self._lock:
            names = [row[0] for row in self.db.execute("SELECT name FROM posts")]
            self._names.clear()
            self._names.update(names)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        ok = db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        if not ok:
            db.close()
            raise sqlite3.DatabaseError("index failed its integrity check")
        # WAL, synced at checkpoints only: a power cut may lose the last names recorded,
        # never a post (the index is a cache of _posts/, rebuilt when missing or damaged,
        # and `has` checks the post itself).
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # No table yet (new, empty file, or a run killed while building it): build it from disk.
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'posts'").fetchone() is None:
            self.rebuild(db)
        return db

    def rebuild(self, db: sqlite3.Connection | None = None) -> int:
        """Re-read the names of the posts on disk; returns how many there are."""
        db = db or self.db
        names = [(p.name,) for p in self.posts.glob("*.md")] if self.posts.is_dir() else []
        with self._lock, db:
            db.execute("BEGIN")  # the table and its rows appear together, or not at all
            db.execute("CREATE TABLE IF NOT EXISTS posts (name TEXT PRIMARY KEY)")
            db.execute("DELETE FROM posts")
            db.executemany("INSERT OR IGNORE INTO posts VALUES (?)", names)
            self._names.clear()
            self._names.update(name for (name,) in names)
        self.rebuilt = True
        return len(names)

    def has(self, site: str, article_id: str) -> bool:
        """True when the article's post is written (and still on disk)."""
        name = postformat.post_filename(site, article_id)
        return name in self._names and (self.posts / name).is_file()

    def record(self, site: str, article_id: str) -> None:
        """Call after the post is written (from any thread)."""
        name = postformat.post_filename(site, article_id)
        with self._lock:
            self.db.execute("INSERT OR IGNORE INTO posts VALUES (?)", (name,))
            self._names.add(name)

    def __len__(self) -> int:
        with self._lock:
            return self.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self.db.close()


class ArchiveLock:
    """`flock` on ARCHIVE_DIR/.newsarchive/lock; re-entrant within one process."""

    _held: ClassVar[dict[Path, tuple[int, int]]] = {}  # lock path -> (fd, holders)

    def __init__(self, archive_dir: str | os.PathLike[str]) -> None:
        self.path = (state_dir(archive_dir) / "lock").resolve()
        self.acquired = False

    def acquire(self) -> ArchiveLock:
        if self.path in self._held:
            fd, n = self._held[self.path]
            self._held[self.path] = (fd, n + 1)
        else:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise ArchiveLocked(f"another run holds {self.path}") from None
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            self._held[self.path] = (fd, 1)
        self.acquired = True
        return self

    def release(self) -> None:
        if not self.acquired:
            return
        self.acquired = False
        fd, n = self._held[self.path]
        if n > 1:
            self._held[self.path] = (fd, n - 1)
            return
        del self._held[self.path]
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def clean_stale_temp_files(archive_dir: str | os.PathLike[str]) -> int:
    """Remove temp files a killed run left in _posts/ and images/ (call under the lock)."""
    root = Path(archive_dir)
    pattern = f"{postformat.TEMP_PREFIX}*{postformat.TEMP_SUFFIX}"
    removed = 0
    for tmp in [*(root / "_posts").glob(pattern), *(root / "images").glob(f"**/{pattern}")]:
        tmp.unlink(missing_ok=True)
        removed += 1
    return removed
