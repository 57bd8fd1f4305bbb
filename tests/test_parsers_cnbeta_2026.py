"""cnBeta layout versions: today's (`2026`, seeds/cnbeta-2026) against hand-written expected
posts, and how a page's version is picked (the corpus era: test_parsers_cnbeta.py)."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.parsers import cnbeta
from crawler.parsers.cnbeta import (ARTICLE_LAYOUTS, LIST_LAYOUTS, LayoutError, assemble_body,
                                    assemble_body_2026, parse_article, parse_list)
from crawler.parsers.layouts import CORPUS, CURRENT
from crawler.postformat import read, render
from crawler.spiders.cnbeta import CnbetaSpider

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
FIX = SEEDS / "cnbeta-2026"
CASES = json.loads((FIX / "cases.json").read_text(encoding="utf-8"))
IDS = [c["name"] for c in CASES]
FEED = "https://www.cnbeta.com.tw/backend.php"
TW = "https://www.cnbeta.com.tw"
BEIJING = timezone(timedelta(hours=8))


def page(url: str) -> str:
    return (FIX / "site" / url.split("/", 3)[3]).read_bytes().decode("utf-8")


def expected(case: dict):
    return read((FIX / case["expected"]).read_text(encoding="utf-8"))


def by_name(name: str) -> dict:
    return next(c for c in CASES if c["name"] == name)


# --- the versions declared ----------------------------------------------------------

def test_versions_newest_first_with_evidence():
    for kind in (LIST_LAYOUTS, ARTICLE_LAYOUTS):
        assert [(x.name, x.era) for x in kind] == [("2026", CURRENT), ("corpus-2022", CORPUS)]
        assert all(x.source and x.marker and x.fields for x in kind)
    assert "cnbeta.com.tw" in ARTICLE_LAYOUTS[0].marker
    sel = CnbetaSpider.selectors                       # the layout alarm names both versions
    assert "2026: .article-summary + .article-content (minus .topic" in sel["body"]
    assert "corpus-2022: .article-summary p + <br> + .article-content" in sel["body"]
    assert sel["list"].startswith("2026: rss/channel/item") and "corpus-2022: rss/channel/item" in sel["list"]
    assert CnbetaSpider.layouts == LIST_LAYOUTS + ARTICLE_LAYOUTS


# --- the fixture itself --------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expected_posts_are_canonical(case: dict):
    text = (FIX / case["expected"]).read_text(encoding="utf-8")
    art = read(text)
    assert render(art) == text
    assert art.categories == ["新媒体", "cnBeta", "最新"] and art.author == "cnBeta"
    assert case["expected"] == f"expected/_posts/cnbeta-{case['article_id']}.md"
    assert art.published == case["published_gmt"]
    # today's rule: the summary's own <p>, then the content, nothing between
    assert art.body.startswith("<p") and "<br>" not in art.body
    assert art.body.endswith(("</p> ", "</div> "))
    for gone in ('class="topic"', "article-topic", "article-global", "adsbygoogle"):
        assert gone not in art.body
    assert art.body.count("<img ") == art.body.count(' referrerpolicy="no-referrer">')


def test_pages_carry_the_known_markup():
    for case in CASES:
        html = page(case["article_url"])
        assert f'<link rel="canonical" href="{case["article_url"]}">' in html
        assert '<div class="cnbeta-article-body">\n<div class="article-summary">' in html
        assert '<div class="article-content" id="artibody">' in html and "adsbygoogle" in html
        assert f'<div class="meta"><span>{case["page_date"]}</span><span class="source">' in html
        assert "www.cnbeta.com/" not in html.replace("www.cnbeta.com/articles/soft/1262391.htm", "")
        assert "referrerpolicy" not in html
    assert '<div class="article-summary"><div class="topic">' in page(
        by_name("topic-in-summary-global-in-content")["article_url"])


# --- the RSS --------------------------------------------------------------------------

def test_feed_entries_in_order_with_gmt_dates():
    lp = parse_list((FIX / "site" / "backend.php").read_bytes(), FEED)
    assert lp.layout == "2026" and lp.next_url is None
    utc = timezone.utc
    assert [(e.url, e.title, e.author, e.published) for e in lp.entries] == [
        (f"{TW}/articles/tech/1578712.htm", "华为发布鸿蒙PC新机型 首批搭载自研散热架构", "ugmbbc",
         datetime(2026, 9, 18, 14, 17, 41, tzinfo=utc)),
        (f"{TW}/articles/science/1578706.htm", "研究人员用深海微生物酶分解聚酯塑料 速度提高十倍", "ugmbbc",
         datetime(2026, 9, 18, 13, 38, 26, tzinfo=utc)),
        (f"{TW}/articles/soft/1578698.htm", "Firefox 145发布：标签页分组支持跨设备同步", "ugmbbc",
         datetime(2026, 9, 18, 12, 6, 20, tzinfo=utc)),
        (f"{TW}/articles/movie/1578688.htm", "AT&T与流媒体平台续约 体育直播套餐下月涨价", "ugmbbc",
         datetime(2026, 9, 17, 16, 5, 12, tzinfo=utc)),
    ]


def test_corpus_feed_is_the_corpus_version():
    rss = (SEEDS / "cnbeta" / "site" / "index.html").read_bytes()
    assert parse_list(rss, "https://rss.cnbeta.com/").layout == "corpus-2022"


def _rss(*links: str, channel: str = "") -> str:
    items = "".join(f"<item><title>T{i}</title><link>{u}</link><author>ugmbbc</author>"
                    f"<pubDate>Fri, 18 Sep 2026 14:17:41 GMT</pubDate></item>" for i, u in enumerate(links))
    return f'<?xml version="1.0" encoding="utf-8" ?><rss version="2.0"><channel>{channel}{items}</channel></rss>'


@pytest.mark.parametrize("text, layout", [
    (_rss(f"{TW}/articles/tech/1.htm"), "2026"),
    (_rss("https://www.cnbeta.com/articles/tech/1.htm"), "corpus-2022"),
    (_rss(channel="<link>https://www.cnbeta.com.tw</link>"), "2026"),                    # no item
    (_rss(channel="<link><![CDATA[ https://www.cnbeta.com ]]></link>"), "corpus-2022"),
    (_rss("https://www.cnbeta.com/articles/tech/1.htm", f"{TW}/articles/tech/2.htm"), "2026"),
    (_rss(), "2026"),                                                   # nothing to tell: today's
    (_rss("https://example.com/articles/tech/1.htm"), "2026"),
])
def test_list_version_by_the_hosts_the_feed_links(text: str, layout: str):
    assert parse_list(text, FEED).layout == layout


def test_a_malformed_link_costs_its_item_only():
    page = parse_list(_rss("http://[::1/articles/1.htm", f"{TW}/articles/tech/2.htm"), FEED)
    assert [e.url for e in page.entries] == [f"{TW}/articles/tech/2.htm"]
    assert parse_list(_rss(channel="<link>http://[::1/</link>"), FEED).entries == []


@pytest.mark.parametrize("url", ["http://[::1/articles/tech/1.htm", "https://[www.cnbeta.com.tw/articles/tech/1.htm"])
def test_article_id_of_a_malformed_url_is_none(url: str):
    assert cnbeta.article_id(url) is None


def test_one_article_whichever_host():
    lp = parse_list(_rss(f"{TW}/articles/tech/1578712.htm", "http://www.cnbeta.com/articles/tech/1578712.htm",
                         "https://rss.cnbeta.com.tw/articles/1578712.htm?from=rss",
                         f"{TW}/articles/tech/1578706.htm"), FEED)
    assert [e.url for e in lp.entries] == [f"{TW}/articles/tech/1578712.htm", f"{TW}/articles/tech/1578706.htm"]


# --- article pages ------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_article_matches_expected_post(case: dict):
    exp = expected(case)
    got = parse_article(page(case["article_url"]), case["article_url"])
    art = got.article
    assert got.layout == "2026"
    assert art.body == exp.body
    assert (art.site, art.url, art.article_id) == ("cnbeta", case["article_url"], case["article_id"])
    assert art.title == exp.title                                     # the page's h1, decoded
    y, mo, d, h, mi = map(int, re.findall(r"\d+", case["page_date"]))
    assert art.published == datetime(y, mo, d, h, mi, tzinfo=BEIJING)
    rss = datetime.strptime(case["published_gmt"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc)
    assert art.published == rss.replace(second=0)                    # same minute, other zone
    if art.image_urls:
        assert exp.headimg == exp.thumbnail == art.image_urls[0]
        assert all(u.startswith("https://static.cnbetacdn.com/article/2026/0918/") for u in art.image_urls)
    else:
        n = int(hashlib.sha1(case["article_id"].encode()).hexdigest(), 16) % 10000
        assert exp.headimg == f"https://picsum.photos/400/300?random={n}"


def test_the_rules_differ_on_todays_pages():
    """The corpus-era rule would write other bodies: the fixture tells the versions apart."""
    for case in CASES:
        html = page(case["article_url"])
        assert assemble_body(html) != assemble_body_2026(html)
    case = by_name("summary-image-two-paragraphs")
    html = page(case["article_url"])
    assert "<br>" in assemble_body(html) and "深海热泉" not in assemble_body(html)     # only the image p
    assert "深海热泉" in assemble_body_2026(html)


def test_topic_ads_and_topic_blocks_are_cut_exactly():
    case = by_name("topic-in-summary-global-in-content")
    html = page(case["article_url"])
    body = parse_article(html, case["article_url"]).article.body
    assert "huawei.png" not in body and "jd_640.jpg" not in body
    assert body.startswith("<p><strong>华为今日")
    summary = html[html.index('<div class="article-summary">') + 29:html.index("</div>\n<div class=\"article-ad\">")]
    assert body.startswith(re.sub(r'<div class="topic">.*?</div>', "", summary))


def test_old_host_links_in_the_content_do_not_make_it_old():
    case = by_name("relation-old-host-links-kept")
    got = parse_article(page(case["article_url"]), case["article_url"])
    assert got.layout == "2026"
    assert got.article.body.endswith(
        '<p><a href="https://www.cnbeta.com/articles/soft/1262391.htm" target="_blank">Firefox 100 正式版发布</a></p></div> ')


def test_corpus_pages_are_the_corpus_version():
    for case in json.loads((SEEDS / "cnbeta" / "cases.json").read_text(encoding="utf-8")):
        html = (SEEDS / "cnbeta" / "site" / case["article_url"].split("/", 3)[3]).read_text(encoding="utf-8")
        assert parse_article(html, case["article_url"]).layout == "corpus-2022"


# --- picking the version ---------------------------------------------------------------

def doc(head: str = "", links: str = "", summary: str = "<p>S</p>", content: str = "<p>c</p>") -> str:
    return (f"<html><head>{head}</head><body>{links}<div class=\"article-summary\">{summary}</div>"
            f"<div class=\"article-content\">{content}</div></body></html>")


CANON_TW = f'<link rel="canonical" href="{TW}/articles/tech/1.htm">'
CANON_COM = '<link rel="canonical" href="https://www.cnbeta.com/articles/tech/1.htm">'
A_TW, A_COM = f'<a href="{TW}/">首页</a>', '<a href="https://www.cnbeta.com/">首页</a>'
URL_TW, URL_COM = f"{TW}/articles/tech/1.htm", "https://www.cnbeta.com/articles/tech/1.htm"


@pytest.mark.parametrize("html, url, layout", [
    (doc(CANON_TW, A_COM), URL_COM, "2026"),                     # the canonical decides
    (doc(CANON_COM, A_TW), URL_TW, "corpus-2022"),
    (doc('<meta property="og:url" content="https://www.cnbeta.com/articles/1.htm">', A_TW), URL_TW, "corpus-2022"),
    (doc("", A_COM + A_TW), URL_COM, "2026"),                    # else its links: any on .com.tw
    (doc("", A_COM + '<a href="https://example.com.tw/">x</a>'), URL_TW, "corpus-2022"),
    (doc('<link rel="canonical" href="https://example.com/a">', A_COM), URL_TW, "corpus-2022"),
    (doc(), URL_COM, "corpus-2022"),                             # else its URL
    (doc(), URL_TW, "2026"),
    (doc("", '<a href="http://[::1/">x</a>'), "http://127.0.0.1:8000/articles/tech/1.htm", "2026"),   # else today's
])
def test_article_version_by_what_the_page_holds(html: str, url: str, layout: str):
    got = parse_article(html, url)
    assert got.layout == layout
    assert got.article.body == ("<p>S</p><p>c</p>" if layout == "2026" else "S<br><p>c</p>")


# --- today's body rule, unit cases ----------------------------------------------------------

@pytest.mark.parametrize("html, body", [
    # .topic, .article-topic, .article-global anywhere; class tokens exact
    (doc(summary='<div class="topic"><a><img src="t.png"></a></div><p>S</p><span class="topics">k</span>',
         content='<p>a</p><div class="x topic"><p>t</p></div><p class="article-global">ad</p><p>b</p> '),
     '<p>S</p><span class="topics">k</span><p>a</p><p>b</p> '),
    # the first summary left after removal; nested elements of the same name counted
    (doc(summary="<div><p>x</p></div><p>y</p>", content="<div><div>c</div></div>",
         links='<div class="topic"><div class="article-summary"><p>ad</p></div></div>'),
     "<div><p>x</p></div><p>y</p><div><div>c</div></div>"),
    # an empty summary is kept (nothing); text outside any p stays
    (doc(summary="", content="<p>c</p>"), "<p>c</p>"),
    (doc(summary="\n 导语 <b>b</b>", content="\n<p>c</p>"), "\n 导语 <b>b</b>\n<p>c</p>"),
    # never re-serialized
    (doc(summary="<P CLASS=x>&reg;<br/></P>", content="<p>&nbsp;&#123;<IMG SRC=a.webp></p>"),
     "<P CLASS=x>&reg;<br/></P><p>&nbsp;&#123;<IMG SRC=a.webp></p>"),
])
def test_assemble_body_2026(html: str, body: str):
    assert assemble_body_2026(html) == body


@pytest.mark.parametrize("html, reason, detail", [
    (doc(CANON_TW).replace('class="article-summary"', 'class="summary"'), "no-summary", "no .article-summary"),
    (doc(CANON_TW).replace("<p>S</p></div>", "<p>S</p><div>"), "no-summary", "unclosed .article-summary"),
    (doc(CANON_TW).replace('class="article-content"', 'class="content"'), "no-body", "no .article-content"),
    (doc(CANON_TW, content=' <p class="topic">t</p> '), "no-body", "empty .article-content"),
    # an ad block that never ends runs to the end of the page, the summary and content with it
    (doc(CANON_TW, links='<div class="article-global">'), "no-body", "no .article-content"),
])
def test_layout_errors_name_the_version_and_selector(html: str, reason: str, detail: str):
    with pytest.raises(LayoutError) as exc:
        parse_article(html, URL_TW)
    assert exc.value.reason == reason
    assert exc.value.detail.startswith(f"2026: {detail}")
    assert "(body: .article-summary + .article-content" in exc.value.detail


def test_a_malformed_image_url_is_kept_as_written():
    html = doc('<link rel="canonical" href="http://[::1/">', '<a href="http://[::1/">x</a>',
               content='<p><img src="http://[::1/a.jpg"><img src="/b.jpg"></p>')
    article = parse_article(html, URL_TW).article
    assert article.image_urls == ["http://[::1/a.jpg", "https://www.cnbeta.com.tw/b.jpg"]


def test_corpus_errors_name_their_version():
    with pytest.raises(LayoutError) as exc:
        parse_article(doc(CANON_COM, summary="<span>S</span>"), URL_COM)
    assert exc.value.reason == "no-summary" and exc.value.detail.startswith("corpus-2022: no .article-summary p")


def test_page_fallbacks_of_todays_page():
    case = by_name("no-image-entity-title-after-midnight")
    art = parse_article(page(case["article_url"]), case["article_url"]).article
    assert art.byline == "IT之家" and art.title == "AT&T与流媒体平台续约 体育直播套餐下月涨价"
    assert art.published == datetime(2026, 9, 18, 0, 5, tzinfo=BEIJING)
