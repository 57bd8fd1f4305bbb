"""Full text from any link (issue 12), real crawls against 127.0.0.1:

- a summary-only feed (`-a fulltext=1`) whose links point at the OFweek fixture mirror, the
  3DMGame config-portal mirror, an unknown local page and a dead link: the OFweek post is
  byte for byte the `ofweek` spider's (seeds/ofweek/expected), the 3DMGame one the config
  portal's, the unknown page's body is trafilatura's (the feed's title and date), the dead
  link falls back to the summary and is counted; a rerun fetches nothing;
- `scrapy crawl page`: one URL (a mirror page with `-a site=`, an unknown page), a rerun a
  no-op, `refresh=1` fetches again.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from crawler import postformat
from crawler.fixtureserver import FixtureServer
from tests.helpers import ROOT

OFWEEK_URL = "https://www.ofweek.com/nev/2021-11/ART-71011-8500-30537445.html"
OFWEEK_POST = ROOT / "seeds/ofweek/expected/_posts/ofweek-30537445.md"
TDM_URL = "https://www.3dmgame.com/news/202606/3912401.html"
TDM_POST = ROOT / "seeds/3dmgame/expected/_posts/3dmgame-3912401.md"
EXAMPLE = ROOT / "newsarchive.example.toml"
GENERIC = ROOT / "tests/fulltext"


def stats_of(log: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"'([\w/.-]+)': (\d+)", log)}


def scrapy(archive: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict[str, int]]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", *args, "-s", f"ARCHIVE_DIR={archive}",
           "-s", "IMAGES_MODE=remote", "-s", f"CONFIG={EXAMPLE}", "-s", "DOWNLOAD_DELAY=0",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    return res, stats_of(res.stderr)


def rss(items: list[tuple[str, str, str, str]]) -> bytes:
    """(title, link, RFC 822 date, summary) items."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
             "<title>Mixed links</title><link>https://example.org/</link>"]
    for title, link, date, body in items:
        parts.append(f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
                     f"<guid>{escape(link)}</guid><pubDate>{date}</pubDate>"
                     f"<description>{escape(body)}</description></item>")
    return ("\n".join(parts) + "</channel></rss>").encode()


