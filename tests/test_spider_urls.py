"""Spider navigation helpers: portal hosts, mirrors, arguments."""
from __future__ import annotations

import pytest

from crawler.spiders.ofweek import OfweekSpider


def test_real_site_fetches_canonical_urls() -> None:
    s = OfweekSpider()
    assert s.mirror is None
    assert s.canonical_start == "https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html"
    for url in ["https://nev.ofweek.com/2021-12/ART-71011-8500-30540000.html",
                "https://mp.ofweek.com/iot/a156714195738", "http://images.ofweek.com/Upload/x.jpg"]:
        assert s.on_portal(url) and s.fetch_url(url) == url
    assert not s.on_portal("https://evilofweek.com/x") and not s.on_portal("https://ofweek.com.evil.io/")


def test_a_mirror_serves_every_portal_host_under_its_own() -> None:
    s = OfweekSpider(start_url="http://127.0.0.1:8123/CATList-8100-CHANGYIEXINWE-2.html")
    assert s.canonical_start == "https://www.ofweek.com/CATList-8100-CHANGYIEXINWE-2.html"
    assert s.fetch_url("https://mp.ofweek.com/iot/a1?x=1#f") == "http://127.0.0.1:8123/iot/a1?x=1"
    assert s.fetch_url("https://nev.ofweek.com/2021-12/ART-1-2-3.html") == (
        "http://127.0.0.1:8123/2021-12/ART-1-2-3.html")
    assert s.fetch_url("https://example.com/x") == "https://example.com/x"     # not the portal's
    assert "127.0.0.1" in s.allowed_domains


@pytest.mark.parametrize("kwargs", [{"start_url": "ftp://x/"}, {"start_url": "file:///etc/passwd"},
                                    {"max_pages": "many"}, {"max_pages": "0"}])
def test_bad_arguments_are_clear_errors(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        OfweekSpider(**kwargs)


@pytest.mark.parametrize("mode, message", [("bogus", "IMAGES_MODE must be one of")])
def test_bad_images_mode_fails_at_start(tmp_path, mode: str, message: str) -> None:
    import subprocess
    import sys

    from tests.helpers import ROOT
    res = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "ofweek", "-s", f"IMAGES_MODE={mode}",
                          "-s", f"ARCHIVE_DIR={tmp_path}", "-a", "start_url=http://127.0.0.1:9/x"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode != 0 and message in res.stderr
    assert not (tmp_path / "_posts").exists()
