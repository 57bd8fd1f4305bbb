"""End to end: a real `scrapy crawl ofweek` subprocess against the fixture portal on 127.0.0.1."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler import fixturecrawl
from crawler.fixtureserver import FixtureServer
from tests.portalcrawl import assert_every_case_archived, assert_hexo_loads, crawl, crawl_served
from tests.helpers import ROOT, SEED_POST

PORTAL = next((p for p in fixturecrawl.portals() if p.site == "ofweek"), None)
pytestmark = pytest.mark.skipif(PORTAL is None, reason="no seeds/ofweek fixture portal")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], list[str]]:
    return crawl_served(PORTAL, tmp_path_factory.mktemp("archive"), args=("-a", "max_pages=100"))


def test_every_case_is_archived_byte_for_byte(crawled: tuple[Path, dict, list]) -> None:
    out, stats, _ = crawled
    assert_every_case_archived(PORTAL, out, stats)


def test_the_seed_comes_out_byte_identical(crawled: tuple[Path, dict, list]) -> None:
    out, _, _ = crawled
    seed = SEED_POST.read_bytes()
    assert any(p.read_bytes() == seed for p in (out / "_posts").iterdir())


def test_pagination_is_followed_and_nothing_else_is_fetched(crawled: tuple[Path, dict, list]) -> None:
    _, stats, requests = crawled
    lists = [r for r in requests if "CATList" in r]
    assert len(lists) == len(set(lists)) >= 3
    assert stats["newsarchive/list_pages"] == len(lists)
    assert not [k for k in stats if k.startswith("newsarchive/skipped/")]


def test_layout_versions_are_counted(crawled: tuple[Path, dict, list]) -> None:
    _, stats, _ = crawled
    layouts = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
               if k.startswith("newsarchive/layout/ofweek/")}
    # 3 list pages and 7 div.artical article pages (4 one-page articles, one of 3 pages) are
    # the markup OFweek still serves; 2 div.article_left pages and the mp page are corpus-era
    assert layouts == {"2026": 3 + 7, "corpus-article_left": 2, "corpus-mp": 1}


def test_max_pages_limits_the_list_pages(tmp_path: Path) -> None:
    with FixtureServer(PORTAL.site_dir) as srv:
        res, stats = crawl(PORTAL, tmp_path, args=("-a", "max_pages=1"), server=srv)
        lists = [r for r in srv.requests if "CATList" in r]
    assert res.returncode == 0
    assert len(lists) == 1 and stats["newsarchive/list_pages"] == 1


def test_hexo_loads_what_the_crawl_wrote(crawled: tuple[Path, dict, list]) -> None:
    assert_hexo_loads(PORTAL, crawled[0])


def test_scrapy_validate_without_files_runs_the_seed_cases() -> None:
    res = subprocess.run([sys.executable, "-m", "scrapy", "validate"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert f"{sum(len(p.cases) for p in fixturecrawl.portals())} ok, 0 failed" in res.stdout
    assert all(f"ofweek/{c['name']}: ok" in res.stdout for c in PORTAL.cases)


def test_scrapy_validate_reports_a_broken_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a copy of the portal whose first case expects one byte more than the page gives
    copy = tmp_path / "ofweek"
    shutil.copytree(PORTAL.root, copy)
    case = PORTAL.cases[0]
    target = copy / case["expected"]
    target.write_bytes(target.read_bytes().replace(b"</div>\n", b"</div>\n\n", 1))
    monkeypatch.setattr(fixturecrawl, "SEEDS", tmp_path)
    from crawler.commands.validate import Command
    cmd = Command()
    import argparse
    assert cmd._validate_cases(argparse.Namespace(quiet=True)) == 1


# --- bad input: a counted skip, never a post -------------------------------------------

def broken_portal(tmp_path: Path, breakage: dict[str, bytes]) -> fixturecrawl.Portal:
    root = tmp_path / "ofweek"
    shutil.copytree(PORTAL.root, root)
    for case_name, data in breakage.items():
        case = next(c for c in PORTAL.cases if c["name"] == case_name)
        (root / "site" / urlsplit(case["article_url"]).path.lstrip("/")).write_bytes(data)
    return fixturecrawl.Portal("ofweek", root)


def test_bad_articles_are_counted_skips(tmp_path: Path) -> None:
    single = [c for c in PORTAL.cases if c["name"] != "seed" and len(c.get("pages", [1])) == 1]
    seed_case = next(c for c in PORTAL.cases if c["name"] == "seed")
    seed_page = (PORTAL.site_dir / urlsplit(seed_case["article_url"]).path.lstrip("/")).read_bytes()
    no_date = re.sub(rb'<div class="time fl">.*?</div>', b"", seed_page, count=1, flags=re.S)
    no_body = re.sub(rb'id="articleC"', b'id="articleX"', seed_page, count=1)
    assert no_date != seed_page and no_body != seed_page
    breakage = {
        single[0]["name"]: (b"<html><body><p>We moved!</p></body></html>", "no-layout"),
        single[1]["name"]: (b"<html><body>\x81\x30\xff\xff</body></html>", "undecodable"),
        single[2]["name"]: (no_date, "no-date"),
        single[3]["name"]: (no_body, "no-body"),
    }
    portal = broken_portal(tmp_path, {k: v[0] for k, v in breakage.items()})
    out = tmp_path / "out"
    res, stats = crawl(portal, out, args=("-a", "max_pages=100"))
    assert res.returncode == 4, res.stderr[-3000:]   # the bad pages push coverage below its thresholds: a layout alarm
    for _, reason in breakage.values():
        assert stats[f"newsarchive/skipped/{reason}"] == 1, reason
    written = {p.name for p in (out / "_posts").iterdir()}
    assert written == {Path(c["expected"]).name for c in PORTAL.cases
                       if c["name"] not in breakage}
    for p in (out / "_posts").iterdir():
        assert p.read_bytes() == (PORTAL.expected_posts / p.name).read_bytes()
