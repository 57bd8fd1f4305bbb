"""`scrapy sites`: every portal and configured feed, one line each (or `--json`), with the
layout versions each portal parser declares: at least one current and one of the corpus era."""
from __future__ import annotations

import json
import subprocess
import sys

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawler.parsers.layouts import CORPUS, CURRENT
from crawler.sites import SITES
from tests.helpers import ROOT

FEEDS = json.dumps([{"url": "https://rsshub.app/36kr/newsflashes", "site": "36kr-flash",
                     "categories": ["新媒体", "36kr", "快讯"], "author": "36kr"},
                    {"url": "https://example.org/feed.xml", "site": "ofweek-feed"}])


def sites(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "sites", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_one_line_per_portal_and_feed() -> None:
    res = sites("-s", f"ARCHIVE_FEEDS={FEEDS}")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert [ln.split("  ")[0] for ln in lines] == [*sorted(SITES), "36kr-flash", "ofweek-feed"]
    loader = SpiderLoader.from_settings(get_project_settings())
    for ln, key in zip(lines, sorted(SITES)):
        site, spider = SITES[key], loader.load(key)
        assert f"start {site.start_url}" in ln and "hosts " + ",".join(site.domains) in ln
        assert f"labels {' / '.join(site.categories)}  author {site.author}" in ln
        shown = [f"{kind} " + ", ".join(f"{x.name} ({x.era})" for x in layouts)
                 for kind, layouts in (("list", spider.list_layouts), ("article", spider.article_layouts))
                 if layouts]
        assert ln.endswith("  ".join(shown)) and shown, ln
    assert lines[-2] == ("36kr-flash  feed  start https://rsshub.app/36kr/newsflashes  "
                         "labels 新媒体 / 36kr / 快讯  author 36kr")
    assert lines[-1] == ("ofweek-feed  feed  start https://example.org/feed.xml  "
                         "labels (the feed's title)  author (the feed title)")


def test_json_lists_every_portal_with_current_and_corpus_layouts() -> None:
    res = sites("--json")
    assert res.returncode == 0, res.stderr
    records = {r["name"]: r for r in json.loads(res.stdout)}
    assert set(records) == set(SITES)
    for name, record in records.items():
        for kind, layouts in record["layouts"].items():
            eras = [v["era"] for v in layouts]
            if kind == "article" and not eras:
                continue                                            # 36kr: no article page
            assert CURRENT in eras and CORPUS in eras, (name, kind, eras)
            assert eras.index(CURRENT) < eras.index(CORPUS), (name, kind)   # newest first
            for version in layouts:
                assert version["marker"] and version["fields"] and version["source"], (name, version)


def test_bad_feeds_setting_is_a_usage_error() -> None:
    res = sites("-s", "ARCHIVE_FEEDS=[{\"site\": \"x\"}]")
    assert res.returncode == 2 and "feed 1 needs" in res.stderr
