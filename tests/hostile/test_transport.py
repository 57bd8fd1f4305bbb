"""Hostile portal, transport side: one real `scrapy crawl ofweek` against a misbehaving server.

An OFweek-like portal (tests/ofweeklike.py) is served by `HostileServer`; each case is
one article of list page 1 whose path misbehaves (or a list page). Cases:

- transport: headers slower than DOWNLOAD_TIMEOUT (always / once), a body trickled
  past the timeout, a TCP reset before the response (always) and mid-body (once), a
  body shorter than its Content-Length;
- HTTP: 500 once, 503 twice, 503 always, 404; list page 2 answers 503 once, list page 3
  always resets;
- redirects: to a moved page on the mirror, to the portal's own host (must be fetched
  from the mirror), a loop, an endless chain, back to the list page, to
  `file:///etc/passwd`, to a `file://` article outside the tree, to `data:`, and to
  other hosts (127.0.0.2, localhost:<port>, 127.0.0.1:<other port>, protocol-relative,
  meta refresh) — two recording servers there must see no request — and to an invalid
  port;
- size: a 50 MB page with and without Content-Length (DOWNLOAD_MAXSIZE is 16 MB) and a
  1 GiB gzip bomb of ~1 MB on the wire; the crawl's peak RSS stays bounded.

Asserted: exactly the recoverable articles are written (with their own title and
body), every other case is skipped once with its reason, in the log and in the stats
`newsarchive/skipped/<reason>`; how many requests each path got (retries, no retry);
exit status 0; no temp, empty or stray file in or out of ARCHIVE_DIR.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from crawler import postformat
from crawler import settings as project_settings
from tests.helpers import ROOT
from tests.hostile import server as hs
from tests.ofweeklike import (ORIGIN, START_PATH, FakeArticle, _entry, article_page, list_page,
                              list_path, write)

TIMEOUT = 2                    # DOWNLOAD_TIMEOUT of the crawl, seconds
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 4
MAXSIZE = project_settings.DOWNLOAD_MAXSIZE
HUGE = 50 * 1024 * 1024
BOMB = 1024 * 1024 * 1024      # decompressed size of the gzip bomb
PEAK_RSS_LIMIT = 256 * 1024 * 1024   # observed ~100 MiB
ARCHIVED = "archived"
RETRIED = RETRY_TIMES + 1      # requests for a path that keeps failing in a retryable way


@dataclass
class Env:
    """What the behaviors may point at (known once the servers are bound)."""
    root: Path                 # the portal tree
    other_port: hs.HostileServer   # 127.0.0.1, another port: neither portal nor mirror
    other_host: hs.HostileServer   # 127.0.0.2


@dataclass
class Case:
    name: str
    behavior: Callable[[Env, FakeArticle], hs.Behavior]
    outcome: str               # ARCHIVED or the skip reason
    hits: int | None = None    # requests the portal must get for the article's path

    def __post_init__(self) -> None:            # ids in the order of the case list
        self.article = FakeArticle(
            article_id=str(41000000 + len(CASES)), title=f"传输测试 {self.name}",
            body=f"\n<p>正文 {self.name} 第一段。</p>\n<p>第二段 {self.name}。</p>\n")


def moved(a: FakeArticle) -> str:
    """Where a redirected article really is (a path that is not in any list)."""
    return a.path.replace("/ART-36001-8120-", "/ART-36001-8121-")


CASES: list[Case] = []


def case(name: str, behavior: Callable[[Env, FakeArticle], hs.Behavior], outcome: str,
         hits: int | None = None) -> None:
    CASES.append(Case(name, behavior, outcome, hits))


case("good-first", lambda e, a: hs.serve, ARCHIVED, 1)
# transport
case("slow-always", lambda e, a: hs.slow(TIMEOUT + 2), "fetch-failed", RETRIED)
case("slow-once", lambda e, a: hs.attempts(hs.slow(TIMEOUT + 2), hs.serve), ARCHIVED, 2)
case("trickle", lambda e, a: hs.trickle(0.25), "fetch-failed", RETRIED)
case("reset-always", lambda e, a: hs.reset(), "fetch-failed", RETRIED)
case("reset-mid-body-once", lambda e, a: hs.attempts(hs.reset(0.5), hs.serve), ARCHIVED, 2)
case("truncated", lambda e, a: hs.truncated, "fetch-failed", RETRIED)
# HTTP status
case("500-once", lambda e, a: hs.attempts(hs.status(500), hs.serve), ARCHIVED, 2)
case("503-twice", lambda e, a: hs.attempts(hs.status(503), hs.status(503), hs.serve), ARCHIVED, 3)
case("503-always", lambda e, a: hs.status(503), "http-503", RETRIED)
case("404", lambda e, a: hs.status(404), "http-404", 1)
case("good-middle", lambda e, a: hs.serve, ARCHIVED, 1)
# redirects
case("redirect-moved", lambda e, a: hs.redirect(moved(a), 301), ARCHIVED, 1)
case("redirect-to-portal-host", lambda e, a: hs.redirect(ORIGIN + moved(a)), ARCHIVED, 1)
case("redirect-loop", lambda e, a: hs.redirect(moved(a)), "redirect-loop", 1)
case("redirect-endless", lambda e, a: hs.redirect(lambda h, n: f"{a.path}?hop={n}"),
     "redirect-limit", REDIRECT_MAX_TIMES + 1)
case("redirect-to-list", lambda e, a: hs.redirect(START_PATH), "redirect-duplicate", 1)
case("redirect-file-passwd", lambda e, a: hs.redirect("file:///etc/passwd"), "redirect-not-http", 1)
case("redirect-file-article", lambda e, a: hs.redirect((e.root.parent / "leak.html").as_uri()),
     "redirect-not-http", 1)
case("redirect-data", lambda e, a: hs.redirect("data:text/html," + quote("<h1>data</h1>")),
     "redirect-not-http", 1)
case("redirect-other-host", lambda e, a: hs.redirect(e.other_host.url(a.path)),
     "redirect-offsite", 1)
case("redirect-localhost", lambda e, a: hs.redirect(f"http://localhost:{e.other_port.port}{a.path}"),
     "redirect-offsite", 1)
case("redirect-other-port", lambda e, a: hs.redirect(e.other_port.url(a.path)), "redirect-offsite", 1)
# an invalid Location: RedirectMiddleware raises ValueError, the errback counts it
case("redirect-bad-port", lambda e, a: hs.redirect("http://127.0.0.1:99999/x"), "fetch-failed", 1)
case("redirect-protocol-relative",
     lambda e, a: hs.redirect(f"//127.0.0.2:{e.other_host.port}{a.path}"), "redirect-offsite", 1)
case("meta-refresh-other-host", lambda e, a: hs.page(article_page(a).replace(
    "<head>", f'<head><meta http-equiv="refresh" content="0; url={e.other_host.url(a.path)}">', 1
).encode("gb18030")), "redirect-offsite", 1)
# size
case("huge-declared", lambda e, a: hs.huge(HUGE, declared=True), "too-large", 1)
case("huge-undeclared", lambda e, a: hs.huge(HUGE, declared=False), "too-large", 1)
case("gzip-bomb", lambda e, a: hs.gzip_bomb(BOMB), "too-large", 1)
case("good-last", lambda e, a: hs.serve, ARCHIVED, 1)

PAGE2 = FakeArticle(article_id="41000900", title="传输测试 第二页", body="\n<p>第二页的正文。</p>\n")
PAGE3 = FakeArticle(article_id="41000901", title="传输测试 第三页", body="\n<p>第三页的正文。</p>\n")
LIST_CASES = {2: (lambda: hs.attempts(hs.status(503), hs.serve), 2, None),
              3: (lambda: hs.reset(), RETRIED, "fetch-failed")}   # behavior, hits, skip reason


def build_portal(env: Env) -> dict[str, hs.Behavior]:
    """Write the portal (3 list pages) and return the routes that misbehave."""
    root = env.root
    pages = [[c.article for c in CASES], [PAGE2], [PAGE3]]
    for n, articles in enumerate(pages, 1):
        write(root, list_path(n), list_page([_entry(a) for a in articles], n, len(pages)))
        for a in articles:
            write(root, a.path, article_page(a))
    routes = {c.article.path: c.behavior(env, c.article) for c in CASES}
    by_name = {c.name: c.article for c in CASES}
    for name in ("redirect-moved", "redirect-to-portal-host"):
        write(root, moved(by_name[name]), article_page(by_name[name]))
    loop = by_name["redirect-loop"]
    routes[moved(loop)] = hs.redirect(loop.path)
    for n, (behavior, _, _) in LIST_CASES.items():
        routes[list_path(n)] = behavior()
    leak = FakeArticle(article_id="41000999", title="LEAKED from file", body="<p>leak</p>")
    write(root.parent, "leak.html", article_page(leak))
    return routes


@dataclass
class Crawl:
    returncode: int
    log: str
    stats: dict[str, int]
    skips: dict[str, list[str]]        # canonical URL -> skip reasons, from the log
    maxrss: int                        # bytes
    archive: Path
    base: Path
    before: dict[str, int]             # files (and sizes) outside ARCHIVE_DIR before the crawl
    portal: hs.HostileServer
    others: tuple[hs.HostileServer, ...]


def stats_of(log: str) -> dict[str, int]:
    """The integer stats of Scrapy's closing stats dump."""
    return {k: int(v) for k, v in re.findall(r"'([\w/.-]+)': (\d+)", log)}


