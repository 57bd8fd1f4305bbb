"""Portals declared in newsarchive.toml, crawled for real (subprocesses, 127.0.0.1 servers).

- the example config's 3DMGame and 199IT portals give the real corpus posts byte for byte
  from pages built around them (tests/configportals.py), read in place from ../shared/corpus;
- an unseen portal (a config written here, GBK pages, a date format, a time zone, an
  article over two pages, an ad cut out) archives byte-exact on a local mirror with
  `scrapy archive`, reruns with one request, shows in `scrapy sites`, and a broken variant
  raises the layout alarm naming the config key in `scrapy probe`;
- broken config files give exit 2 naming the file, the portal and the key, no traceback.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from crawler.fixtureserver import FixtureServer
from tests.configportals import it199_article, it199_list, tdm_article, tdm_list
from tests.helpers import CORPUS, ROOT, need_corpus

EXAMPLE = ROOT / "newsarchive.example.toml"
BEIJING = timezone(timedelta(hours=8))


def scrapy(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`scrapy ARGS` in `cwd` (the project's settings also from elsewhere)."""
    project = {"SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "scrapy", *args], check=False, cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **project, **(env or {})})


FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "IMAGES_MODE=remote")


# --- the corpus, through the example config ----------------------------------------------

def corpus_post(name: str) -> dict[str, str]:
    """Title, Beijing time and page body of a corpus post (its bytes, read here by hand)."""
    text = (CORPUS / name).read_text(encoding="utf-8")
    title = re.search(r"^title: '(.*)'$", text, re.MULTILINE).group(1)
    when = parsedate_to_datetime(re.search(r"^date: (.*)$", text, re.MULTILINE).group(1)).astimezone(BEIJING)
    head = "<div>   \n"
    body = text[text.index(head) + len(head):text.rindex("  \n</div>\n            ")]
    return {"title": title, "when": when, "text": text,
            "page_body": body.replace(' referrerpolicy="no-referrer"', ""),
            "random": (re.findall(r"random=(\d+)", text) or [""])[0]}


def id_with_placeholder(n: str, start: int) -> str:
    """An article id whose placeholder head image is random=n (sha1(id) % 10000, the
    project's rule; the generator's own was random)."""
    i = start
    while int(hashlib.sha1(str(i).encode()).hexdigest(), 16) % 10000 != int(n):
        i += 1
    return str(i)


@pytest.fixture(scope="module")
def corpus_crawl(tmp_path_factory: pytest.TempPathFactory) -> dict:
    need_corpus()
    names_3dm = sorted(p.name for p in CORPUS.glob("3dm_*.md"))
    names_199 = sorted(p.name for p in CORPUS.glob("199it_*.md"))
    if not names_3dm or not names_199:
        pytest.skip("no 3DMGame/199IT posts in the corpus")
    site = tmp_path_factory.mktemp("site")
    expected: dict[str, str] = {}
    tdm = "https://www.3dmgame.com"
    entries = []
    for n, name in enumerate(names_3dm):
        post = corpus_post(name)
        aid = str(3845000 + n)
        url = f"{tdm}/news/{post['when']:%Y%m}/{aid}.html"
        date = f"{post['when']:%Y-%m-%d %H:%M}"
        entries.append((url, post["title"], date))
        page = site / url.split("/", 3)[3]
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_bytes(tdm_article(post["title"], date, post["page_body"]))
        expected[f"3dmgame-{aid}.md"] = post["text"]
    (site / "news").mkdir(exist_ok=True)
    (site / "news" / "index.html").write_bytes(tdm_list(entries[:-1], next_url=f"{tdm}/news_2/"))
    (site / "news_2").mkdir()
    (site / "news_2" / "index.html").write_bytes(tdm_list(entries[-1:]))
    it = "http://www.199it.com"
    entries = []
    (site / "archives").mkdir()
    for n, name in enumerate(names_199):
        post = corpus_post(name)
        aid = id_with_placeholder(post["random"], 1250000 + 100000 * n)
        iso = post["when"].isoformat()
        entries.append((f"{it}/archives/{aid}.html", post["title"], iso))
        (site / "archives" / f"{aid}.html").write_bytes(it199_article(post["page_body"], iso))
        expected[f"199it-{aid}.md"] = post["text"]
    (site / "newly").mkdir()
    (site / "newly" / "index.html").write_bytes(it199_list(entries))
    archive = tmp_path_factory.mktemp("archive")
    results = []
    with FixtureServer(site) as srv:
        for name, path in (("3dmgame", "/news/"), ("199it", "/newly/")):
            results.append(scrapy("crawl", name, "-a", f"start_url={srv.url(path)}", *FAST,
                                  "-s", f"CONFIG={EXAMPLE}", "-s", f"ARCHIVE_DIR={archive}",
                                  "-s", "LOG_LEVEL=WARNING"))
    return {"archive": archive, "expected": expected, "results": results}