def test_summary_feed_fulltext(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(GENERIC, site)
    archive = tmp_path / "archive"
    ofweek_title = postformat.read(OFWEEK_POST.read_text(encoding="utf-8")).title
    tdm_title = postformat.read(TDM_POST.read_text(encoding="utf-8")).title
    with (FixtureServer(ROOT / "seeds/ofweek/site") as ofw, FixtureServer(ROOT / "seeds/3dmgame/site") as tdm,
          FixtureServer(site) as srv):
        page, dead = srv.url("/blog/2024/lighthouse.html"), srv.url("/blog/2024/gone.html")
        (site / "blog/2024/wait.html").write_text(
            "<html><head><title>Just a moment...</title></head><body><div>Checking your browser before "
            "accessing.</div><script src='/cdn-cgi/challenge-platform/x.js'></script></body></html>")
        (site / "feed.xml").write_bytes(rss([
            (ofweek_title, OFWEEK_URL, "Sun, 28 Nov 2021 03:00:00 GMT", "<p>summary only</p>"),
            (tdm_title, TDM_URL, "Fri, 12 Jun 2026 13:05:00 GMT", "<p>summary only</p>"),
            ("Skerry Point's last keeper", page, "Wed, 06 Mar 2024 10:00:00 GMT", "<p>A keeper…</p>"),
            ("Gone", dead, "Thu, 07 Mar 2024 10:00:00 GMT", "<p>The summary of a dead link.</p>"),
            ("Walled", srv.url("/blog/2024/wait.html"), "Fri, 08 Mar 2024 10:00:00 GMT",
             "<p>The summary of a walled page.</p>"),
        ]))
        args = ("feed", "-a", f"url={srv.url('/feed.xml')}", "-a", "site=mixed", "-a", "fulltext=1",
                "-a", f"mirrors=ofweek={ofw.origin},3dmgame={tdm.origin}")
        res, stats = scrapy(archive, *args)
        assert res.returncode == 0, res.stderr[-3000:]
        posts = archive / "_posts"
        # the portals' posts, byte for byte as their spiders write them
        assert (posts / "ofweek-30537445.md").read_bytes() == OFWEEK_POST.read_bytes()
        assert (posts / "3dmgame-3912401.md").read_bytes() == TDM_POST.read_bytes()
        # the unknown page: trafilatura's body (sanitized), the feed's title and date
        generic = [p for p in posts.iterdir() if p.name.startswith("mixed-")]
        assert len(generic) == 3
        texts = {p.read_text(encoding="utf-8") for p in generic}
        assert any("The summary of a walled page." in t for t in texts)
        full = next(t for t in texts if "Skerry" in t)
        post = postformat.read(full)
        assert post.title == "Skerry Point's last keeper"
        assert "06 Mar 2024 10:00:00 GMT" in full
        assert "hundred and twelve steps" in full and "never the same sea twice" in full
        assert f'src="{srv.url("/images/skerry-light.jpg")}"' in full
        assert 'href="https://example.org/museum/logbooks"' in full
        assert "Lovely piece" not in full and "Fog horns" not in full and "tracking" not in full
        assert any("The summary of a dead link." in t for t in texts)
        assert stats["newsarchive/fulltext/portal"] == 1
        assert stats["newsarchive/fulltext/config"] == 1
        assert stats["newsarchive/fulltext/generic"] == 1
        assert stats["newsarchive/fulltext/fallback/http-404"] == 1
        assert stats["newsarchive/fulltext/fallback/blocked"] == 1
        assert stats["newsarchive/posts/written"] == 5
        # a rerun: nothing new, no link fetched
        srv.requests.clear()
        ofw.requests.clear()
        res, stats = scrapy(archive, *args)
        assert res.returncode == 0, res.stderr[-3000:]
        assert "newsarchive/posts/written" not in stats
        assert [r for r in srv.requests if r != "/robots.txt"] == ["/feed.xml"]
        assert [r for r in ofw.requests if r != "/robots.txt"] == []


def test_page_command(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with FixtureServer(ROOT / "seeds/ofweek/site") as ofw, FixtureServer(GENERIC) as srv:
        mirror_page = ofw.url("/nev/2021-11/ART-71011-8500-30537445.html")
        res, stats = scrapy(archive, "page", "-a", f"url={mirror_page}", "-a", "site=ofweek")
        assert res.returncode == 0, res.stderr[-3000:]
        assert (archive / "_posts/ofweek-30537445.md").read_bytes() == OFWEEK_POST.read_bytes()
        assert stats["newsarchive/fulltext/portal"] == 1
        page = srv.url("/blog/2024/lighthouse.html")
        res, stats = scrapy(archive, "page", "-a", f"url={page}", "-a", "site=harbour",
                            "-a", "categories=Blogs,Harbour Notes", "-a", "author=Harbour Notes")
        assert res.returncode == 0, res.stderr[-3000:]
        assert stats["newsarchive/fulltext/generic"] == 1
        (post_file,) = (archive / "_posts").glob("harbour-*.md")
        post = postformat.read(post_file.read_text(encoding="utf-8"))
        assert post.title == "The last lighthouse keeper of Skerry Point"  # the page's
        assert (post.categories, post.author) == (["Blogs", "Harbour Notes"], "Harbour Notes")
        assert "Tue, 05 Mar 2024 08:41:00 GMT" in post_file.read_text(encoding="utf-8")
        # rerun: a no-op; refresh=1 fetches again
        srv.requests.clear()
        res, stats = scrapy(archive, "page", "-a", f"url={page}", "-a", "site=harbour")
        assert res.returncode == 0 and stats["newsarchive/already_archived"] == 1
        assert [r for r in srv.requests if r != "/robots.txt"] == []
        res, stats = scrapy(archive, "page", "-a", f"url={page}", "-a", "site=harbour", "-a", "refresh=1")
        assert res.returncode == 0 and stats["newsarchive/fulltext/generic"] == 1
        # a dead page: a counted skip, nothing written
        res, stats = scrapy(archive, "page", "-a", f"url={srv.url('/nothing.html')}")
        assert stats["newsarchive/skipped/http-404"] == 1
        assert not list((archive / "_posts").glob("page-*.md"))
