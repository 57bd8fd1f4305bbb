"""`scrapy probe`: the first list page and up to N articles of each site, archived or not,
with the layout version of every page and the fields it gave; nothing written; exit codes
0 (ok), 4 (layout alarm), 5 (blocked), 2 (usage)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import fixturecrawl
from crawler.fixtureserver import FixtureServer
from tests.helpers import ROOT
from tests.hostile.server import HostileServer, page
from tests.portalcrawl import crawl

PORTALS = fixturecrawl.portals()
OFWEEK = next(p for p in PORTALS if p.site == "ofweek")
ARTICLE_LINE = re.compile(r"^  (https?://\S+): layout (\S+): (.*)$", re.M)


def probe(origin: str, portal: fixturecrawl.Portal, out: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scrapy", "probe", portal.spider,
           "-a", f"start_url={origin}{portal.start_path}", *portal.spider_args, *portal.config_args, *args,
           "-s", f"ARCHIVE_DIR={out}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("portal", PORTALS, ids=[p.site for p in PORTALS])
def test_probe_reads_every_fixture_portal_and_writes_nothing(tmp_path: Path,
                                                             portal: fixturecrawl.Portal) -> None:
    out = tmp_path / "a"
    with FixtureServer(portal.site_dir) as srv:
        res = probe(srv.origin, portal, out)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == f"{portal.spider}: ok"
    listed = re.match(r"  list (\S+): (\d+) links? \(layout (\S+)\)$", lines[1])
    assert listed and int(listed.group(2)) >= 1, res.stdout
    versions = {layout.name for layout in portal.spider_class().layouts}
    articles = ARTICLE_LINE.findall(res.stdout)
    others = res.stdout.count(": skipped (not-an-article)")
    assert len(articles) == min(3, int(listed.group(2)) - others), res.stdout
    for _, layout, fields in articles:
        assert layout in versions, (layout, versions)
        assert fields.startswith("title, date, body, "), fields
    assert listed.group(3) in versions
    assert not out.exists()                                  # no archive, no lock, no index


def test_probe_fetches_archived_articles_too_and_counts_images(tmp_path: Path) -> None:
    out = tmp_path / "a"
    with FixtureServer(OFWEEK.site_dir) as srv:
        res, _ = crawl(OFWEEK, out, args=("-a", "max_pages=100"), server=srv)
        assert res.returncode == 0
        before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
        srv.requests.clear()
        res = probe(srv.origin, OFWEEK, out, "-a", "articles=1")
        fetched = [r for r in srv.requests if r != "/robots.txt"]
    assert res.returncode == 0, res.stderr
    (url, _, fields), = ARTICLE_LINE.findall(res.stdout)
    assert fetched == [OFWEEK.start_path, url.split("ofweek.com", 1)[1]]     # archived, fetched
    case = next(c for c in OFWEEK.cases if c["article_url"] == url)
    want = len(re.findall(r"<img ", (OFWEEK.root / case["expected"]).read_text("utf-8")))
    assert want and fields == f"title, date, body, {want} image{'s' * (want > 1)}"
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_probe_says_layout_alarm_and_blocked(tmp_path: Path) -> None:
    broken = b"<html><head><meta charset='gbk'></head><body><div class='news'>redesigned</div></body></html>"
    challenge = b"<html><head><title>Just a moment...</title></head><body></body></html>"
    with HostileServer(OFWEEK.site_dir, routes={OFWEEK.start_path: page(broken)}) as srv:
        alarm = probe(srv.origin, OFWEEK, tmp_path / "a")
    with HostileServer(OFWEEK.site_dir, routes={OFWEEK.start_path: page(challenge)}) as srv:
        blocked = probe(srv.origin, OFWEEK, tmp_path / "b")
    assert alarm.returncode == 4, alarm.stdout + alarm.stderr
    assert alarm.stdout.splitlines()[0] == "ofweek: LAYOUT ALARM"
    assert "skipped (list-no-layout)" in alarm.stdout and "  layout alarm: the list page gave no" in alarm.stdout
    assert blocked.returncode == 5, blocked.stdout + blocked.stderr
    assert blocked.stdout.splitlines()[0] == "ofweek: BLOCKED"
    assert "skipped (blocked): a Cloudflare challenge" in blocked.stdout
    assert "layout alarm" not in blocked.stdout and "DOWNLOAD_DELAY" in blocked.stdout


def test_probe_usage_errors(tmp_path: Path) -> None:
    for args, message in ((["nosuchsite"], "unknown site(s): nosuchsite"),
                          (["ofweek", "-a", "articles=0"], "articles must be a whole number")):
        res = subprocess.run([sys.executable, "-m", "scrapy", "probe", *args, "-s",
                              f"ARCHIVE_DIR={tmp_path}"], cwd=ROOT, capture_output=True, text=True,
                             timeout=120)
        assert res.returncode == 2 and message in res.stderr, res.stderr
