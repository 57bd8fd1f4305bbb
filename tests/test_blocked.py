"""Blocked is not broken: anti-bot stubs, challenges, login walls and 403-like statuses are a
`blocked` skip and exit 5, never a layout alarm (exit 4); the next run retries them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler import fixturecrawl
from crawler.parsers.blocked import blocked_page, blocked_status
from tests.helpers import ROOT
from tests.hostile.server import HostileServer, page, status

PORTAL = next(p for p in fixturecrawl.portals() if p.site == "ofweek")
LIST = PORTAL.start_path
CASES = PORTAL.cases
ARTICLE_PATHS = [c["article_url"].split("ofweek.com", 1)[1] for c in CASES]

CHALLENGE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
             b"<script src=\"/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1\"></script>"
             b"</body></html>")
WAF = (b"<html><head><script>var _wafchallengeid='a1b2';document.cookie='x';location.reload()"
       b"</script></head><body></body></html>")
CAPTCHA = "<html><head><title>安全验证</title></head><body>请完成滑动验证后继续访问</body></html>".encode()


@pytest.mark.parametrize("text, seen", [
    ('<html><script>window.initialState={"isSpider":true};</script></html>', "isSpider"),
    (WAF.decode(), "_wafchallengeid"),
    (CHALLENGE.decode(), "Cloudflare"),
    (CAPTCHA.decode(), "captcha"),
    ("<html><head><title>用户登录 - 开源中国</title></head></html>", "login wall"),
    ("<html><head><title>403 Forbidden</title></head></html>", "access-denied"),
])
def test_markers(text: str, seen: str) -> None:
    assert seen in (blocked_page(text) or "")


def test_ordinary_pages_and_statuses() -> None:
    assert blocked_page("<html><title>Hello</title><p>no article here</p></html>") is None
    assert blocked_page("<html></html>", "https://www.oschina.net/home/login?goto=x") == \
        "a login wall (https://www.oschina.net/home/login?goto=x)"
    assert blocked_page("<html></html>", "https://www.oschina.net/news/1?from=login") is None
    assert [blocked_status(s) is not None for s in (403, 412, 418, 451, 404, 429, 500)] == \
        [True, True, True, True, False, False, False]


def archive(srv: HostileServer, out: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scrapy", "archive", "ofweek", "-v", "-a", f"start_url={srv.url(LIST)}",
           "-a", "max_pages=100", "-s", f"ARCHIVE_DIR={out}", "-s", "IMAGES_MODE=remote",
           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=0", *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("body", [CHALLENGE, WAF, CAPTCHA], ids=["cloudflare", "waf", "captcha"])
def test_blocked_list_page_exits_5_without_layout_alarm(tmp_path: Path, body: bytes) -> None:
    with HostileServer(PORTAL.site_dir, routes={LIST: page(body)}) as srv:
        res = archive(srv, tmp_path / "a")
        assert srv.hits(LIST) == 1 and not any(srv.hits(p) for p in ARTICLE_PATHS)
    assert res.returncode == 5, res.stderr
    assert "layout alarm" not in res.stderr
    assert "ofweek: blocked: 1 page(s) refused by the site" in res.stderr
    assert "DOWNLOAD_DELAY" in res.stderr and "CONTACT" in res.stderr     # what to try
    assert "skipped 1 (blocked)" in res.stderr
    assert res.stdout.startswith("ofweek: 0 new, 0 unchanged, 0 already archived, 1 skipped")


def test_forbidden_article_is_blocked_and_retried_next_run(tmp_path: Path) -> None:
    out, forbidden = tmp_path / "a", ARTICLE_PATHS[0]
    with HostileServer(PORTAL.site_dir, routes={forbidden: status(403)}) as srv:
        res = archive(srv, out)
    assert res.returncode == 5, res.stderr
    assert "skipped 1 (blocked)" in res.stderr and "layout alarm" not in res.stderr
    written = sorted(p.name for p in (out / "_posts").iterdir())
    assert len(written) == len(CASES) - 1 and Path(CASES[0]["expected"]).name not in written
    assert not (out / ".newsarchive" / "ofweek.finished").exists()       # the run is unfinished
    with HostileServer(PORTAL.site_dir) as srv:                            # the site lets us in again
        again = archive(srv, out)
        assert srv.hits(forbidden) == 1
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("ofweek: 1 new")
    assert (out / "_posts" / Path(CASES[0]["expected"]).name).read_bytes() == \
        (PORTAL.root / CASES[0]["expected"]).read_bytes()


def test_a_page_about_captchas_that_parses_is_not_blocked(tmp_path: Path) -> None:
    """Markers are read only on pages that fail to parse: an article that mentions a captcha
    (or 验证码) in its body is archived like any other."""
    path = ARTICLE_PATHS[1]
    raw = (PORTAL.site_dir / path.lstrip("/")).read_bytes()
    mention = "验证码 captcha geetest".encode("gb18030")
    cut = raw.index(b">", raw.index(b'id="articleC"')) + 1
    with HostileServer(PORTAL.site_dir, routes={path: page(raw[:cut] + mention + raw[cut:])}) as srv:
        res = archive(srv, tmp_path / "a")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"ofweek: {len(CASES)} new")
    post = tmp_path / "a" / "_posts" / Path(CASES[1]["expected"]).name
    assert "验证码 captcha geetest" in post.read_text(encoding="utf-8")
