"""A Scrapy extension for the benchmarks: the crawl's own wall time, CPU time and peak RSS.

Enabled with `-s EXTENSIONS={"bench.meter.Meter": 0} -s BENCH_METER=<file>`; at spider_closed
(after the pipelines closed: every post durable) it writes JSON to that file:
seconds and cpu from engine_started (imports and setup excluded), peak RSS (VmHWM, MB) and
the counters the benchmarks read.
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Any

from scrapy import signals


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Meter:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.out = Path(crawler.settings.get("BENCH_METER"))
        self.t0 = self.c0 = 0.0
        crawler.signals.connect(self.started, signal=signals.engine_started)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Meter:
        return cls(crawler)

    def started(self) -> None:
        self.t0, self.c0 = time.perf_counter(), _cpu()

    def closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        keep = (
            "item_scraped_count",
            "downloader/request_count",
            "newsarchive/posts/written",
            "newsarchive/posts/unchanged",
            "newsarchive/images/stored",
        )
        self.out.write_text(
            json.dumps(
                {
                    "seconds": time.perf_counter() - self.t0,
                    "cpu": _cpu() - self.c0,
                    "rss_mb": _hwm_mb(),
                    "reason": reason,
                    **{k: stats.get(k, 0) for k in keep},
                }
            )
        )
