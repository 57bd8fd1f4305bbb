"""Crawl throughput and memory: an OFweek-like portal of N articles on 127.0.0.1.

    python bench/crawl_bench.py [--articles 300] [--images 1]

Builds a portal (tests/ofweeklike.py: the fixture pages' markup, GB18030) with N articles
over list pages of 20, each carrying `--images` generated JPEGs of 2400x1600, serves it,
and runs `scrapy crawl ofweek` three times in fresh processes, printing wall time,
articles/s and the crawling process's peak RSS (VmHWM) for each:

- remote:  IMAGES_MODE=remote (pages only);
- local:   IMAGES_MODE=local (download, resize, thumbnail, rewrite);
- rerun:   local again over the same archive (nothing new: one list page fetched).

Ratios are of the same run. No delay, no AutoThrottle: this measures the archiver, not
politeness.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.fixtureserver import FixtureServer  # noqa: E402
from tests.imageserver import encode, photo  # noqa: E402
from tests.ofweeklike import FakeArticle, build  # noqa: E402


def crawl(
    srv: FixtureServer, start: str, archive: Path, pages: int, mode: str, tmp: Path
) -> tuple[float, int]:
    hwm = tmp / f"hwm-{mode}-{time.monotonic_ns()}"
    cmd = [
        sys.executable,
        "-m",
        "tests.peakrss",
        str(hwm),
        "crawl",
        "ofweek",
        "-a",
        f"start_url={srv.url(start)}",
        "-a",
        f"max_pages={pages}",
        "-s",
        f"ARCHIVE_DIR={archive}",
        "-s",
        f"IMAGES_MODE={mode}",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        "-s",
        "LOG_LEVEL=ERROR",
    ]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if res.returncode != 0:
        sys.exit(res.stderr[-3000:])
    return elapsed, int(hwm.read_text()) // 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--images", type=int, default=1)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="newsarchive-bench-"))
    try:
        jpeg = encode(photo((2400, 1600), 1), "JPEG", quality=85)
        files, articles = {}, []
        for i in range(args.articles):
            imgs = ""
            for k in range(args.images):
                path = f"/Upload/News/bench/{i}-{k}.jpg"
                files[path] = jpeg
                imgs += f'<p style="text-align:center"><img src="https://images.ofweek.com{path}"></p>'
            articles.append(FakeArticle(str(45000000 + i), f"基准文章 {i}", "<p>正文</p>" * 30 + imgs))
        start = build(tmp / "site", articles, per_page=20, files=files)
        pages = -(-args.articles // 20)
        with FixtureServer(tmp / "site") as srv:
            rows = [
                ("remote", *crawl(srv, start, tmp / "remote", pages, "remote", tmp)),
                ("local", *crawl(srv, start, tmp / "local", pages, "local", tmp)),
                ("rerun", *crawl(srv, start, tmp / "local", pages, "local", tmp)),
            ]
        posts = len(list((tmp / "local" / "_posts").glob("*.md")))
        print(f"{args.articles} articles, {args.images} image(s) of 2400x1600 each, {posts} posts written")
        print(f"{'run':8} {'seconds':>8} {'articles/s':>11} {'peak RSS MB':>12}")
        for name, seconds, rss in rows:
            rate = args.articles / seconds if name != "rerun" else float("nan")
            print(f"{name:8} {seconds:8.2f} {rate:11.1f} {rss:12d}")
        print(
            f"local/remote time ratio: {rows[1][1] / rows[0][1]:.2f}; "
            f"rerun/local: {rows[2][1] / rows[1][1]:.2f}"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
