"""Shared by the benchmark sections: an OFweek-like portal on 127.0.0.1, crawls in fresh
processes measured by bench/meter.py, and the statistics of repeated runs."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.ofweeklike import FakeArticle, build  # noqa: E402

PER_PAGE = 20
# Shrinks every portal (the test suite runs `--quick` with BENCH_SCALE=0.2: the code paths,
# not the figures).
SCALE = float(os.environ.get("BENCH_SCALE", "1") or 1)


def scaled(n: int) -> int:
    return max(PER_PAGE // 2, round(n * SCALE))


# The conditions: no delay, AutoThrottle and robots.txt off, 16 requests, 8 per domain.
CRAWL_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "ROBOTSTXT_OBEY": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "ERROR",
    "TELNETCONSOLE_ENABLED": "False",
    "REMOTE_CONTROL_ENABLED": "False",  # the project's default; the bare spider alike
}


def portal(root: Path, n: int, images: int = 0, image: bytes | None = None) -> tuple[str, int]:
    """Write a portal of `n` articles (each with `images` copies-by-URL of `image`) under
    `root`; returns (first list page's path, list pages)."""
    files, articles = {}, []
    for i in range(n):
        imgs = ""
        for k in range(images):
            path = f"/Upload/News/bench/{i}-{k}.jpg"
            files[path] = image or b""
            imgs += f'<p style="text-align:center"><img src="https://images.ofweek.com{path}"></p>'
        articles.append(FakeArticle(str(45000000 + i), f"基准文章 {i}", "<p>正文</p>" * 30 + imgs))
    start = build(root, articles, per_page=PER_PAGE, files=files)
    return start, -(-n // PER_PAGE)


def crawl(args: Sequence[str], settings: dict[str, str], tmp: Path, cwd: Path = ROOT) -> dict[str, Any]:
    """`scrapy <args>` in a fresh process with the meter on; returns its figures."""
    out = tmp / f"meter-{time.monotonic_ns()}.json"
    cmd = [sys.executable, "-m", "scrapy", *args]
    merged = {
        **CRAWL_SETTINGS,
        **settings,
        "BENCH_METER": str(out),
        "EXTENSIONS": json.dumps({"bench.meter.Meter": 0}),
    }
    for k, v in merged.items():
        cmd += ["-s", f"{k}={v}"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    if not out.exists():
        raise RuntimeError(f"{' '.join(args)} failed ({res.returncode}): {res.stderr[-2000:]}")
    figures = json.loads(out.read_text())
    figures["returncode"] = res.returncode
    return figures


def ours(srv: Any, start: str, pages: int, archive: Path, tmp: Path, **settings: str) -> dict[str, Any]:
    r = crawl(
        ["crawl", "ofweek", "-a", f"start_url={srv.url(start)}", "-a", f"max_pages={pages}"],
        {"ARCHIVE_DIR": str(archive), "IMAGES_MODE": "remote", **settings},
        tmp,
    )
    r["articles"] = r["newsarchive/posts/written"] + r["newsarchive/posts/unchanged"]
    return r


def bare(srv: Any, start: str, tmp: Path) -> dict[str, Any]:
    work = tmp / "bare-cwd"  # no scrapy.cfg here: Scrapy's defaults, not the project's
    work.mkdir(exist_ok=True)
    r = crawl(
        ["runspider", str(ROOT / "bench" / "bare_spider.py"), "-a", f"start_url={srv.url(start)}"],
        {},
        tmp,
        cwd=work,
    )
    r["articles"] = r["item_scraped_count"]
    return r


def fresh_dir(base: Path, name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=base))


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float], fmt: str = "{:.3g}") -> str:
    """`median (min–max, n runs)`."""
    if len(values) == 1:
        return f"{fmt.format(values[0])} (1 run)"
    return f"{fmt.format(median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))}, {len(values)} runs)"


def best_of(func: Callable[[], Any], repeat: int) -> list[float]:
    """Seconds of each of `repeat` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return times


def row(
    measurement: str, now: str, peer: str, ratio: str, target: str, met: bool | None, note: str = ""
) -> dict[str, Any]:
    return {
        "measurement": measurement,
        "now": now,
        "peer": peer,
        "ratio": ratio,
        "target": target,
        "met": met,
        "note": note,
    }
