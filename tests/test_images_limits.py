"""The image pipeline's limits, in process: IMAGES_MAX_BYTES, IMAGES_MAX_PIXELS, IMAGES_MAX_SIZE and
IMAGES_TIMEOUT as settings, on every image request, and the refusals they lead to (the crawls in
test_images.py show them end to end; these are what mutation testing runs)."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler
from twisted.internet import defer
from twisted.internet import error as tx_error
from twisted.python.failure import Failure

from crawler.items import Article
from pipelines.images import ImageFailed, LocalImagesPipeline

IMG = '<img src="{}">'


def make(tmp_path: Path, **settings: Any) -> LocalImagesPipeline:
    crawler = get_crawler(settings_dict={"IMAGES_MODE": "local", "ARCHIVE_DIR": str(tmp_path), **settings})
    return LocalImagesPipeline.from_crawler(crawler)


@pytest.fixture
def pipe(tmp_path: Path):
    p = make(tmp_path, IMAGES_MAX_BYTES=1000, IMAGES_TIMEOUT=2.5)
    yield p
    p.close_spider()


def stats(p: LocalImagesPipeline) -> dict[str, Any]:
    return {k: v for k, v in p.crawler.stats.get_stats().items() if k.startswith("newsarchive/images/")}


def test_the_documented_defaults(tmp_path: Path) -> None:
    p = make(tmp_path)
    assert (p.max_bytes, p.max_pixels, p.max_size, p.timeout) == (20 * 1024 * 1024, 40_000_000, 1600, 30)
    p.close_spider()


@pytest.mark.parametrize("name", ["IMAGES_MAX_SIZE", "IMAGES_MAX_BYTES", "IMAGES_MAX_PIXELS"])
@pytest.mark.parametrize("value", [0, -1])
def test_a_limit_that_is_not_positive_is_refused(tmp_path: Path, name: str, value: int) -> None:
    with pytest.raises(NotConfigured, match="must be > 0"):
        make(tmp_path, **{name: value})
    p = make(tmp_path, **{name: 1})                        # 1 is a limit
    p.close_spider()


def test_every_image_request_carries_the_limits(pipe: LocalImagesPipeline) -> None:
    item = Article(url="https://h.test/n/1.html", thumbnail="https://h.test/b.jpg",
                   body=IMG.format("https://h.test/a.jpg") + IMG.format("https://h.test/b.jpg"))
    requests = pipe.get_media_requests(item, None)
    assert [r.url for r in requests] == ["https://h.test/a.jpg", "https://h.test/b.jpg"]
    for r in requests:
        assert r.meta["download_maxsize"] == 1000
        assert r.meta["download_timeout"] == 2.5
        assert r.dont_filter is True
        assert r.headers[b"Accept"].startswith(b"image/")
    assert [r.meta["newsarchive_image"] for r in requests] == [
        {"url": "https://h.test/a.jpg", "thumb": False}, {"url": "https://h.test/b.jpg", "thumb": True}]


def downloaded(pipe: LocalImagesPipeline, body: bytes, status: int = 200) -> Any:
    request = Request("https://h.test/a.jpg", meta={"newsarchive_image": {"url": "https://h.test/a.jpg"}})
    response = Response(request.url, status=status, body=body, request=request)
    return asyncio.run(pipe.media_downloaded(response, request, None))


@pytest.mark.parametrize("body, status, stat", [
    (b"x" * 1001, 200, "refused/too_big"),                 # over IMAGES_MAX_BYTES, however it came
    (b"", 200, "failed/empty"),
    (b"x", 404, "failed/http_404"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", 200, "refused/svg"),
])
def test_refused_downloads(pipe: LocalImagesPipeline, body: bytes, status: int, stat: str) -> None:
    with pytest.raises(ImageFailed) as exc:
        downloaded(pipe, body, status)
    kind, reason = stat.split("/")
    assert (exc.value.kind, exc.value.reason) == (kind, reason)
    counted = {f"newsarchive/images/{stat}": 1}
    if stat == "refused/svg":
        counted["newsarchive/images/downloaded"] = 1
    assert stats(pipe) == counted


def test_exactly_max_bytes_is_not_too_big(pipe: LocalImagesPipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    async def in_this_thread(func: Any, *args: Any) -> Any:   # no reactor here to hand results back
        return func(*args)

    monkeypatch.setattr(pipe, "_in_pool", in_this_thread)
    with pytest.raises(ImageFailed) as exc:                # not an image: refused later, not for size
        downloaded(pipe, b"x" * 1000)
    assert (exc.value.kind, exc.value.reason) == ("failed", "not_image")


@pytest.mark.parametrize("exc, stat", [
    (DownloadCancelledError("cut off at 1000 bytes"), "refused/too_big"),   # download_maxsize
    (defer.CancelledError(), "refused/too_big"),
    (DownloadTimeoutError("took too long"), "failed/timeout"),
    (tx_error.TimeoutError(), "failed/timeout"),
    (tx_error.TCPTimedOutError(), "failed/timeout"),
    (IgnoreRequest("robots"), "failed/ignored"),
    (ConnectionRefusedError("no"), "failed/download"),
])
def test_failed_downloads_are_named_by_the_limit_they_hit(
        pipe: LocalImagesPipeline, exc: Exception, stat: str) -> None:
    request = Request("https://h.test/a.jpg", meta={"newsarchive_image": {"url": "https://h.test/a.jpg"}})
    with pytest.raises(ImageFailed) as raised:
        pipe.media_failed(Failure(exc), request, None)
    assert f"{raised.value.kind}/{raised.value.reason}" == stat
    assert stats(pipe) == {f"newsarchive/images/{stat}": 1}
    again = ImageFailed("failed", "storage")               # already ours: passed on uncounted
    with pytest.raises(ImageFailed) as raised:
        pipe.media_failed(Failure(again), request, None)
    assert raised.value is again
