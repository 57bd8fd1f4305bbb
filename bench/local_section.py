"""Local mode (images downloaded, resized, stored): articles/s and the crawling process's
peak RSS at two or more portal sizes (one 2400x1600 JPEG per article), with the images'
back-pressure (IMAGES_ACTIVE, default) and, at the largest size, without it."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.harness import fresh_dir, ours, portal, row, scaled
from crawler.fixtureserver import FixtureServer
from tests.imageserver import encode, photo

UNBOUNDED = "1000000"  # IMAGES_ACTIVE: as before back-pressure (downloads outrun the pool)
TODAY = 9.8  # articles/s of the local crawl before this work (the figure, its machine)


def section(quick: bool) -> list[dict[str, Any]]:
    sizes = [scaled(40), scaled(120)] if quick else [scaled(300), scaled(2000)]
    if not quick and os.environ.get("BENCH_HUGE"):
        sizes.append(scaled(10000))
    jpeg = encode(photo((2400, 1600), 1), "JPEG", quality=85)
    tmp = Path(tempfile.mkdtemp(prefix="newsarchive-bench-local-"))
    results: dict[str, dict[str, Any]] = {}
    try:
        for n in sizes:
            start, pages = portal(tmp / f"site-{n}", n, images=1, image=jpeg)
            with FixtureServer(tmp / f"site-{n}") as srv:
                runs: list[tuple[str, dict[str, str]]] = [("bounded", {})]
                if n == sizes[-1]:
                    runs.append(("unbounded", {"IMAGES_ACTIVE": UNBOUNDED}))
                for name, extra in runs:
                    r = ours(srv, start, pages, fresh_dir(tmp, "local"), tmp, IMAGES_MODE="local", **extra)
                    if r["articles"] != n or r["newsarchive/images/stored"] != n:
                        raise RuntimeError(f"local crawl of {n}: {r}")
                    results[f"{name}-{n}"] = r
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rows = []
    rss = {n: results[f"bounded-{n}"]["rss_mb"] for n in sizes}
    big = sizes[-1]
    unb = results[f"unbounded-{big}"]
    flat = rss[big] <= rss[sizes[0]] * 1.25
    rows.append(
        row(
            f"local-mode peak RSS, {' / '.join(f'{n:,}' for n in sizes)} articles",
            " / ".join(f"{rss[n]:.0f} MB" for n in sizes),
            f"without back-pressure: {unb['rss_mb']:.0f} MB at {big:,}",
            f"{rss[big] / rss[sizes[0]]:.2f}x from {sizes[0]:,} to {big:,}; "
            f"{rss[big] / unb['rss_mb']:.2f}x unbounded",
            f"<= 300 MB, flat from {sizes[0]:,} to {big:,}",
            max(rss.values()) <= 300 and flat,
            "VmHWM of the crawling process; one 2400x1600 JPEG per article",
        )
    )
    rate = big / results[f"bounded-{big}"]["seconds"]
    rate_unb = big / unb["seconds"]
    rows.append(
        row(
            f"local-mode crawl, {big:,} articles",
            f"{rate:.1f} articles/s",
            f"without back-pressure {rate_unb:.1f}/s; before this work {TODAY}/s (issue, other run)",
            f"{rate / rate_unb:.2f}x unbounded; {rate / TODAY:.1f}x the issue's figure",
            ">= 2x today",
            rate >= 2 * TODAY,
            "one run each; limit: decode+resize+encode of each image in IMAGES_THREADS=2 threads on 2 cores",
        )
    )
    return rows
