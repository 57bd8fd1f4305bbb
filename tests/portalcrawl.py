"""What the fixture-portal crawl tests share: a remote-mode crawl with its stats, and the
checks every portal must pass (each case byte for byte, real Hexo loads the posts)."""
from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from crawler import fixturecrawl, postformat
from crawler.fixtureserver import FixtureServer
from tests.helpers import hexo_load, need_hexo


def stats_of(log: str) -> dict[str, int]:
    """The integer stats of Scrapy's closing stats dump."""
    return {k: int(v) for k, v in re.findall(r"'([\w/.-]+)': (\d+)", log)}


def crawl(portal: fixturecrawl.Portal, out: Path, *settings: str, args: tuple[str, ...] = (),
          server: FixtureServer | None = None) -> tuple[subprocess.CompletedProcess, dict[str, int]]:
    """A remote-mode crawl with Scrapy's INFO log, and the stats it dumped."""
    res = fixturecrawl.crawl(portal, out, "IMAGES_MODE=remote", *settings, spider_args=args,
                             log_level="INFO", server=server)
    return res, stats_of(res.stderr)


def assert_every_case_archived(portal: fixturecrawl.Portal, out: Path, stats: dict[str, int]) -> None:
    """Exactly the expected posts, each byte for byte as in seeds/<site>/expected/."""
    written = sorted(p.name for p in (out / "_posts").iterdir())
    assert written == sorted(Path(c["expected"]).name for c in portal.cases)
    for case in portal.cases:
        want = (portal.root / case["expected"]).read_bytes()
        got = (out / "_posts" / Path(case["expected"]).name).read_bytes()
        assert got == want, case["name"]
    assert stats["newsarchive/posts/written"] == len(portal.cases)


def assert_hexo_loads(portal: fixturecrawl.Portal, out: Path) -> None:
    """Real Hexo reads every post with the expected post's fields."""
    need_hexo()
    loaded = hexo_load(out)
    assert len(loaded) == len(portal.cases)
    for case in portal.cases:
        want = postformat.read((portal.root / case["expected"]).read_text(encoding="utf-8"))
        got = loaded[f"_posts/{Path(case['expected']).name}"]
        assert (got["title"], got["author"], got["categories"]) == (
            want.title, want.author, want.categories)
        assert (got["headimg"], got["thumbnail"], got["comments"]) == (
            want.headimg, want.thumbnail, False)


def rerun(portal: fixturecrawl.Portal, out: Path, code: int = 0) -> tuple[list[str], dict[str, int]]:
    """Crawl `portal` into `out`, then again (`-a max_pages=5`), each exiting with `code` (1
    for a portal with a deliberately bad item): the second run's requests (robots.txt aside)
    and stats, once it is checked that it wrote and touched nothing."""
    with FixtureServer(portal.site_dir) as srv:
        res, _ = crawl(portal, out, server=srv)
        assert res.returncode == code, res.stderr[-3000:]
        mtimes = {p: p.stat().st_mtime_ns for p in (out / "_posts").iterdir()}
        assert len(mtimes) == len(portal.cases)
        srv.requests.clear()
        res, stats = crawl(portal, out, args=("-a", "max_pages=5"), server=srv)
        assert res.returncode == code, res.stderr[-3000:]
        requests = [r for r in srv.requests if r != "/robots.txt"]
    assert stats["downloader/request_count"] - stats.get("robotstxt/request_count", 0) == len(requests)
    assert "newsarchive/posts/written" not in stats
    assert {p: p.stat().st_mtime_ns for p in (out / "_posts").iterdir()} == mtimes
    return requests, stats


def crawl_served(portal: fixturecrawl.Portal, out: Path, args: tuple[str, ...] = (), code: int = 0,
                 ) -> tuple[Path, dict[str, int], list[str]]:
    """One remote-mode crawl of the served portal, exiting with `code` (1 for a portal with
    a deliberately bad item): (archive, stats, paths requested)."""
    with FixtureServer(portal.site_dir) as srv:
        res, stats = crawl(portal, out, args=args, server=srv)
        requests = list(srv.requests)
    assert res.returncode == code, res.stderr[-3000:]
    return out, stats, requests


def article_page(root: Path, case: dict) -> Path:
    """The served file of a case's article page, in a portal folder `root`."""
    return root / "site" / urlsplit(case["article_url"]).path.lstrip("/")


def edited_copy(portal: fixturecrawl.Portal, dest: Path,
                edits: dict[str, Callable[[bytes], bytes]]) -> fixturecrawl.Portal:
    """A copy of `portal` in `dest` with each named case's article page changed by its edit
    (an edit that changes nothing fails the test: the page it meant moved)."""
    shutil.copytree(portal.root, dest)
    cases = {c["name"]: c for c in portal.cases}
    for name, change in edits.items():
        path = article_page(dest, cases[name])
        data = path.read_bytes()
        path.write_bytes(change(data))
        assert path.read_bytes() != data, name
    return fixturecrawl.Portal(portal.site, dest)


def assert_only_written(portal: fixturecrawl.Portal, out: Path, names: Iterable[str]) -> None:
    """Exactly the named cases' posts in `out`, each byte for byte as expected."""
    cases = [c for c in portal.cases if c["name"] in set(names)]
    written = {p.name for p in (out / "_posts").iterdir()}
    assert written == {Path(c["expected"]).name for c in cases}
    for case in cases:
        assert (out / "_posts" / Path(case["expected"]).name).read_bytes() == \
            (portal.root / case["expected"]).read_bytes(), case["name"]
