"""The command line tells the user what happened (issue 13, cases 3 to 8): `scrapy crawl`
ends like `scrapy archive` (a summary line, archive's exit codes), usage errors are one line
and exit 2 in every command, settings and `-a` names are checked, Ctrl-C says so (130)."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler import fixturecrawl
from crawler.archive import ArchiveLock
from tests.helpers import ROOT
from tests.hostile.server import HostileServer, slow
from tests.ofweeklike import FakeArticle, build

FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "IMAGES_MODE=remote")


def scrapy(*args: str, out: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scrapy", *args, "-s", f"ARCHIVE_DIR={out}"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def one_line(res: subprocess.CompletedProcess) -> str:
    """The only line of stderr, once it is checked there is no traceback."""
    assert "Traceback" not in res.stderr and "Task exception" not in res.stderr, res.stderr
    lines = [x for x in res.stderr.splitlines() if "[scrapy.utils.log]" not in x
             and not x.startswith((" ", "{", "}", "'"))]
    assert len(lines) == 1, res.stderr
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_crawl_that_fetched_nothing_says_so_and_fails(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/CATList-8100-CHANGYIEXINWE.html"    # nobody listens
    res = scrapy("crawl", "ofweek", "-a", f"start_url={url}", "-s", "RETRY_TIMES=0",
                 "-s", "LOG_LEVEL=WARNING", *FAST, out=tmp_path / "a")
    assert res.returncode == 1, res.stderr[-2000:]
    assert res.stdout.startswith("ofweek: 0 new, 0 unchanged, 0 already archived, 1 skipped")
    assert "ofweek: skipped 1 (fetch-failed)" in res.stderr
    assert "ofweek: nothing could be fetched" in res.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("crawl", "ofweek", "-a", "max_pages=abc"), "crawl: could not start"),
    (("crawl", "ofweek", "-s", "IMAGES_MODE=bogus"), "crawl: IMAGES_MODE must be one of remote, local"),
    (("crawl", "ofweek", "-s", "DOWNLOAD_DELAY=abc"), "crawl: setting DOWNLOAD_DELAY must be a number, not 'abc'"),
    (("crawl", "ofweek", "-s", "LAYOUT_MIN_COVERAGE=x"), "crawl: setting LAYOUT_MIN_COVERAGE must be a JSON object"),
    (("crawl", "ofweek", "-a", "maxpages=2"),
     "crawl: unknown argument(s): -a maxpages (known: max_pages, refresh, start_url)"),
    (("archive", "-a", "maxpages=2"), "archive: unknown argument(s): -a maxpages (known: "),
    (("archive", "-a", "start_url=http://127.0.0.1:9/"), "archive: -a start_url needs exactly one site"),
    (("archive", "ofweek", "ithome", "-a", "start_url=http://127.0.0.1:9/"),
     "archive: -a start_url needs exactly one site"),
    (("demo", "--site", "bogus"), "demo: no fixture portal 'bogus' (known: "
     + ", ".join(sorted(p.site for p in fixturecrawl.portals())) + ")"),
])
def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    res = scrapy(*args, out=tmp_path / "a")
    assert res.returncode == 2, res.stderr[-2000:]
    assert one_line(res).startswith(message), res.stderr
    assert not list(tmp_path.glob("a/_posts/*"))                # nothing written


def test_a_feed_without_url_is_a_usage_error(tmp_path: Path) -> None:
    res = scrapy("crawl", "feed", "-s", "LOG_LEVEL=WARNING", out=tmp_path / "a")
    assert res.returncode == 2
    assert one_line(res) == "crawl: could not start:", res.stderr
    assert "  feed: give the feed: -a url=https://…" in res.stderr


def test_a_held_lock_is_exit_3_for_crawl_and_demo(tmp_path: Path) -> None:
    with ArchiveLock(tmp_path / "a"):
        res = scrapy("crawl", "ofweek", "-s", "LOG_LEVEL=WARNING", out=tmp_path / "a")
        demo = subprocess.run([sys.executable, "-m", "scrapy", "demo", str(tmp_path / "a")],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 3
    assert one_line(res).startswith("crawl: another run holds ")
    assert demo.returncode == 3, demo.stderr
    assert "crawl: another run holds " in demo.stderr and "Traceback" not in demo.stderr


def test_ctrl_c_says_interrupted_and_exits_130(tmp_path: Path) -> None:
    articles = [FakeArticle(str(45000001 + i), f"文章 {i}", f"<p>正文 {i}</p>") for i in range(3)]
    start = build(tmp_path / "site", articles)
    routes = {a.path: slow(30) for a in articles}              # article pages hang
    with HostileServer(tmp_path / "site", routes=routes) as srv:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "ofweek", "-a", f"start_url={srv.url(start)}",
               "-s", f"ARCHIVE_DIR={tmp_path / 'a'}", "-s", "LOG_LEVEL=WARNING", *FAST]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not any(r in routes for r in srv.requests) and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-2000:]
    assert "crawl: interrupted" in err
    assert out.startswith("ofweek: 0 new")
    assert not (tmp_path / "a" / ".newsarchive" / "ofweek.finished").exists()


def test_progress_every_interval_with_v_and_silence_under_cron(tmp_path: Path) -> None:
    """Issue 13, case 14: `archive -v` prints progress lines while it works; without -v and
    without a terminal (cron) it prints nothing."""
    articles = [FakeArticle(str(45000101 + i), f"文章 {i}",
                            f'<p>正文 {i}</p><p><img src="https://img.ofweek.com/{i}.jpg"></p>')
                for i in range(3)]
    start = build(tmp_path / "site", articles)
    routes = {a.path: slow(1.2) for a in articles}
    with HostileServer(tmp_path / "site", routes=routes) as srv:
        runs = [subprocess.run(
            [sys.executable, "-m", "scrapy", "archive", "ofweek", *v, "-a", f"start_url={srv.url(start)}",
             "-s", f"ARCHIVE_DIR={tmp_path / name}", "-s", "PROGRESS_INTERVAL=0.5",
             *FAST],
            cwd=ROOT, capture_output=True, text=True, timeout=120) for v, name in ((["-v"], "v"), ([], "cron"))]
    verbose, cron = runs
    assert verbose.returncode == cron.returncode == 0, verbose.stderr + cron.stderr
    progress = [x for x in verbose.stderr.splitlines() if x.endswith("requests so far")]
    assert len(progress) >= 2, verbose.stderr                 # 1.2 s pages, a line per 0.5 s
    assert progress[0].startswith("ofweek: 1 list page(s), ")
    assert verbose.stdout.startswith("ofweek: 3 new, ")
    assert cron.stdout == cron.stderr == ""


def test_demo_prints_commands_that_paste_and_does_the_same(tmp_path: Path) -> None:
    """`scrapy demo` ends with the two commands that redo it by hand: shell-quoted (a folder
    with a space), with every argument the demo used; pasted into shells, they archive the
    same posts, byte for byte."""
    first = tmp_path / "demo dir"
    res = subprocess.run([sys.executable, "-m", "scrapy", "demo", str(first), "-s", "IMAGES_MODE=remote"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    serve, crawl = (ln.strip() for ln in res.stdout.splitlines()[-2:])
    assert serve.startswith("python -m crawler.fixtureserver ") and crawl.startswith("scrapy crawl ")
    assert f"'ARCHIVE_DIR={first}'" in crawl and "IMAGES_MODE=remote" in crawl
    with socket.socket() as s:                        # a free port instead of the printed 8000
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    second = tmp_path / "by hand"
    serve = serve.replace(" 8000", f" {port}").replace("python ", f"{sys.executable} ", 1)
    crawl = (crawl.replace(":8000/", f":{port}/").replace(str(first), str(second))
             .replace("scrapy ", f"{sys.executable} -m scrapy ", 1))
    server = subprocess.Popen(serve, shell=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):                          # until it listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        again = subprocess.run(crawl, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=300)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert again.returncode == 0, again.stderr[-2000:]
    posts = sorted(p.name for p in (first / "_posts").glob("*.md"))
    assert posts and posts == sorted(p.name for p in (second / "_posts").glob("*.md"))
    for name in posts:
        assert (first / "_posts" / name).read_bytes() == (second / "_posts" / name).read_bytes()