def test_example_config_gives_the_corpus_posts_byte_for_byte(corpus_crawl: dict) -> None:
    for res in corpus_crawl["results"]:
        assert res.returncode == 0, res.stderr[-3000:]
        assert "ERROR" not in res.stderr, res.stderr[-3000:]
    posts = corpus_crawl["archive"] / "_posts"
    assert sorted(p.name for p in posts.iterdir()) == sorted(corpus_crawl["expected"])
    for name, text in corpus_crawl["expected"].items():
        assert (posts / name).read_bytes() == text.encode("utf-8"), name


# --- an unseen portal ---------------------------------------------------------------------

CONFIG = """
[archive]
dir = "my-archive"
images = "remote"

[settings]
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = false

[[portals]]
name = "example-news"
start_url = "https://news.example.org/list/"
hosts = ["news.example.org", "img.example.org"]
charset = "gbk"
timezone = "Europe/Berlin"
categories = ["新媒体", "Example", "新闻"]
author = "Example"
max_pages = 3
  [portals.list]
  links = "ul.news-list li h2 > a"
  next = "a.next"
  [portals.article]
  id = '/news/(\\d+)\\.html'
  title = "h1"
  date = "span.time"
  date_format = "%Y年%m月%d日 %H:%M"
  body = "div.article-body"
  remove = [".ad", "script"]
  next_page = "#nextPage a"

[[portals]]
name = "broken-news"
start_url = "https://news.example.org/list/"
hosts = ["news.example.org"]
categories = ["新媒体", "Example", "新闻"]
author = "Example"
  [portals.list]
  links = "ul.news-list li h2 > a"
  [portals.article]
  id = '/news/(\\d+)\\.html'
  title = "h1"
  date = "div.pubdate"
  body = "div.article-body"
"""


def article(title: str, when: str, body: str, next_href: str = "") -> bytes:
    nxt = f'<div id="nextPage"><a href="{next_href}">下一页</a></div>' if next_href else ""
    return ('<html><head><meta charset="gbk"><title>x</title></head><body>'
            f'<h1>{title}</h1><p>发布：<span class="time">{when}</span></p>'
            f'<div class="article-body">{body}</div>{nxt}<div class="ad">footer</div></body></html>'
            ).encode("gbk")


# (id, title, Berlin time, page bodies, the post's body, head image)
BODY_1 = '\n  <p>第一段&nbsp;text</p><div class="ad"><div>广告</div><script>x()</script></div><p>第二段<br>\n'
UNSEEN = [
    ("101", "示例新闻一", "2026年01月15日 09:30", [BODY_1],
     '\n  <p>第一段&nbsp;text</p><p>第二段<br>\n', "https://picsum.photos/400/300?random={}"),
    ("102", "示例新闻二", "2026年07月01日 20:05",
     ['<p>上篇</p><img src="//img.example.org/a.png" alt="">',
      '<p>下篇<script>track()</script></p>'],
     '<p>上篇</p><img src="//img.example.org/a.png" alt="" referrerpolicy="no-referrer"><p>下篇</p>',
     "https://img.example.org/a.png"),
    ("103", "第二页的新闻", "2025年12月31日 23:59", ["<p>旧闻 {x}</p>"], "<p>旧闻 &#123;x&#125;</p>",
     "https://picsum.photos/400/300?random={}"),
]
DATES = {"101": "Thu, 15 Jan 2026 08:30:00 GMT",       # CET, UTC+1
         "102": "Wed, 01 Jul 2026 18:05:00 GMT",       # CEST, UTC+2
         "103": "Wed, 31 Dec 2025 22:59:00 GMT"}


def unseen_site(root: Path) -> None:
    (root / "list" / "2").mkdir(parents=True)
    (root / "news").mkdir()
    links = "".join(f'<li><h2><a href="/news/{i}.html">{t}</a></h2></li>' for i, t, *_ in UNSEEN[:2])
    (root / "list" / "index.html").write_bytes(
        f'<html><body><ul class="news-list">{links}<li><h2><a href="https://other.example.com/x">外链</a>'
        '</h2></li></ul><a class="next" href="/list/2/">下一页</a></body></html>'.encode("gbk"))
    i, t = UNSEEN[2][:2]
    (root / "list" / "2" / "index.html").write_bytes(
        f'<html><body><ul class="news-list"><li><h2><a href="/news/{i}.html">{t}</a></h2></li></ul>'
        '</body></html>'.encode("gbk"))
    for aid, title, when, pages, *_ in UNSEEN:
        for n, body in enumerate(pages):
            name = f"{aid}.html" if n == 0 else f"{aid}_{n + 1}.html"
            nxt = f"/news/{aid}_{n + 2}.html" if n + 1 < len(pages) else ""
            (root / "news" / name).write_bytes(article(title, when, body, nxt))


