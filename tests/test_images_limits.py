"""The image pipeline's limits, in process: IMAGES_MAX_BYTES, IMAGES_MAX_PIXELS, IMAGES_MAX_SIZE and
IMAGES_TIMEOUT as settings, on every image request, and the refusals they lead to (the crawls in
test_images.py show them end to end; these are what mutation testing runs)."""
from __future__ import annotations

import asyncio
import errno
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
    assert p.thumb_box == (400, 300)
    assert p._pool._max_workers == 2                       # decode threads bound memory too
    p.close_spider()


@pytest.mark.parametrize("threads, workers", [(3, 3), (0, 1), (-2, 1)])
def test_decode_threads(tmp_path: Path, threads: int, workers: int) -> None:
    p = make(tmp_path, IMAGES_THREADS=threads)
    assert p._pool._max_workers == workers
    p.close_spider()


@pytest.mark.parametrize("name", ["IMAGES_MAX_SIZE", "IMAGES_MAX_BYTES", "IMAGES_MAX_PIXELS"])
@pytest.mark.parametrize("value", [0, -1])
def test_a_limit_that_is_not_positive_is_refused(tmp_path: Path, name: str, value: int) -> None:
    with pytest.raises(NotConfigured) as exc:
        make(tmp_path, **{name: value})
    assert str(exc.value) == "IMAGES_MAX_SIZE, IMAGES_MAX_BYTES and IMAGES_MAX_PIXELS must be > 0"
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


def test_requests_without_page_url_or_through_a_mirror(pipe: LocalImagesPipeline) -> None:
    item = Article(body=IMG.format("https://h.test/a.jpg"))
    [r] = pipe.get_media_requests(item, None)
    assert b"Referer" not in r.headers                     # no page URL: no made-up Referer

    class Mirror:
        @staticmethod
        def fetch_url(url: str) -> str:
            return url.replace("https://h.test", "http://127.0.0.1:1")

    pipe.crawler.spider = Mirror()
    [r] = pipe.get_media_requests(item, None)
    assert r.url == "http://127.0.0.1:1/a.jpg"            # fetched from the mirror,
    assert r.meta["newsarchive_image"]["url"] == "https://h.test/a.jpg"   # stored as the original


def downloaded(pipe: LocalImagesPipeline, body: bytes, status: int = 200, thumb: bool = False,
               headers: dict[str, str] | None = None) -> Any:
    request = Request("https://h.test/a.jpg",
                      meta={"newsarchive_image": {"url": "https://h.test/a.jpg", "thumb": thumb}})
    response = Response(request.url, status=status, body=body, request=request, headers=headers)
    return asyncio.run(pipe.media_downloaded(response, request, None))


@pytest.mark.parametrize("body, status, headers, stat, detail", [
    (b"x" * 1001, 200, None, "refused/too_big", ": 1001 bytes"),   # over IMAGES_MAX_BYTES, however it came
    (b"", 200, None, "failed/empty", ""),
    (b"x", 404, None, "failed/http_404", ""),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", 200, None, "refused/svg", ""),
    (b"<x/>", 200, {"Content-Type": "image/svg+xml"}, "refused/svg", ""),  # said by its type
])
def test_refused_downloads(pipe: LocalImagesPipeline, caplog: pytest.LogCaptureFixture, body: bytes,
                           status: int, headers: dict[str, str] | None, stat: str, detail: str) -> None:
    with pytest.raises(ImageFailed) as exc:
        downloaded(pipe, body, status, headers=headers)
    kind, reason = stat.split("/")
    assert (exc.value.kind, exc.value.reason) == (kind, reason)
    counted = {f"newsarchive/images/{stat}": 1}
    if stat == "refused/svg":
        counted["newsarchive/images/downloaded"] = 1
    assert stats(pipe) == counted
    assert [r.getMessage() for r in caplog.records if r.name == "pipelines.images"] == [
        f"Image https://h.test/a.jpg ({stat}){detail}"]