def files_outside(base: Path, archive: Path) -> dict[str, int]:
    return {str(p.relative_to(base)): p.stat().st_size for p in base.rglob("*")
            if p.is_file() and archive not in p.parents}


def run_crawl(start_url: str, archive: Path, log_path: Path) -> tuple[int, int]:
    """`scrapy crawl ofweek` in a subprocess; returns (exit status, peak RSS in bytes)."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "ofweek", "-a", f"start_url={start_url}",
           "-a", "max_pages=5", "-s", f"ARCHIVE_DIR={archive}", "-s", "LOG_LEVEL=INFO",
           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "IMAGES_MODE=remote", "-s", f"RETRY_TIMES={RETRY_TIMES}",
           "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}", "-s", f"REDIRECT_MAX_TIMES={REDIRECT_MAX_TIMES}",
           "-s", "CONCURRENT_REQUESTS=64", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=64",
           "-s", "TELNETCONSOLE_ENABLED=False",
           # the test articles have no image: that is no layout change
           "-s", 'LAYOUT_MIN_COVERAGE={"image": 0}']
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    killer = threading.Timer(120, proc.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss * 1024      # ru_maxrss is in KiB on Linux


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    base = tmp_path_factory.mktemp("transport")
    archive = base / "archive"
    with hs.HostileServer(None, fallback=hs.serve) as other_port, \
            hs.HostileServer(None, host="127.0.0.2", fallback=hs.serve) as other_host:
        env = Env(base / "portal", other_port, other_host)
        routes = build_portal(env)
        # what the other hosts would answer: a valid article, so following them would show
        decoy = article_page(FakeArticle("41000998", "LEAKED from another host", "<p>x</p>"))
        for srv in (other_port, other_host):
            srv.fallback = hs.page(decoy.encode("gb18030"))
        before = files_outside(base, archive)
        with hs.HostileServer(env.root, routes) as portal:
            code, maxrss = run_crawl(portal.url(START_PATH), archive, base / "crawl.log")
            log = (base / "crawl.log").read_text(encoding="utf-8", errors="replace")
            (base / "crawl.log").unlink()
            skips: dict[str, list[str]] = {}
            for url, reason in re.findall(r"WARNING: skipped (\S+) \(([\w./-]+)\)", log):
                skips.setdefault(url, []).append(reason)
            yield Crawl(code, log, stats_of(log), skips, maxrss, archive, base, before,
                        portal, (other_port, other_host))


def test_the_crawl_finishes_cleanly(crawl: Crawl) -> None:
    assert crawl.returncode == 1, crawl.log[-3000:]         # articles failed (exit 1), no crash
    assert "crawl: ofweek: skipped " in crawl.log
    assert "'finish_reason': 'finished'" in crawl.log
    assert "Traceback" not in crawl.log and "Spider error" not in crawl.log, crawl.log[-5000:]


def test_exactly_the_recoverable_articles_are_archived(crawl: Crawl) -> None:
    want = [c.article for c in CASES if c.outcome == ARCHIVED] + [PAGE2]
    names = {postformat.post_filename("ofweek", a.article_id): a for a in want}
    posts = crawl.archive / "_posts"
    assert sorted(p.name for p in posts.iterdir()) == sorted(names)
    for name, a in names.items():
        post = postformat.read((posts / name).read_text(encoding="utf-8"))
        assert post.title == a.title
        # exactly #articleC's inner HTML as served (the template closes it after a newline)
        assert post.body == a.body + "\n", name
    assert crawl.stats["newsarchive/posts/written"] == len(want)


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_each_case_has_its_outcome(crawl: Crawl, c: Case) -> None:
    skipped = crawl.skips.get(c.article.url, [])
    assert skipped == ([] if c.outcome == ARCHIVED else [c.outcome])
    if c.hits is not None:
        assert crawl.portal.hits(c.article.path) == c.hits


def test_skips_are_counted_in_the_stats(crawl: Crawl) -> None:
    want = Counter(c.outcome for c in CASES if c.outcome != ARCHIVED)
    want.update(reason for _, _, reason in LIST_CASES.values() if reason)
    got = {k.removeprefix("newsarchive/skipped/"): v for k, v in crawl.stats.items()
           if k.startswith("newsarchive/skipped/")}
    assert got == dict(want)
    assert sum(len(v) for v in crawl.skips.values()) == sum(want.values())


def test_list_pages_retry_and_a_dead_one_is_counted(crawl: Crawl) -> None:
    for n, (_, hits, reason) in LIST_CASES.items():
        assert crawl.portal.hits(list_path(n)) == hits
        assert crawl.skips.get(ORIGIN + list_path(n), []) == ([reason] if reason else [])
    assert crawl.stats["newsarchive/list_pages"] == 2
    assert crawl.portal.hits(PAGE3.path) == 0        # never listed, never fetched


def test_other_hosts_are_never_contacted(crawl: Crawl) -> None:
    for srv in crawl.others:
        assert srv.requests == []


def test_redirects_to_the_portal_and_within_the_mirror_are_fetched_from_the_mirror(
        crawl: Crawl) -> None:
    by_name = {c.name: c.article for c in CASES}
    for name in ("redirect-moved", "redirect-to-portal-host"):
        assert crawl.portal.hits(moved(by_name[name])) == 1
    assert crawl.portal.hits(moved(by_name["redirect-loop"])) == 1


def test_nothing_is_read_from_disk(crawl: Crawl) -> None:
    for p in (crawl.archive / "_posts").iterdir():
        text = p.read_text(encoding="utf-8")
        assert "root:" not in text and "LEAKED" not in text


def test_big_bodies_are_cut_short(crawl: Crawl) -> None:
    by_name = {c.name: c.article for c in CASES}
    # the client stopped reading: far less than the page was written
    assert crawl.portal.sent[by_name["huge-declared"].path] < MAXSIZE
    assert crawl.portal.sent[by_name["huge-undeclared"].path] < HUGE
    assert len(hs.bomb_bytes(BOMB)) < 2 * 1024 * 1024          # small on the wire


def test_peak_memory_stays_bounded(crawl: Crawl) -> None:
    # a bomb inflated in full would take > 1 GiB; a 50 MB page read in full > 50 MB more
    assert crawl.maxrss < PEAK_RSS_LIMIT, crawl.maxrss // 2**20


def test_no_temp_empty_or_stray_file(crawl: Crawl) -> None:
    posts = crawl.archive / "_posts"
    for p in crawl.archive.rglob("*"):
        if p.is_file():
            assert not (p.name.startswith(postformat.TEMP_PREFIX)
                        and p.name.endswith(postformat.TEMP_SUFFIX)), p
            assert p.parent != posts or (p.suffix == ".md" and p.stat().st_size > 0), p
    assert {p.name for p in crawl.archive.iterdir()} == {"_posts", ".newsarchive"}
    assert files_outside(crawl.base, crawl.archive) == crawl.before


def test_transport_settings_are_sane() -> None:
    s = project_settings
    assert s.RETRY_ENABLED and 2 <= s.RETRY_TIMES <= 5
    assert {500, 502, 503, 504, 429}.issubset(s.RETRY_HTTP_CODES)
    assert not {400, 401, 403, 404, 410} & set(s.RETRY_HTTP_CODES)
    assert 1 <= s.REDIRECT_MAX_TIMES <= 10
    assert s.DOWNLOAD_MAXSIZE == 16 * 1024 * 1024 and s.DOWNLOAD_WARNSIZE < s.DOWNLOAD_MAXSIZE
    assert 0 < s.DOWNLOAD_TIMEOUT <= 60
    assert getattr(s, "DOWNLOAD_FAIL_ON_DATALOSS", True) is True
    assert all(s.DOWNLOAD_HANDLERS[k] is None for k in ("file", "data", "ftp", "s3"))
    mws = s.DOWNLOADER_MIDDLEWARES
    assert mws["scrapy.downloadermiddlewares.offsite.OffsiteMiddleware"] is None
    assert mws["crawler.downloadsafety.PortalOffsiteMiddleware"] == 50