def expected_post(aid: str, title: str, body: str, head: str) -> str:
    head = head.format(int(hashlib.sha1(aid.encode()).hexdigest(), 16) % 10000)
    return (f"\n---\ntitle: '{title}'\ncategories: \n - 新媒体\n - Example\n - 新闻\n"
            f"headimg: '{head}'\nauthor: Example\ncomments: false\ndate: {DATES[aid]}\n"
            f"thumbnail: '{head}'\n---\n\n<div>   \n{body}  \n</div>\n            ")


@pytest.fixture(scope="module")
def unseen(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("user")
    (home / "newsarchive.toml").write_text(CONFIG, encoding="utf-8")
    site = tmp_path_factory.mktemp("mirror")
    unseen_site(site)
    env = {"NEWSARCHIVE_CONFIG": str(home / "newsarchive.toml")}     # the environment finds it
    out: dict = {"home": home}
    with FixtureServer(site) as srv:
        start = f"start_url={srv.url('/list/')}"
        out["first"] = scrapy("archive", "example-news", "-a", start, env=env)
        out["first_requests"] = list(srv.requests)
        srv.requests.clear()
        out["rerun"] = scrapy("archive", "example-news", "-v", "-a", start, env=env)
        out["rerun_requests"] = list(srv.requests)
        out["probe"] = scrapy("probe", "broken-news", "-a", start, "-s", "LAYOUT_MIN_ARTICLES=2", env=env)
    out["sites"] = scrapy("sites", "--json", env=env)
    return out


def test_unseen_portal_archives_byte_exact_from_a_mirror(unseen: dict) -> None:
    res = unseen["first"]
    assert res.returncode == 0, res.stderr[-3000:]
    posts = unseen["home"] / "my-archive" / "_posts"             # [archive] dir, relative to the file
    assert sorted(p.name for p in posts.iterdir()) == [f"example-news-{x[0]}.md" for x in UNSEEN]
    for aid, title, _, _, body, head in UNSEEN:
        assert (posts / f"example-news-{aid}.md").read_text(encoding="utf-8") == \
            expected_post(aid, title, body, head), aid
    assert "/list/2/" in unseen["first_requests"] and "/news/102_2.html" in unseen["first_requests"]


def test_unseen_portal_reruns_with_one_request(unseen: dict) -> None:
    res = unseen["rerun"]
    assert res.returncode == 0, res.stderr[-3000:]
    assert [r for r in unseen["rerun_requests"] if r != "/robots.txt"] == ["/list/"]
    assert "example-news: 0 new, 0 unchanged, 2 already archived" in res.stdout


def test_a_failing_config_selector_raises_the_layout_alarm_naming_its_key(unseen: dict) -> None:
    res = unseen["probe"]
    assert res.returncode == 4, res.stdout + res.stderr
    assert "div.pubdate" in res.stdout and "portals.article.date in newsarchive.toml" in res.stdout
    assert "no-date" in res.stdout


def test_sites_lists_config_portals_beside_the_built_in_ones(unseen: dict) -> None:
    assert unseen["sites"].returncode == 0, unseen["sites"].stderr
    records = {r["name"]: r for r in json.loads(unseen["sites"].stdout)}
    assert {"ofweek", "ithome", "example-news", "broken-news"} <= set(records)
    news = records["example-news"]
    assert news["config"] == str(unseen["home"] / "newsarchive.toml")
    assert news["hosts"] == ["news.example.org", "img.example.org"]
    assert news["layouts"]["article"][0]["fields"]["body"].startswith("div.article-body")


# --- broken files -------------------------------------------------------------------------

def test_a_broken_config_exits_2_naming_file_portal_and_key(tmp_path: Path) -> None:
    path = tmp_path / "newsarchive.toml"
    path.write_text(CONFIG.replace('timezone = "Europe/Berlin"', 'timezone = "Mars/Olympus"'),
                    encoding="utf-8")
    for args in (("archive",), ("crawl", "example-news"), ("sites",)):
        res = scrapy(*args, cwd=tmp_path)                             # ./newsarchive.toml
        assert res.returncode == 2, (args, res.stderr)
        assert "newsarchive.toml: portal 'example-news': timezone: unknown time zone 'Mars/Olympus'" \
            in res.stderr
        assert "Traceback" not in res.stderr
    res = scrapy("crawl", "ofweek", "-s", f"CONFIG={tmp_path / 'missing.toml'}")
    assert res.returncode == 2 and "missing.toml: no such config file" in res.stderr
    assert "Traceback" not in res.stderr
