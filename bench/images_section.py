"""Image processing: ours (pipelines/imaging.process, what the pipeline runs per image)
against bare Pillow and Scrapy's stock ImagesPipeline on the same images.

- 2 MP PNG -> 1600 px. Bare Pillow: open, LANCZOS resize, save PNG at zlib level 1 (the
  least a program can do for the same pixels at a fast level; Pillow's default level 6 is
  ~5x slower). Also: stored bytes against the original's.
- 12 MP JPEG -> 1600 px. Bare Pillow: full decode, LANCZOS resize, save q85. Scrapy's
  ImagesPipeline: `get_images` with a 1600 px thumb (it also re-saves the full image).
"""

from __future__ import annotations

import io
import tempfile
import time
from typing import Any

from PIL import Image

from bench.harness import median, row, spread
from pipelines import imaging
from tests.imageserver import encode, photo

MAX, PIXELS = 1600, 40_000_000


def _timed(func: Any, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        out.append(1000 * (time.perf_counter() - t0))
    return out


def _bare(data: bytes, fmt: str, **save: Any) -> bytes:
    im = Image.open(io.BytesIO(data))
    im.load()
    small = im.resize(imaging.fit(im.size, (MAX, MAX)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, fmt, **save)
    return out.getvalue()


def _scrapy_images(data: bytes) -> Any:
    from scrapy.http import Request, Response
    from scrapy.pipelines.images import ImagesPipeline
    from scrapy.utils.test import get_crawler

    store = tempfile.mkdtemp(prefix="newsarchive-bench-img-")
    crawler = get_crawler(settings_dict={"IMAGES_STORE": store, "IMAGES_THUMBS": {"big": (MAX, MAX)}})
    pipe = ImagesPipeline.from_crawler(crawler)
    url = "http://127.0.0.1/a.jpg"
    request, response = Request(url), Response(url, body=data)

    def run() -> None:
        for _path, _image, buf in pipe.get_images(response, request, None):  # type: ignore[arg-type]  # info: unused
            buf.getvalue()

    return run


def section(quick: bool) -> list[dict[str, Any]]:
    repeat = 3 if quick else 7
    png = encode(photo((1732, 1155), 4), "PNG")  # 2 MP, Pillow's default level
    jpeg = encode(photo((4243, 2828), 5), "JPEG", quality=90)  # 12 MP
    scrapy_run = _scrapy_images(jpeg)
    ours_png, bare_png, ours_jpg, bare_jpg, scrapy_jpg = [], [], [], [], []
    for _ in range(repeat):  # interleaved
        ours_png += _timed(lambda: imaging.process(png, MAX, PIXELS), 1)
        bare_png += _timed(lambda: _bare(png, "PNG", compress_level=1), 1)
        ours_jpg += _timed(lambda: imaging.process(jpeg, MAX, PIXELS), 1)
        bare_jpg += _timed(lambda: _bare(jpeg, "JPEG", quality=imaging.JPEG_QUALITY), 1)
        scrapy_jpg += _timed(scrapy_run, 1)
    stored = imaging.process(png, MAX, PIXELS).full
    png_ratio = median(ours_png) / median(bare_png)
    return [
        row(
            "2 MP PNG -> 1600 px",
            f"{spread(ours_png, '{:.0f}')} ms, stored {len(stored.data) / 1e6:.2f} MB PNG "
            f"(original {len(png) / 1e6:.2f} MB)",
            f"bare Pillow {spread(bare_png, '{:.0f}')} ms",
            f"{png_ratio:.2f}x bare",
            "<= 1.5x bare, stored no larger than the original",
            png_ratio <= 1.5 and len(stored.data) <= len(png),
            "bare Pillow: open, LANCZOS, save at zlib level 1",
        ),
        row(
            "12 MP JPEG -> 1600 px",
            f"{spread(ours_jpg, '{:.0f}')} ms",
            f"bare Pillow {spread(bare_jpg, '{:.0f}')} ms; Scrapy ImagesPipeline {spread(scrapy_jpg, '{:.0f}')} ms",
            f"{median(ours_jpg) / median(bare_jpg):.2f}x bare Pillow; "
            f"{median(ours_jpg) / median(scrapy_jpg):.2f}x ImagesPipeline",
            "keep (faster than both)",
            median(ours_jpg) < median(bare_jpg) and median(ours_jpg) < median(scrapy_jpg),
            "ours decodes with draft() (libjpeg scales while decoding)",
        ),
    ]