def png(width: int, height: int) -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def in_this_thread(pipe: LocalImagesPipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    async def run(func: Any, *args: Any) -> Any:           # no reactor here to hand results back
        return func(*args)

    monkeypatch.setattr(pipe, "_in_pool", run)
    monkeypatch.setattr(pipe._writer, "run", run)          # the file writes too


def test_a_stored_image_is_resized_to_max_size_with_its_thumbnail(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = make(tmp_path, IMAGES_MAX_SIZE=100, IMAGES_THUMB_SIZE="40x30")
    in_this_thread(p, monkeypatch)
    result = downloaded(p, png(300, 150), thumb=True)
    assert (result["url"], result["format"], result["width"], result["height"]) == (
        "https://h.test/a.jpg", "PNG", 100, 50)
    assert "resized" not in result
    assert (tmp_path / result["path"]).is_file() and (tmp_path / result["thumb"]).is_file()
    assert stats(p) == {f"newsarchive/images/{k}": 1 for k in ("downloaded", "stored", "resized", "thumbnails")}
    p.close_spider()
    q = make(tmp_path / "b")
    in_this_thread(q, monkeypatch)
    result = downloaded(q, png(30, 20))                    # small, no thumbnail asked
    assert result["thumb"] is None and (result["width"], result["height"]) == (30, 20)
    assert stats(q) == {f"newsarchive/images/{k}": 1 for k in ("downloaded", "stored")}
    q.close_spider()


def test_a_pixel_bomb_is_refused_by_max_pixels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               caplog: pytest.LogCaptureFixture) -> None:
    p = make(tmp_path, IMAGES_MAX_PIXELS=100 * 100 - 1)
    in_this_thread(p, monkeypatch)
    with pytest.raises(ImageFailed) as exc:
        downloaded(p, png(100, 100))
    assert (exc.value.kind, exc.value.reason) == ("refused", "bomb")
    [line] = [r.getMessage() for r in caplog.records if r.name == "pipelines.images"]
    assert line.startswith("Image https://h.test/a.jpg (refused/bomb): ")
    p.close_spider()


def test_a_failure_to_store_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     caplog: pytest.LogCaptureFixture) -> None:
    p = make(tmp_path)
    in_this_thread(p, monkeypatch)
    (tmp_path / "images").rmdir()
    (tmp_path / "images").write_text("a file where the folder should be")   # ENOTDIR: not the disk
    with pytest.raises(ImageFailed) as exc:
        downloaded(p, png(10, 10))
    assert (exc.value.kind, exc.value.reason) == ("failed", "error")
    [line] = [r.getMessage() for r in caplog.records if r.name == "pipelines.images"]
    assert line.startswith("Image https://h.test/a.jpg (failed/error): NotADirectoryError(")
    p.close_spider()


def test_exactly_max_bytes_is_not_too_big(pipe: LocalImagesPipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    in_this_thread(pipe, monkeypatch)
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
        pipe: LocalImagesPipeline, caplog: pytest.LogCaptureFixture, exc: Exception, stat: str) -> None:
    request = Request("http://127.0.0.1:1/a.jpg",          # fetched from a mirror: named by the original
                      meta={"newsarchive_image": {"url": "https://h.test/a.jpg"}})
    with pytest.raises(ImageFailed) as raised:
        pipe.media_failed(Failure(exc), request, None)
    assert f"{raised.value.kind}/{raised.value.reason}" == stat
    assert stats(pipe) == {f"newsarchive/images/{stat}": 1}
    detail = f"{type(exc).__name__}: {exc}" if stat == "failed/download" else str(exc)
    assert [r.getMessage() for r in caplog.records if r.name == "pipelines.images"] == [
        f"Image https://h.test/a.jpg ({stat}){': ' + detail if detail else ''}"]
    fallback = Request("https://h.test/b.jpg")             # no meta: named by its own URL
    with pytest.raises(ImageFailed):
        pipe.media_failed(Failure(exc), fallback, None)
    assert caplog.records[-1].getMessage().startswith("Image https://h.test/b.jpg (")
    again = ImageFailed("failed", "storage")               # already ours: passed on uncounted
    with pytest.raises(ImageFailed) as raised:
        pipe.media_failed(Failure(again), request, None)
    assert raised.value is again


@pytest.mark.parametrize("exc, stat, line", [
    (OSError(errno.ENOSPC, "No space left on device", "/a/images/x.png"), "failed/storage", None),
    (RuntimeError("boom"), "failed/error", "Image https://h.test/a.jpg (failed/error): RuntimeError('boom')"),
])
def test_a_full_disk_is_a_storage_failure_and_a_crash_a_named_error(
        pipe: LocalImagesPipeline, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        exc: Exception, stat: str, line: str | None) -> None:
    in_this_thread(pipe, monkeypatch)

    def encode(data: bytes, url: str, want_thumb: bool) -> tuple[dict, list]:
        return {"url": url, "thumb": None, "resized": False}, [(Path("/a/images/x.png"), data)]

    def write(writes: list) -> None:                       # the store fails, not the image
        raise exc

    monkeypatch.setattr(pipe, "_encode", encode)
    monkeypatch.setattr(pipe, "_write", write)
    with pytest.raises(ImageFailed) as raised:
        downloaded(pipe, b"x" * 10)
    assert f"{raised.value.kind}/{raised.value.reason}" == stat
    assert stats(pipe) == {"newsarchive/images/downloaded": 1, f"newsarchive/images/{stat}": 1}
    if line is None:  # the archive failed, not the image: the run is told (storage_error)
        assert pipe.crawler.stats.get_value("newsarchive/storage_error") == (
            "No space left on device (/a/images/x.png)")
    else:
        assert [r.getMessage() for r in caplog.records if r.name == "pipelines.images"] == [line]
