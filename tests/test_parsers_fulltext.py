"""The full-text chain (crawler/parsers/fulltext.py) as pure functions: which step reads
a link, and the generic extractor on a page written for it (tests/fulltext/)."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from crawler import config
from crawler.parsers import fulltext, ofweek
from crawler.parsers.common import LayoutError
from tests.helpers import ROOT

RULES = config.load(ROOT / "newsarchive.example.toml", ()).portals
PAGE = (ROOT / "tests/fulltext/blog/2024/lighthouse.html").read_text(encoding="utf-8")
OFWEEK_URL = "https://www.ofweek.com/nev/2021-11/ART-71011-8500-30537445.html"


def test_resolve_steps() -> None:
    got = fulltext.resolve(OFWEEK_URL, RULES)
    assert (got.step, got.key, got.article_id) == ("portal", "ofweek", "30537445")
    got = fulltext.resolve("https://www.3dmgame.com/news/202606/3912401.html", RULES)
    assert (got.step, got.key, got.article_id) == ("config", "3dmgame", "3912401")
    other = "https://blog.example.org/2024/lighthouse.html"
    got = fulltext.resolve(other, RULES)
    assert (got.step, got.key) == ("generic", "")
    assert got.article_id == hashlib.sha1(other.encode()).hexdigest()[:16]
    # without the config, a config portal's link is just a page
    assert fulltext.resolve("https://www.3dmgame.com/news/202606/3912401.html").step == "generic"
    # `site` names the portal whatever the host (a mirror)
    got = fulltext.resolve("http://127.0.0.1:8000/nev/2021-11/ART-71011-8500-30537445.html", RULES, "ofweek")
    assert (got.step, got.key) == ("portal", "ofweek")
    got = fulltext.resolve("http://127.0.0.1:8000/news/202606/3912401.html", RULES, "3dmgame")
    assert (got.step, got.key) == ("config", "3dmgame")


def test_portal_step_is_the_portal_parser() -> None:
    text = (ROOT / "seeds/ofweek/site/nev/2021-11/ART-71011-8500-30537445.html").read_bytes()
    from crawler.parsers.charset import decode_gb

    page = decode_gb(text)
    got = fulltext.extract(fulltext.resolve(OFWEEK_URL, RULES), page, OFWEEK_URL)
    assert got.article == ofweek.parse_article(page, OFWEEK_URL).article


def test_generic_page() -> None:
    url = "https://harbour.example/blog/2024/lighthouse.html"
    got = fulltext.extract(fulltext.resolve(url, RULES), PAGE, url)
    a = got.article
    assert got.layout == "generic"
    assert a.title == "The last lighthouse keeper of Skerry Point"
    assert a.published == datetime(2024, 3, 5, 8, 41, tzinfo=UTC)
    assert "hundred and twelve steps" in a.body and "It was never the same sea twice." in a.body
    assert '<a href="https://example.org/museum/logbooks">harbour museum</a>' in a.body
    assert a.image_urls == ["https://harbour.example/images/skerry-light.jpg"]
    assert 'referrerpolicy="no-referrer"' in a.body
    for chrome in ("Subscribe", "Fog horns", "Lovely piece", "Privacy", "tracking"):
        assert chrome not in a.body
    assert not a.body.lstrip().startswith("<html")


@pytest.mark.parametrize(("page", "reason"), [
    ("<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav></body></html>", "no-body"),
    ("<html><head><title>Just a moment...</title></head><body><div id='cf'>Checking your browser before "
     "accessing example.org.</div><script src='/cdn-cgi/challenge-platform/x.js'></script></body></html>",
     "blocked"),
    ("", "no-body"),
])
def test_generic_nothing_extracted(page: str, reason: str) -> None:
    """A menu or a challenge stub is no article (trafilatura alone returns their text)."""
    with pytest.raises(LayoutError) as err:
        fulltext.generic(page, "https://example.org/")
    assert err.value.reason == reason


def test_generic_article_about_captchas_is_not_blocked() -> None:
    page = PAGE.replace("Visitors can", "A captcha guards the museum's booking site. Visitors can")
    assert "captcha" in fulltext.generic(page, "https://harbour.example/b").article.body


def test_config_fulltext_flag(tmp_path) -> None:
    path = tmp_path / "newsarchive.toml"
    path.write_text('[[feeds]]\nurl = "https://example.org/feed.xml"\nsite = "ex"\nfulltext = true\n')
    assert config.load(path, ()).feeds == [{"url": "https://example.org/feed.xml", "site": "ex", "fulltext": "1"}]
    path.write_text('[[feeds]]\nurl = "https://example.org/feed.xml"\nsite = "ex"\nfulltext = "yes"\n')
    with pytest.raises(config.ConfigError, match="fulltext"):
        config.load(path, ())


def test_archive_feeds_fulltext_key() -> None:
    from crawler.commands.archive import load_feeds
    from crawler.spiders.feed import FeedSpider

    (feed,) = load_feeds([{"url": "https://example.org/f.xml", "site": "ex", "fulltext": True}])
    assert FeedSpider(**feed).fulltext
    (feed,) = load_feeds('[{"url": "https://example.org/f.xml", "site": "ex", "fulltext": false}]')
    assert not FeedSpider(**feed).fulltext
