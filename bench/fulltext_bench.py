"""How well the generic extractor (trafilatura) reads the fixture portals' article pages,
where each portal's own parser is the truth (issue 12):

    /work/main/.venv/bin/python bench/fulltext_bench.py

Per portal: pages read, the share whose title equals the parser's (whitespace collapsed),
whose date equals it to the minute, whose body text is ≥ 0.95 similar (difflib ratio over
whitespace-collapsed text), and the generic extractor's mean time per page.
"""

from __future__ import annotations

import difflib
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from parsel import Selector

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler import config, fixturecrawl
from crawler.parsers import fulltext
from crawler.parsers.charset import decode_gb
from crawler.parsers.common import LayoutError


def text_of(body: str) -> str:
    if not body.strip():
        return ""
    return " ".join(" ".join(Selector(text=f"<div>{body}</div>").css("div ::text").getall()).split())


def minute(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC).replace(second=0, microsecond=0)


def page_file(portal: fixturecrawl.Portal, url: str) -> Path | None:
    parts = urlsplit(url)
    rel = unquote(parts.path).lstrip("/")
    for name in ([f"{rel}?{parts.query}"] if parts.query else []) + [rel]:
        target = portal.site_dir / name
        if target.is_dir():
            target = target / "index.html"
        if target.is_file():
            return target
    return None


def main() -> None:
    try:  # warm up: trafilatura's import and first-use set-up are not per page
        fulltext.generic(
            "<html><body><article><p>" + "warm up text " * 40 + "</p></article></body></html>", "http://x/"
        )
    except LayoutError:
        pass
    rows: list[tuple[str, int, float, float, float, float]] = []
    for portal in fixturecrawl.portals():
        rules = config.load(portal.config, ()).portals if portal.config else []
        n = title = date = body = 0
        spent = 0.0
        for case in portal.cases:
            pages = case.get("pages") or []
            url = pages[0] if pages else ""
            source = fulltext.resolve(url, rules) if url else None
            path = page_file(portal, url) if url else None
            if source is None or source.step == "generic" or path is None:
                continue
            text = decode_gb(path.read_bytes())
            try:
                truth = fulltext.extract(source, text, url).article
            except LayoutError:
                continue  # a deliberately broken case: no truth
            n += 1
            start = time.perf_counter()
            try:
                got = fulltext.generic(text, url).article
            except LayoutError:
                spent += time.perf_counter() - start
                continue
            spent += time.perf_counter() - start
            title += " ".join(got.title.split()) == " ".join(truth.title.split())
            date += minute(got.published) is not None and minute(got.published) == minute(truth.published)
            ratio = difflib.SequenceMatcher(
                None, text_of(got.body), text_of(truth.body), autojunk=False
            ).ratio()
            body += ratio >= 0.95
        if n:
            rows.append((portal.site, n, title / n, date / n, body / n, spent / n * 1000))
    print(f"{'portal':<14}{'pages':>6}{'title':>8}{'date':>8}{'body':>8}{'ms/page':>9}")
    for site, n, t, d, b, ms in rows:
        print(f"{site:<14}{n:>6}{t:>8.0%}{d:>8.0%}{b:>8.0%}{ms:>9.1f}")
    total = sum(r[1] for r in rows)
    if total:
        avg = [sum(row[i] * row[1] for row in rows) / total for i in (2, 3, 4, 5)]  # type: ignore[misc]
        print(f"{'all':<14}{total:>6}{avg[0]:>8.0%}{avg[1]:>8.0%}{avg[2]:>8.0%}{avg[3]:>9.1f}")


if __name__ == "__main__":
    main()
