"""Durable writes off the event loop, with grouped folder syncs.

A post is durable once its temp file is fsynced, renamed into place and its folder fsynced
(`postformat.write_atomic`). The file fsync is per post; the folder fsync is shared: `DirSync`
is a group commit, so the threads of a `Writer` whose renames landed while another thread was
syncing the folder wait for one more sync that covers them all, instead of one sync each. A
write returns only after a folder sync that started after its rename has completed, so "an
article counts as archived only once its post is durable" holds for every post.

`Writer` runs the writes in a small thread pool and hands the result back to the reactor as
an awaitable, so the crawl keeps moving while the disk syncs.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

WRITE_THREADS = 4  # syncs wait on the disk, not the CPU: a few threads group them well


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DirSync:
    """Group commit of folder fsyncs: `sync(folder)` returns once a sync of `folder` that began
    after the call has completed (and raises OSError when that sync failed)."""

    def __init__(self, fsync: Callable[[Path], None] = fsync_dir) -> None:
        self._fsync = fsync
        self._cond = threading.Condition()
        self._state: dict[Path, list[int]] = {}  # folder -> [requested, started, done, running]
        self.syncs = 0  # folder fsyncs made (for tests and benchmarks)
        self.requests = 0

    def sync(self, folder: Path) -> None:
        with self._cond:
            st = self._state.setdefault(folder, [0, 0, 0, 0])
            st[0] += 1
            ticket = st[0]
            self.requests += 1
            while st[2] < ticket:
                if st[3]:  # a sync is running: it may have begun before our rename
                    self._cond.wait()
                    continue
                st[3], target = 1, st[0]  # this sync covers every request made so far
                self._cond.release()
                try:
                    self._fsync(folder)
                except BaseException:
                    self._cond.acquire()
                    st[3] = 0
                    self._cond.notify_all()
                    raise  # the waiters try again themselves (and fail on their own)
                self._cond.acquire()
                st[3], st[2] = 0, max(st[2], target)
                self.syncs += 1
                self._cond.notify_all()


async def in_pool(pool: Executor, func: Callable[..., T], *args: Any) -> T:
    """Run `func` in `pool` and await it from the reactor thread, whatever the reactor."""
    try:
        asyncio.get_running_loop()  # Scrapy's default reactor: the asyncio loop's own future
    except RuntimeError:
        return await _in_pool_deferred(pool, func, *args)
    return await asyncio.wrap_future(pool.submit(func, *args))


async def _in_pool_deferred(pool: Executor, func: Callable[..., T], *args: Any) -> T:
    """in_pool under a reactor that is not asyncio's: the result handed over as a Deferred."""
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import defer, reactor
    from twisted.python.failure import Failure

    d: defer.Deferred[T] = defer.Deferred()

    def fire(fut: Future[T]) -> None:
        exc = fut.exception()
        if exc is not None:
            d.errback(Failure(exc))
        else:
            d.callback(fut.result())

    pool.submit(func, *args).add_done_callback(lambda fut: reactor.callFromThread(fire, fut))
    return await maybe_deferred_to_future(d)


class Writer:
    """A small thread pool for durable writes; `await writer.run(func, *args)` from the reactor."""

    def __init__(self, threads: int = WRITE_THREADS, name: str = "newsarchive-writes") -> None:
        self.dir_sync = DirSync()
        self.threads = max(1, threads)
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix=name)

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        return await in_pool(self._pool, func, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
