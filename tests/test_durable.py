"""Grouped folder fsyncs (crawler/durable.py): fewer syncs, none skipped."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import pytest

from crawler.durable import DirSync
from crawler.postformat import write_atomic


def test_concurrent_writes_share_folder_syncs_and_each_waits_for_one_begun_after_it(tmp_path: Path) -> None:
    clock = itertools.count()
    lock = threading.Lock()
    syncs: list[tuple[int, int]] = []  # (began, ended) on a shared counter

    def slow_fsync(folder: Path) -> None:
        with lock:
            began = next(clock)
        time.sleep(0.05)  # a disk sync: the other writers pile up meanwhile
        with lock:
            syncs.append((began, next(clock)))

    ds = DirSync(slow_fsync)
    calls: list[tuple[int, int]] = []  # (asked, returned)

    def writer(i: int) -> None:
        assert write_atomic(tmp_path / f"{i}.md", b"post %d" % i, ds.sync)
        with lock:
            asked = next(clock)  # after the rename
        ds.sync(tmp_path)
        with lock:
            calls.append((asked, next(clock)))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 12 and sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{i}.md" for i in range(12))
    assert ds.requests == 24 and ds.syncs == len(syncs) < 24  # grouped
    for asked, returned in calls:  # covered by a sync that began after it and ended before it returned
        assert any(asked < began and ended < returned for began, ended in syncs), (asked, returned, syncs)


def test_a_failed_folder_sync_raises_in_the_writer(tmp_path: Path) -> None:
    def broken(folder: Path) -> None:
        raise OSError(5, "Input/output error")

    with pytest.raises(OSError, match="Input/output"):
        write_atomic(tmp_path / "a.md", b"x", DirSync(broken).sync)
