"""newsarchive.toml: checking (every error names file, portal and key), settings below -s,
feeds, and the config portal parser's exact slices."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler import config
from crawler.commands.archive import load_feeds
from crawler.config import ConfigError
from crawler.parsers import configportal
from crawler.parsers.common import LayoutError
from crawler.sites import SITES
from tests.helpers import ROOT

PORTAL = """
[[portals]]
name = "news"
start_url = "https://www.news.example/list/"
categories = ["a", "b", "c"]
author = "News"
  [portals.list]
  links = "h2 > a"
  [portals.article]
  id = '/n/(\\d+)\\.html'
  title = "h1"
  date = "span.time"
  body = "div.body"
"""


def load(tmp_path: Path, text: str) -> config.Config:
    path = tmp_path / "newsarchive.toml"
    path.write_text(text, encoding="utf-8")
    return config.load(path, tuple(SITES))


@pytest.mark.parametrize(("edit", "message"), [
    (("author = \"News\"", "author = \"News\"\ncolour = \"red\""),
     "portal 'news': colour: unknown key"),
    (("  body = \"div.body\"\n", ""), "portal 'news': article.body: missing (required)"),
    (("links = \"h2 > a\"", "links = \"h2 >\""), "portal 'news': list.links: selector 'h2 >' does not parse"),
    (("body = \"div.body\"", "body = \"div.body::text\""), "portal 'news': article.body: 'div.body::text': must select elements"),
    (("id = '/n/(\\d+)\\.html'", "id = '/n/\\d+\\.html'"), "portal 'news': article.id: regex '/n/\\d+\\.html' must have exactly one group (it has 0)"),
    (("id = '/n/(\\d+)\\.html'", "id = '/n/(\\d+'"), "portal 'news': article.id: regex '/n/(\\d+' does not compile"),
    (("author = \"News\"", "author = \"News\"\ntimezone = \"Asia/Nowhere\""), "portal 'news': timezone: unknown time zone 'Asia/Nowhere'"),
    (("name = \"news\"", "name = \"ofweek\""), "portal 'ofweek': name: is a built-in portal or spider"),
    (("name = \"news\"", "name = \"feed\""), "portal 'feed': name: is a built-in portal or spider"),
    (("name = \"news\"", "name = \"News!\""), "portal 'News!': name: 'News!': lower-case letters"),
    (("author = \"News\"", "author = \"News\"\ncharset = \"klingon\""), "portal 'news': charset: unknown charset 'klingon'"),
    (("author = \"News\"", "author = \"News\"\nmax_pages = 0"), "portal 'news': max_pages: a whole number of at least 1"),
    (("start_url = \"https://www.news.example/list/\"", "start_url = \"file:///etc/passwd\""), "portal 'news': start_url: must be an http(s) URL"),
])
def test_a_bad_portal_is_named_with_its_key(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    assert edit[0] in PORTAL
    with pytest.raises(ConfigError) as err:
        load(tmp_path, PORTAL.replace(edit[0], edit[1], 1))
    assert str(err.value).startswith(f"{tmp_path / 'newsarchive.toml'}: {message}"), str(err.value)


def test_duplicate_names_unknown_tables_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"portal 'news': name: used by another portal"):
        load(tmp_path, PORTAL + PORTAL)
    with pytest.raises(ConfigError, match=r"newsarchive.toml: portal: unknown key"):
        load(tmp_path, "[portal]\nname = 1\n")
    with pytest.raises(ConfigError, match=r"not TOML: .*line 1"):
        load(tmp_path, "[archive\n")
    with pytest.raises(ConfigError, match=r"archive.sites: unknown site\(s\) nope"):
        load(tmp_path, "[archive]\nsites = [\"ofweek\", \"nope\"]\n")
    with pytest.raises(ConfigError, match=r"feeds\[1\].url: missing"):
        load(tmp_path, "[[feeds]]\nsite = \"x\"\n")


def test_settings_apply_below_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "newsarchive.toml"
    path.write_text('[archive]\ndir = "arch"\ncontact = "mailto:me@example.org"\nimages = "remote"\n'
                    'sites = ["news", "flash"]\n[settings]\nDOWNLOAD_DELAY = 3.5\n'
                    '[[feeds]]\nurl = "https://rsshub.app/36kr/newsflashes"\nsite = "flash"\n'
                    'categories = ["新媒体", "36kr", "快讯"]\nauthor = "36kr"\n' + PORTAL, encoding="utf-8")
    settings = Settings({"ARCHIVE_DIR": "./archive", "IMAGES_MODE": "local"}, priority="project")
    settings.set("CONFIG", str(path), priority="cmdline")
    settings.set("IMAGES_MODE", "local", priority="cmdline")          # -s IMAGES_MODE=local
    got = config.apply(settings)
    assert [p.name for p in got.portals] == ["news"]
    assert settings["ARCHIVE_DIR"] == str(tmp_path / "arch")           # relative to the file
    assert settings["IMAGES_MODE"] == "local"                          # -s wins
    assert settings["CONTACT"] == "mailto:me@example.org"
    assert settings.getfloat("DOWNLOAD_DELAY") == 3.5
    assert settings.getlist("ARCHIVE_SITES") == ["news", "flash"]
    assert load_feeds(settings.get("ARCHIVE_FEEDS")) == [
        {"url": "https://rsshub.app/36kr/newsflashes", "site": "flash",
         "categories": '["新媒体", "36kr", "快讯"]', "author": "36kr"}]


def test_the_example_config_loads() -> None:
    got = config.load(ROOT / "newsarchive.example.toml", tuple(SITES))
    assert [p.name for p in got.portals] == ["3dmgame", "199it"]


# --- the parser -----------------------------------------------------------------------------

def rules(tmp_path: Path, **article: str) -> config.PortalRules:
    text = PORTAL
    for key, value in article.items():
        text += f"  {key} = {value}\n"
    return load(tmp_path, text).portals[0]


def test_body_is_an_exact_slice_with_elements_cut_out(tmp_path: Path) -> None:
    r = rules(tmp_path, remove='[".ad", "p.note"]')
    page = ('<html><body><h1> T &amp; U </h1><span class="time">2022/6/22 20:16</span>'
            '<div class="body" id=x>\n<p>A&reg;<br>B<img src=/i.png alt=\'q\'></p>'
            '<div class=ad><div>ad</div></div><p class="note">n<p>kept\n<!-- <div> --></div>'
            '<div class="body">second</div></body></html>')
    got = configportal.parse_article(r, page, "https://www.news.example/n/7.html")
    a = got.article
    assert a.body == ('\n<p>A&reg;<br>B<img src=/i.png alt=\'q\' referrerpolicy="no-referrer"></p>'
                      '<p>kept\n<!-- <div> -->')
    assert a.title == "T & U" and a.article_id == "7" and a.image_urls == ["https://www.news.example/i.png"]
    assert a.published == datetime(2022, 6, 22, 12, 16, tzinfo=UTC)
    assert a.categories == ["a", "b", "c"] and a.author == "News"


def test_missing_body_or_date_names_the_selector_and_key(tmp_path: Path) -> None:
    r = rules(tmp_path)
    with pytest.raises(LayoutError, match=r"no-body: .*'div.body' \(portals.article.body in newsarchive.toml\)"):
        configportal.parse_article(r, "<h1>x</h1>", "https://www.news.example/n/1.html")
    with pytest.raises(LayoutError, match=r"no-date: .*'span.time': 'soon' is no date"):
        configportal.parse_article(r, '<span class="time">soon</span><div class="body">b</div>',
                                   "https://www.news.example/n/1.html")
    with pytest.raises(LayoutError, match=r"never ends"):
        configportal.parse_article(r, '<span class="time">2022-01-01</span><div class="body"><p>cut',
                                   "https://www.news.example/n/1.html")


@pytest.mark.parametrize(("text", "fmt", "want"), [
    ("2021-04-25T16:06:43+08:00", None, "2021-04-25T08:06:43+00:00"),
    ("发布于 2022年6月22日 20:16", None, "2022-06-22T12:16:00+00:00"),
    ("2022.06.22 20:16:05 来源", None, "2022-06-22T12:16:05+00:00"),
    ("2022-06-22", None, "2022-06-21T16:00:00+00:00"),
    ("22/06/2022 20h16", "%d/%m/%Y %Hh%M", "2022-06-22T12:16:00+00:00"),
])
def test_dates(text: str, fmt: str | None, want: str) -> None:
    from zoneinfo import ZoneInfo
    got = configportal.parse_date(text, ZoneInfo("Asia/Shanghai"), fmt)
    assert got is not None and got.astimezone(UTC).isoformat() == want


def test_list_links_ids_and_next(tmp_path: Path) -> None:
    r = rules(tmp_path)
    page = ('<h2><a href="/n/1.html"> One </a></h2><h2><a href="/n/1.html">dup</a></h2>'
            '<h2><a href="javascript:void(0)">js</a></h2><h2><a href="https://x.example/n/2.html">off</a></h2>')
    got = configportal.parse_list(r, page, "https://www.news.example/list/")
    assert [(e.url, e.title) for e in got.entries] == [
        ("https://www.news.example/n/1.html", "One"), ("https://x.example/n/2.html", "off")]
    assert configportal.article_id(r, "https://www.news.example/about.html") is None
