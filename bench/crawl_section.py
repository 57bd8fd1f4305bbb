"""Remote-mode crawl against a bare Scrapy spider on the same portal, interleaved rounds:
articles/s with the archive on disk and on tmpfs, CPU per article, and a rerun."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.harness import bare, fresh_dir, median, ours, portal, row, scaled, spread
from crawler.fixtureserver import FixtureServer

TMPFS = Path("/dev/shm")


def section(quick: bool) -> list[dict[str, Any]]:
    n, rounds = (scaled(200), 2) if quick else (scaled(2000), 3)
    tmp = Path(tempfile.mkdtemp(prefix="newsarchive-bench-crawl-"))  # on disk (not tmpfs)
    shm = Path(tempfile.mkdtemp(prefix="newsarchive-bench-", dir=TMPFS)) if TMPFS.is_dir() else None
    try:
        start, pages = portal(tmp / "site", n)
        runs: dict[str, list[dict[str, Any]]] = {"bare": [], "disk": [], "tmpfs": []}
        with FixtureServer(tmp / "site") as srv:
            kinds = ["bare", "disk", "tmpfs"] if shm else ["bare", "disk"]
            for r in range(rounds):  # interleaved, each round in another order
                for kind in kinds[r % len(kinds) :] + kinds[: r % len(kinds)]:
                    if kind == "bare":
                        runs[kind].append(bare(srv, start, tmp))
                    else:
                        archive = fresh_dir(tmp if kind == "disk" else shm, kind)  # type: ignore[arg-type]
                        runs[kind].append(ours(srv, start, pages, archive, tmp))
                        runs[kind][-1]["archive"] = archive
            before = len(srv.requests)
            rerun = ours(srv, start, pages, runs["disk"][-1]["archive"], tmp)
            rerun_requests = len(srv.requests) - before
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if shm:
            shutil.rmtree(shm, ignore_errors=True)

    def rate(r: dict[str, Any]) -> float:
        return r["articles"] / r["seconds"]

    for kind, rs in runs.items():
        for run in rs:
            if run["articles"] != n:
                raise RuntimeError(f"{kind} crawl archived {run['articles']} of {n} articles")
    bare_rates = [rate(r) for r in runs["bare"]]
    rows = []
    for kind, label, target in (("disk", "archive on disk", 0.5), ("tmpfs", "archive on tmpfs", 0.7)):
        if not runs[kind]:
            continue
        ratios = [rate(o) / rate(b) for o, b in zip(runs[kind], runs["bare"], strict=True)]
        rows.append(
            row(
                f"remote-mode crawl, {label}, {n} articles",
                spread([rate(r) for r in runs[kind]], "{:.0f}") + " articles/s",
                spread(bare_rates, "{:.0f}") + " articles/s (bare Scrapy)",
                spread(ratios, "{:.2f}") + "x",
                f">= {target}x bare",
                median(ratios) >= target,
                "ratio per round (same round's bare run)",
            )
        )
    cpu = [1000 * r["cpu"] / r["articles"] for r in runs["disk"]]
    bare_cpu = [1000 * r["cpu"] / r["articles"] for r in runs["bare"]]
    rows.append(
        row(
            "CPU per article, remote mode (disk)",
            spread(cpu, "{:.2f}") + " ms",
            spread(bare_cpu, "{:.2f}") + " ms (bare Scrapy)",
            f"{median(cpu) / median(bare_cpu):.2f}x",
            "<= 5 ms",
            median(cpu) <= 5.0,
            "crawling process only, from engine start to spider closed (the fixture server excluded)",
        )
    )
    rows.append(
        row(
            "rerun over an unchanged portal",
            f"{rerun_requests} request(s), {rerun['seconds']:.2f} s",
            "",
            "",
            "1 request (keep)",
            rerun_requests == 1 and rerun["newsarchive/posts/written"] == 0,
            "crawl time from engine start; nothing written",
        )
    )
    return rows
