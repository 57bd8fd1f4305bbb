"""Article page parse time: ours (crawler/parsers/ofweek.parse_article) against trafilatura
(the generic extractor, crawler/parsers/fulltext.generic) and bare parsel (title and body
element) on the same OFweek pages: the fixture portal's 2026 pages and OFweek-like pages."""

from __future__ import annotations

import glob
import time
from pathlib import Path
from typing import Any

from bench.harness import ROOT, median, row, spread
from crawler.parsers import fulltext, ofweek
from crawler.parsers.charset import decode_gb
from tests.ofweeklike import FakeArticle, article_page


def pages() -> list[tuple[str, str]]:
    out = []
    for path in sorted(
        glob.glob(str(ROOT / "seeds" / "ofweek-2026" / "site" / "**" / "ART-*.html"), recursive=True)
    ):
        rel = path.split("/site/", 1)[1]
        out.append((decode_gb(Path(path).read_bytes()), f"https://www.ofweek.com/{rel}"))
    for i in range(10):
        body = "<p>正文段落，含<a href='/x'>链接</a>与<b>强调</b>。</p>" * (10 + 5 * i)
        body += "".join(
            f'<p><img src="https://images.ofweek.com/Upload/News/{i}-{k}.jpg"></p>' for k in range(3)
        )
        a = FakeArticle(str(46000000 + i), f"解析基准 {i}", body)
        out.append((article_page(a), a.url))
    return out


def per_page_ms(func: Any, texts: list[tuple[str, str]], repeat: int) -> list[float]:
    """Milliseconds per page of each pass over all pages."""
    results = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for text, url in texts:
            func(text, url)
        results.append(1000 * (time.perf_counter() - t0) / len(texts))
    return results


def _parsel(text: str, url: str) -> tuple[Any, Any]:
    from parsel import Selector

    sel = Selector(text=text)
    return sel.css("h1::text").get(), sel.css("#articleC").get()


def section(quick: bool) -> list[dict[str, Any]]:
    texts = pages()
    repeat = 15 if quick else 40
    for func in (ofweek.parse_article, fulltext.generic, _parsel):  # warm up (imports, caches)
        per_page_ms(func, texts[:2], 1)
    runs: dict[str, list[float]] = {"ours": [], "trafilatura": [], "parsel": []}
    for _ in range(repeat):  # interleaved
        runs["ours"] += per_page_ms(ofweek.parse_article, texts, 1)
        runs["trafilatura"] += per_page_ms(fulltext.generic, texts, 1)
        runs["parsel"] += per_page_ms(_parsel, texts, 1)
    ours, traf, bare = (median(runs[k]) for k in ("ours", "trafilatura", "parsel"))
    return [
        row(
            f"OFweek article page parse ({len(texts)} pages)",
            spread(runs["ours"], "{:.2f}") + " ms/page",
            f"trafilatura {spread(runs['trafilatura'], '{:.1f}')} ms; bare parsel {spread(runs['parsel'], '{:.2f}')} ms",
            f"{traf / ours:.1f}x faster than trafilatura; {ours / bare:.1f}x bare parsel",
            "<= 1 ms (>= 8x faster than trafilatura)",
            ours <= 1.0 and traf / ours >= 8,
            "",
        )
    ]
