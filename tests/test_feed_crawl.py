"""`scrapy crawl feed` end to end: the real corpus (../shared/corpus) served back as RSS
feeds, one per portal label set, comes out byte for byte; a GBK feed; only new entries."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from crawler import postformat
from crawler.fixtureserver import FixtureServer
from tests.helpers import ROOT, corpus_posts, hexo_load, need_corpus, need_hexo

# All the feeds in one crawl of the feed spider, as `scrapy archive` runs them.
RUN = """import json, sys
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
jobs = json.load(open(sys.argv[1], encoding="utf-8"))
settings = get_project_settings()
settings.setdict(jobs["settings"], priority="cmdline")
process = CrawlerProcess(settings)
process.crawl("feed", feeds=jobs["crawls"])
process.start()
"""


def rss(title: str, items: list[dict[str, str]], encoding: str = "utf-8",
        declared: str | None = None) -> bytes:
    parts = [f'<?xml version="1.0" encoding="{declared or encoding}"?>\n<rss version="2.0"><channel>'
             f"<title>{escape(title)}</title><link>https://example.org/</link>"]
    for it in items:
        parts.append(f"<item><title>{escape(it['title'])}</title><link>{escape(it['link'])}</link>"
                     f"<guid>{escape(it['link'])}</guid><pubDate>{escape(it['date'])}</pubDate>"
                     f"<description>{escape(it['body'])}</description></item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode(encoding)


def run(tmp: Path, crawls: list[dict[str, str]], archive: Path, images: str = "remote") -> str:
    jobs = tmp / f"jobs-{len(list(tmp.glob('jobs-*')))}.json"
    settings = {"ARCHIVE_DIR": str(archive), "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                "LOG_LEVEL": "INFO", **({"IMAGES_MODE": images} if images != "default" else {})}
    jobs.write_text(json.dumps({"crawls": crawls, "settings": settings}), encoding="utf-8")
    res = subprocess.run([sys.executable, "-c", RUN, str(jobs)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    return res.stderr


def feed_id(link: str) -> str:
    """The documented id of an entry without a site parser: sha1(guid)[:16]."""
    return hashlib.sha1(link.encode()).hexdigest()[:16]


@pytest.fixture(scope="module")
def corpus_crawl(tmp_path_factory: pytest.TempPathFactory) -> dict:
    need_corpus()
    tmp = tmp_path_factory.mktemp("feeds")
    groups: dict[tuple, list[tuple[Path, postformat.Article]]] = defaultdict(list)
    for path in corpus_posts():
        art = postformat.read(path.read_text(encoding="utf-8"))
        groups[(tuple(art.categories), art.author)].append((path, art))
    site_dir = tmp / "site"
    site_dir.mkdir()
    crawls, expected = [], {}
    with FixtureServer(site_dir) as srv:
        for n, ((categories, author), posts) in enumerate(sorted(groups.items())):
            items = []
            for path, art in posts:
                link = f"https://example.org/{n}/{path.stem}"
                items.append({"title": art.title, "link": link, "body": art.body,
                              "date": art.published if isinstance(art.published, str)
                              else postformat.format_date(art.published)})
                expected[f"corpus{n}-{feed_id(link)}.md"] = path
            (site_dir / f"feed{n}.xml").write_bytes(rss(categories[1], items))
            crawls.append({"url": srv.url(f"/feed{n}.xml"), "site": f"corpus{n}",
                           "categories": json.dumps(categories, ensure_ascii=False),
                           "author": author})
        log = run(tmp, crawls, tmp / "archive")
        requests_before = len(srv.requests)
        rerun_log = run(tmp, crawls, tmp / "archive")
        rerun_requests = srv.requests[requests_before:]
    return {"archive": tmp / "archive", "expected": expected, "log": log,
            "rerun_log": rerun_log, "rerun_requests": rerun_requests, "feeds": len(crawls)}


HEAD = re.compile(r"^(headimg|thumbnail): '(https://picsum\.photos/400/300\?random=\d+)'$", re.M)


def test_every_corpus_post_comes_back_byte_for_byte(corpus_crawl: dict) -> None:
    posts = corpus_crawl["archive"] / "_posts"
    assert sorted(p.name for p in posts.iterdir()) == sorted(corpus_crawl["expected"])
    for name, source in corpus_crawl["expected"].items():
        want = source.read_text(encoding="utf-8")
        got = (posts / name).read_text(encoding="utf-8")
        # The generator's placeholder number was random; ours derives from the id.
        if HEAD.search(want):
            want, got = HEAD.sub(r"\1: 'PLACEHOLDER'", want), HEAD.sub(r"\1: 'PLACEHOLDER'", got)
        assert got == want, source.name


def test_a_rerun_fetches_only_the_feeds_and_writes_nothing(corpus_crawl: dict) -> None:
    assert sorted(r for r in corpus_crawl["rerun_requests"] if r != "/robots.txt") == sorted(
        f"/feed{n}.xml" for n in range(corpus_crawl["feeds"]))
    assert "'newsarchive/posts/written'" not in corpus_crawl["rerun_log"]
    archived = sum(int(n) for n in re.findall(r"'newsarchive/already_archived': (\d+)",
                                              corpus_crawl["rerun_log"]))
    assert archived == len(corpus_crawl["expected"])


def test_hexo_loads_the_feed_posts(corpus_crawl: dict) -> None:
    need_hexo()
    posts = hexo_load(corpus_crawl["archive"])
    assert len(posts) == len(corpus_crawl["expected"])


def test_gbk_feed_with_default_labels(tmp_path: Path) -> None:
    items = [{"title": "镕铭㈱ 新品", "link": "https://www.example.cn/a/1.html",
              "date": "Wed, 27 Jul 2022 07:31:24 GMT", "body": "<p>正文•镕</p>"}]
    (tmp_path / "site").mkdir()
    # labelled gb2312 as Chinese sites do, with characters only GBK/GB18030 have (镕 ㈱ •)
    (tmp_path / "site" / "rss.xml").write_bytes(rss("某门户 - 资讯", items, "gb18030", "gb2312"))
    data = (tmp_path / "site" / "rss.xml").read_bytes()
    assert b"\xe9\x95\x95" not in data                      # really GB-encoded, not UTF-8
    with FixtureServer(tmp_path / "site") as srv:
        log = run(tmp_path, [{"url": srv.url("/rss.xml")}], tmp_path / "archive")
    # and no server of Scrapy's remote control (2.19+: it runs posted code) is started
    assert "Enabled extensions" in log and "remote_control" not in log and "Remote control" not in log
    post = (tmp_path / "archive" / "_posts" / f"feed-{feed_id(items[0]['link'])}.md").read_text("utf-8")
    assert "title: '镕铭㈱ 新品'" in post and "<p>正文•镕</p>" in post
    assert "categories: \n - 某门户 - 资讯\n" in post and "author: 某门户 - 资讯\n" in post
    assert "date: Wed, 27 Jul 2022 07:31:24 GMT\n" in post


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    for args in (["-a", "site=../x", "-a", "url=http://127.0.0.1:9/"], ["-a", "site=x"],
                 ["-a", "url=file:///etc/passwd"]):
        res = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "feed", *args,
                              "-s", f"ARCHIVE_DIR={tmp_path}"], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
        assert res.returncode == 2, res.stderr[-500:]                 # a usage error
        assert "Traceback" not in res.stderr and "Task exception" not in res.stderr
        assert res.stderr.splitlines()[-2:][0] == "crawl: could not start:", res.stderr[-500:]
        assert res.stderr.splitlines()[-1].startswith("  feed: "), res.stderr[-500:]


def test_local_images_from_a_feed(tmp_path: Path) -> None:
    from PIL import Image

    from tests.imageserver import encode, photo

    (tmp_path / "site" / "img").mkdir(parents=True)
    (tmp_path / "site" / "img" / "a.jpg").write_bytes(encode(photo((2400, 1200), 7), "JPEG"))
    with FixtureServer(tmp_path / "site") as srv:
        src = srv.url("/img/a.jpg")
        items = [{"title": "图", "link": "https://www.example.cn/a/2.html",
                  "date": "Wed, 27 Jul 2022 07:31:24 GMT", "body": f'<p><img src="{src}"></p>'}]
        (tmp_path / "site" / "rss.xml").write_bytes(rss("图集", items))
        jobs = [{"url": srv.url("/rss.xml"), "site": "pics", "categories": "新媒体,图集,最新",
                 "author": "图集"}]
        run(tmp_path, jobs, tmp_path / "archive", images="default")     # local, the default
    h = hashlib.sha1(src.encode()).hexdigest()
    local = f"/images/{h[:2]}/{h}.jpg"
    post = (tmp_path / "archive" / "_posts" / f"pics-{feed_id(items[0]['link'])}.md").read_text("utf-8")
    assert f'<img src="{local}" referrerpolicy="no-referrer">' in post
    assert f"headimg: '{local}'" in post
    with Image.open(tmp_path / "archive" / local.lstrip("/")) as im:
        assert im.size == (1600, 800)


def test_feed_titles_keep_their_inner_spaces(tmp_path: Path) -> None:
    """Titles as the feed gives them: inner runs of spaces kept (the generator kept them), the
    ends trimmed, a line break or tab inside made one space."""
    titles = ["520特别活动 _  2行代码", "  ends  trimmed  ", "two\n   lines\tand a tab"]
    items = [{"title": t, "link": f"https://www.example.cn/a/{n}.html",
              "date": "Wed, 27 Jul 2022 07:31:24 GMT", "body": "<p>x</p>"} for n, t in enumerate(titles)]
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "rss.xml").write_bytes(rss("门户", items))
    with FixtureServer(tmp_path / "site") as srv:
        run(tmp_path, [{"url": srv.url("/rss.xml")}], tmp_path / "archive")
    got = [postformat.read((tmp_path / "archive" / "_posts" / f"feed-{feed_id(it['link'])}.md")
                           .read_text("utf-8")).title for it in items]
    assert got == ["520特别活动 _  2行代码", "ends  trimmed", "two lines and a tab"]


def test_a_crawl_under_another_reactor_writes_and_records_its_posts(tmp_path: Path) -> None:
    # Scrapy's default reactor is asyncio's (posts are handed back as asyncio futures); under
    # another one the writer's results come back as Deferreds (crawler/durable.py).
    items = [{"title": f"t{i}", "link": f"https://www.example.cn/a/{i}.html",
              "date": "Wed, 27 Jul 2022 07:31:24 GMT", "body": f"<p>b{i}</p>"} for i in range(3)]
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "rss.xml").write_bytes(rss("R", items))
    archive = tmp_path / "archive"
    with FixtureServer(tmp_path / "site") as srv:
        for written in (3, 0):                              # the rerun finds them recorded
            res = subprocess.run(
                [sys.executable, "-m", "scrapy.cmdline", "crawl", "feed", "-a", f"url={srv.url('/rss.xml')}",
                 "-s", f"ARCHIVE_DIR={archive}", "-s", "TWISTED_REACTOR=twisted.internet.selectreactor.SelectReactor",
                 "-s", "LOG_LEVEL=INFO"], cwd=ROOT, capture_output=True, text=True, timeout=120)
            assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr[-3000:]
            assert "SelectReactor" in res.stderr
            assert (f"'newsarchive/posts/written': {written}," in res.stderr) == bool(written), res.stderr[-2000:]
    assert sorted(p.name for p in (archive / "_posts").iterdir()) == sorted(
        f"feed-{feed_id(it['link'])}.md" for it in items)
