"""IT之家 parsers against the fixture portal (seeds/ithome) and hand-written expected posts."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from crawler.parsers.common import beijing_datetime
from crawler.parsers.ithome import (LayoutError, article_id, fix_lazy_images, is_article_url,
                                    parse_article, parse_list)
from crawler.parsers.rawhtml import inner_html
from crawler.postformat import read, render
from tests.helpers import REALPAGES, need_realpage

FIX = Path(__file__).resolve().parents[1] / "seeds" / "ithome"
CASES = json.loads((FIX / "cases.json").read_text(encoding="utf-8"))
LIST = "https://it.ithome.com/"
W = "https://www.ithome.com"
BEIJING = timezone(timedelta(hours=8))


def local(url: str) -> Path:
    """Mirror file of an it./www.ithome.com URL (a folder's path serves its index.html)."""
    rel = url.split("/", 3)[3]
    return FIX / "site" / (rel or "index.html")


def page(url: str) -> str:
    return local(url).read_bytes().decode("utf-8")


def expected(case: dict):
    return read((FIX / case["expected"]).read_text(encoding="utf-8"))


def case_ids(cases: list[dict]) -> list[str]:
    return [c["name"] for c in cases]


def by_name(name: str) -> dict:
    return next(c for c in CASES if c["name"] == name)


# --- the fixture itself --------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_expected_posts_are_canonical(case: dict):
    text = (FIX / case["expected"]).read_text(encoding="utf-8")
    art = read(text)
    assert art.categories == ["新媒体", "IT 之家", "分类资讯"] and art.author == "IT 之家"
    assert "\n - IT 之家\n" in text and "\nauthor: IT 之家\n" in text          # plain, with the space
    assert render(art) == text
    assert case["expected"] == f"expected/_posts/ithome-{case['article_id']}.md"
    assert art.body.endswith("</p>\n        ")                               # as the corpus shows


def test_pages_are_utf8_and_declare_it():
    files = [p for p in (FIX / "site").rglob("*")
             if p.is_file() and "newsuploadfiles" not in p.parts]      # stand-in images
    assert len(files) == len(CASES) + 1                  # the list page and one page per article
    for f in files:
        text = f.read_bytes().decode("utf-8")           # strict: really UTF-8
        assert '<meta charset="utf-8">' in text[:300], f


def test_raw_pages_carry_the_known_markup():
    for case in CASES:
        html = page(case["article_url"])
        assert '<div class="post_content" id="paragraph">' in html
        assert '<div class="post_title">' in html and '<span id="pubtime_baidu">' in html
        assert '<span id="source_baidu">来源：<a ' in html
        assert "referrerpolicy" not in html
    lazy = page(by_name("lazy-images-tougao")["article_url"])
    assert lazy.count('src="//img.ithome.com/images/v2/t.png"') == 4       # 3 in the body, 1 related
    assert '<div class="post_content" id="paragraph"><div class="tougao-user">' in lazy


# --- list page -------------------------------------------------------------------

def test_list_entries():
    lp = parse_list(page(LIST), LIST)
    assert [(e.url, e.title) for e in lp.entries] == [
        (f"{W}/0/632/418.htm", "米家新风空调 3 匹柜机上架：新一级能效、每小时 60 立方米新风，首发 5999 元"),
        (f"{W}/0/632/377.htm", "微软 Edge 浏览器 104 稳定版发布：新增“效率模式”开关，修复 20 项安全漏洞"),
        (f"{W}/0/631/905.htm", "Steam 夏季特卖落幕，Valve 称 'Steam Deck' 连续五周登顶全球畅销榜"),
        (f"{W}/0/627/384.htm", "全国首批 5G 消息商用试点城市公布，北京、上海等 12 城入选"),
        ("https://it.ithome.com/0/631/772.htm",                      # root-relative href
         "华硕 ROG 幻 14 2022 款笔记本开售：R9 6900HS + RX 6800S，首发 12999 元"),
    ]   # not: the first article again (//www…#comment), the lapin ad, a tag page, div.fr links
    assert lp.next_url is None


def test_every_case_is_listed_with_its_title():
    entries = {e.url: e.title for e in parse_list(page(LIST), LIST).entries}
    assert len(entries) == len(CASES)
    for case in CASES:
        assert entries[case["article_url"]] == expected(case).title, case["name"]


def test_list_selector_is_strict():
    html = ('<div id="list"><div class="fl"><ul><li><div><h2><a href=" https://www.ithome.com/0/101/001.htm ">\n'
            '  A <b>b</b>\n</a></h2></div></li>'
            '<li><h2><a href="https://www.ithome.com/0/101/002.htm">no div</a></h2></li>'
            '<li><div><h3><a href="https://www.ithome.com/0/101/003.htm">h3</a></h3></div></li>'
            '<li><div><h2><a href="javascript:;">js</a></h2></div></li>'
            '<li><div><h2><a href="https://www.ithome.com/html/it/4567.htm">old</a></h2></div></li>'
            '<li><div><h2><a href="https://example.com/0/101/005.htm">elsewhere</a></h2></div></li>'
            '</ul></div><div class="fr"><ul><li><div><h2><a href="/0/101/006.htm">side</a></h2></div></li></ul></div></div>'
            '<ul><li><div><h2><a href="/0/101/007.htm">outside #list</a></h2></div></li></ul>')
    lp = parse_list(html, LIST)
    assert [(e.url, e.title) for e in lp.entries] == [
        (f"{W}/0/101/001.htm", "A b"), (f"{W}/html/it/4567.htm", "old")]


def test_list_without_list_layout():
    for html in ("<html><body><p>系统维护中</p></body></html>",
                 '<div id="list"><div class="left"></div></div>',
                 '<div id="list"><div class="fl"><ul><li><a href="/0/101/001.htm">x</a></li></ul></div></div>'):
        with pytest.raises(LayoutError) as exc:
            parse_list(html, LIST)
        assert exc.value.reason == "no-layout"
        # the detail names every version tried and its marker
        assert exc.value.detail == (f"{LIST}: tried 2026 (#list > div.fl > ul > li a.t), "
                                    "corpus-2022 (#list > div.fl > ul > li > div > h2 > a)")


def test_corpus_list_is_the_corpus_layout():
    assert parse_list(page(LIST), LIST).layout == "corpus-2022"


# --- article pages -----------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_article_matches_expected_post(case: dict):
    exp = expected(case)
    art = parse_article(page(case["article_url"]), case["article_url"]).article
    assert art.body == exp.body
    assert (art.site, art.url, art.article_id) == ("ithome", case["article_url"], case["article_id"])
    assert [art.url] == case["pages"]
    assert art.byline == case["byline"]
    assert art.published == datetime.fromisoformat(case["published"])
    assert art.published.utcoffset() == timedelta(hours=8)
    assert format_datetime(art.published.astimezone(timezone.utc), usegmt=True) == exp.published
    assert art.title == exp.title                     # the fixtures' h1 equals the list text
    if art.image_urls:
        assert exp.headimg == exp.thumbnail == art.image_urls[0]
    else:
        n = int(hashlib.sha1(case["article_id"].encode()).hexdigest(), 16) % 10000
        assert exp.headimg == exp.thumbnail == f"https://picsum.photos/400/300?random={n}"


def test_lazy_images_are_made_real_and_nothing_else_changes():
    case = by_name("lazy-images-tougao")
    raw = inner_html(page(case["article_url"]), id="paragraph")
    art = parse_article(page(case["article_url"]), case["article_url"]).article
    assert raw is not None and raw.count('class="lazy"') == raw.count("data-original=") == 3
    assert "data-original" not in art.body and 'class="lazy"' not in art.body and "t.png" not in art.body
    assert art.body.count(' referrerpolicy="no-referrer">') == 3 == len(art.image_urls)
    assert all(u.startswith("https://img.ithome.com/newsuploadfiles/2022/7/") for u in art.image_urls)
    assert art.body.startswith('<div class="tougao-user">感谢IT之家网友 <a href="https://m.ithome.com/')
    assert '</div>\n            <p data-vmark="3f1a"><a class="s_tag" href="https://www.ithome.com/"' in art.body
    # the related-posts thumbnail outside #paragraph is not part of the body
    assert "related_240.jpg" not in art.body


def test_plain_image_is_kept_as_written():
    case = by_name("single-digit-date")
    art = parse_article(page(case["article_url"]), case["article_url"]).article
    gif = [u for u in art.image_urls if u.endswith(".gif")]
    assert len(art.image_urls) == 2 and gif == [art.image_urls[1]]
    assert (f'<img src="{gif[0]}" w="400" h="300" title="5G 消息演示" width="400" height="300"'
            ' referrerpolicy="no-referrer">') in art.body


def test_single_digit_date_crosses_midnight_in_gmt():
    case = by_name("single-digit-date")
    assert '<span id="pubtime_baidu">2022/7/1 7:05:09</span>' in page(case["article_url"])
    assert expected(case).published == "Thu, 30 Jun 2022 23:05:09 GMT"


def test_byline_falls_back_to_source():
    case = by_name("no-image-source-byline")
    html = page(case["article_url"])
    assert "author_baidu" not in html
    assert parse_article(html, case["article_url"]).article.byline == "IT之家"
    other = by_name("list-paddingleft")
    assert parse_article(page(other["article_url"]), other["article_url"]).article.byline == "晚舟"


def test_title_from_post_title_only():
    html = ('<h1>网站标题</h1><div class="post_title"><h1> 文章\n 标题 </h1></div>'
            '<span id="pubtime_baidu">2022/7/27 19:05:42</span><div id="paragraph"><p>x</p></div>')
    got = parse_article(html, f"{W}/0/632/418.htm")
    assert (got.article.title, got.layout) == ("文章 标题", "corpus-2022")
    html = html.replace('class="post_title"', 'class="other"')      # neither version's title
    with pytest.raises(LayoutError) as exc:
        parse_article(html, f"{W}/0/632/418.htm")
    assert exc.value.reason == "no-layout"
    assert exc.value.detail == f"{W}/0/632/418.htm: tried 2026 (#dt > div.fl.content > h1), corpus-2022 (div.post_title h1)"


def test_relative_images_resolve_against_the_page_and_other_urls_have_no_id():
    html = ('<div class="post_title"><h1>标题</h1></div><span id="pubtime_baidu">2022/7/27 19:05:42</span>'
            '<div id="paragraph"><p><img src="/newsuploadfiles/2022/7/a.png"></p></div>')
    art = parse_article(html, "https://it.ithome.com/0/632/418.htm").article
    assert art.image_urls == ["https://it.ithome.com/newsuploadfiles/2022/7/a.png"]
    assert art.article_id == "632418"
    assert parse_article(html, "https://www.ithome.com/tag/steam/").article.article_id == ""


def test_corpus_pages_are_the_corpus_layout():
    for case in CASES:
        assert parse_article(page(case["article_url"]), case["article_url"]).layout == "corpus-2022"


def _lazy_html() -> tuple[str, str]:
    case = by_name("lazy-images-tougao")
    return page(case["article_url"]), case["article_url"]


@pytest.mark.parametrize("mutate, reason", [
    (lambda h: h.replace('id="paragraph"', 'id="content"'), "no-body"),
    (lambda h: h.replace('id="paragraph">', 'id="paragraph">  \n</div><div>', 1), "no-body"),
    (lambda h: h[:h.index('id="paragraph"') + 600], "no-body"),              # page cut short
    (lambda h: h.replace('<span id="pubtime_baidu">2022/7/27 19:05:42</span>', ""), "no-date"),
    (lambda h: h.replace("2022/7/27 19:05:42", "2022/7/27"), "no-date"),
    (lambda h: h.replace("2022/7/27 19:05:42", "2022/13/27 19:05:42"), "no-date"),
    (lambda h: h.replace("2022/7/27 19:05:42", "昨天 19:05"), "no-date"),
])
def test_layout_errors(mutate, reason: str):
    html, url = _lazy_html()
    broken = mutate(html)
    assert broken != html
    with pytest.raises(LayoutError) as exc:
        parse_article(broken, url)
    assert exc.value.reason == reason
    assert isinstance(exc.value, ValueError)
    selector = "#paragraph" if reason == "no-body" else "#pubtime_baidu"
    assert f"layout corpus-2022: {selector}" in str(exc.value)          # version and selector


@pytest.mark.parametrize("text, want", [
    ("2026/6/8 6:56:55", datetime(2026, 6, 8, 6, 56, 55, tzinfo=BEIJING)),
    ("2022/7/27 19:05:42", datetime(2022, 7, 27, 19, 5, 42, tzinfo=BEIJING)),
    ("2022/07/01 07:05:09", datetime(2022, 7, 1, 7, 5, 9, tzinfo=BEIJING)),
    ("2022-7-1 7:05", datetime(2022, 7, 1, 7, 5, tzinfo=BEIJING)),
    ("2022/2/30 7:05:09", None),
    ("2022/7/1", None),
    ("", None),
])
def test_parse_datetime(text: str, want: datetime | None):
    assert beijing_datetime(text) == want


# --- lazy images, unit cases ----------------------------------------------------------

T = "//img.ithome.com/images/v2/t.png"
U = "https://img.ithome.com/newsuploadfiles/2022/7/a.png"


@pytest.mark.parametrize("src, out", [
    # the site's form (PORTALS.md) → the corpus form: src w h [alt] title width height
    (f'<img src="{T}" w="600" h="400" class="lazy" title="标题" data-original="{U}" width="600" height="400">',
     f'<img src="{U}" w="600" h="400" title="标题" width="600" height="400">'),
    (f'<img src="{T}" w="750" h="1043" class="lazy" alt="图" title="标题" data-original="{U}" width="750" height="1000">',
     f'<img src="{U}" w="750" h="1043" alt="图" title="标题" width="750" height="1000">'),
    # other orders and quoting: only src's value changes, quotes as src had them
    (f"<img data-original='{U}' class=lazy src='{T}' alt=\"a\">", f"<img src='{U}' alt=\"a\">"),
    (f'<img class="lazy" data-original="{U}" src={T}>', f"<img src={U}>"),
    (f'<IMG SRC="{T}" CLASS="lazy"\n  DATA-ORIGINAL="{U}"\n>', f'<IMG SRC="{U}"\n>'),
    (f'<img src="{T}" class="lazy" data-original="{U}" />', f'<img src="{U}" />'),
    # entities stay as written
    ('<img src="t.png" class="lazy" data-original="https://a/b.png?x=1&amp;y=2">',
     '<img src="https://a/b.png?x=1&amp;y=2">'),
    # a value that does not fit src's quotes: the attribute is rewritten
    ("<img src=\"t.png\" data-original='a\"b.png'>", "<img src='a\"b.png'>"),
    ('<img src=t.png data-original="a b.png">', '<img src="a b.png">'),
    ("<img src='t.png' data-original=\"a b.png\">", "<img src='a b.png'>"),        # fits src's quotes
    ("<img src='t.png' data-original=\"a'b.png\">", "<img src=\"a'b.png\">"),       # does not: the other quote
    ('<img src data-original="u.png">', '<img src="u.png">'),
    # src unquoted or valueless: `"`, else `'` when the value holds a `"`; `&quot;` only when it holds both
    ("<img src data-original='a\"b.png'>", "<img src='a\"b.png'>"),
    ("<img src=t.png data-original='a\"b.png'>", "<img src='a\"b.png'>"),
    ("<img src=\"t.png\" data-original=a\"b'c.png>", "<img src=\"a&quot;b'c.png\">"),
    # no src at all: src takes data-original's place
    ('<img alt="x" data-original="u.png" class="lazy" title="t">', '<img alt="x" src="u.png" title="t">'),
    ("<img class=\"lazy\" data-original='u.png'>", "<img src='u.png'>"),      # with its quotes
    # attributes glued together (no space): the next one keeps its separator
    (f'<img class="lazy"src="{T}" data-original="{U}">', f'<img src="{U}">'),
    (f'<img src="{T}"class="lazy" data-original="{U}" w="1">', f'<img src="{U}" w="1">'),
    (f'<img src="{T}" class="lazy"X-id="7" data-original="{U}">', f'<img src="{U}" X-id="7">'),
    # duplicates: src is the first one (as browsers read it); every class/data-original goes
    ('<img src="t" src="s" data-original="u" data-original="v" class="a" class="b">',
     '<img src="u" src="s">'),
])
def test_fix_lazy_images(src: str, out: str):
    assert fix_lazy_images(src) == out
    assert fix_lazy_images(out) == out                  # nothing lazy is left


@pytest.mark.parametrize("html", [
    f'<img src="{U}" w="600" h="400" class="lazy" title="t" width="600" height="400">',   # no data-original
    "<img src='x.png' class=\"pic\"  alt=t >",
    "<img>",
    f'<!-- <img src="{T}" data-original="{U}"> -->',
    f'<noscript><img src="{T}" class="lazy" data-original="{U}"></noscript>',
    f"<script>var s = '<img src=\"{T}\" data-original=\"{U}\">';</script>",
    f'<p data-original="{U}" class="lazy">not an img</p><imgx data-original="{U}">',
    f'<img src="{T}" data-original="{U}"',                                   # never closed
    f'<p>a</p><img src="{T}" data-original="{U}>',                           # cut inside its last value
    f'<img class="lazy" src="{T}" data-original="{U}>', f'<img data-original="{U}>',
    '<p data-vmark="adbf">IT之家 &amp; &nbsp; &#123;x&#125; a < b > c</p>\n        ',
])
def test_fix_lazy_images_leaves_everything_else_byte_identical(html: str):
    assert fix_lazy_images(html) == html


def test_fix_lazy_images_only_touches_lazy_tags():
    keep = '<p data-vmark="1d8e" style="text-align: center;">'
    plain = '<img src="https://img.ithome.com/x.gif" class="gif" width="400">'
    lazy = f'<img src="{T}" class="lazy" data-original="{U}">'
    html = f"{keep}{plain}</p>\n            {keep}{lazy}</p>\n        "
    assert fix_lazy_images(html) == f'{keep}{plain}</p>\n            {keep}<img src="{U}"></p>\n        '


# --- ids -----------------------------------------------------------------------------

@pytest.mark.parametrize("url, aid", [
    ("https://www.ithome.com/0/632/123.htm", "632123"),
    ("http://www.ithome.com/0/632/123.htm?from=rss#comment", "632123"),
    ("https://it.ithome.com/0/631/772.htm", "631772"),
    ("https://ithome.com/0/631/772.htm", "631772"),                 # the bare domain
    ("https://www.ithome.com/0/1000/001.htm", "1000001"),
    ("https://www.ithome.com/0/012/345.htm", "12345"),
    ("https://www.ithome.com/html/it/301245.htm", "301245"),
    ("https://www.ithome.com/html/win10/12345.htm", "12345"),
    ("https://www.ithome.com/0/632/12.htm", None),
    ("https://www.ithome.com/0/632/123.html", None),
    ("https://www.ithome.com/0/000/000.htm", None),
    ("https://www.ithome.com/tag/steam/", None),
    ("https://www.ithome.com/list/", None),
    ("https://it.ithome.com/", None),
    ("https://m.ithome.com/html/632123.htm", None),
    ("https://lapin.ithome.com/html/app/sale.htm", None),
    ("https://example.com/0/632/123.htm", None),
    ("https://ithome.com.evil.example/0/632/123.htm", None),
    ("ftp://www.ithome.com/0/632/123.htm", None),
])
def test_article_id(url: str, aid: str | None):
    assert article_id(url) == aid
    assert is_article_url(url) is (aid is not None)


# --- today's markup (layout 2026): seeds/ithome-2026 ------------------------------------

FIX26 = FIX.parent / "ithome-2026"
CASES26 = json.loads((FIX26 / "cases.json").read_text(encoding="utf-8"))
LIST26 = "https://www.ithome.com/list/"


def page26(url: str) -> str:
    rel = url.split("/", 3)[3]
    return (FIX26 / "site" / (rel if not rel.endswith("/") else rel + "index.html")).read_bytes().decode("utf-8")


def expected26(case: dict):
    return read((FIX26 / case["expected"]).read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES26, ids=case_ids(CASES26))
def test_2026_expected_posts_are_canonical(case: dict):
    text = (FIX26 / case["expected"]).read_text(encoding="utf-8")
    art = read(text)
    assert art.categories == ["新媒体", "IT 之家", "分类资讯"] and art.author == "IT 之家"
    assert render(art) == text
    assert case["expected"] == f"expected/_posts/ithome-{case['article_id']}.md"
    assert art.body.startswith("\n            <")                      # as #paragraph opens today
    assert art.body.endswith("IT之家所有文章均包含本声明。</p>\n        ")   # p.ad-tips kept


def test_2026_raw_pages_carry_the_known_markup():
    for case in CASES26:
        html = page26(case["article_url"])
        assert '<div class="post_content " id="paragraph">\n            <' in html
        assert "post_title" not in html and "\n        <h1>" in html
        assert '<span id="pubtime_baidu">2026/6/' in html and '<p class="ad-tips">广告声明：' in html
        assert "referrerpolicy" not in html
    assert page26(LIST26).count('<a class="t" ') == 7          # 4 articles, lapin, topic, sidebar


def test_2026_list_entries():
    lp = parse_list(page26(LIST26), LIST26)
    assert lp.layout == "2026" and lp.next_url is None
    assert [(e.url, e.title) for e in lp.entries] == [
        (f"{W}/0/968/203.htm", "致态 TiPro9500 固态硬盘上架：PCIe 5.0、顺序读取 14.5GB/s，2TB 首发 1299 元"),
        (f"{W}/0/968/150.htm",                          # listed as //www.ithome.com/0/968/150.htm
         "微软 Edge 浏览器 149 稳定版发布：标签页分组自动命名，PDF 批注可跨设备同步"),
        (f"{W}/0/968/032.htm", "全国首批 5G-A 低空通信示范航线开通，覆盖北京、深圳等 8 城"),
        (f"{W}/0/967/988.htm", "Valve 称 'Steam Deck' 掌机累计出货突破 800 万台，新配色版本下月上市"),
    ]   # not: the lapin item, the topic page, the sidebar's a.t
    assert article_id("https://lapin.ithome.com/html/digi/868123.htm") == "868123"   # the host drops it


def test_2026_list_selector():
    html = ('<div id="list"><div class="fl"><ul class="datel">'
            '<li><a class="c" href="//it.ithome.com/">[IT资讯]</a><a class="t" href="//www.ithome.com/0/101/001.htm">\n A <b>b</b></a><i>2026-06-24 21:04:28</i></li>'
            '<li><a href="https://www.ithome.com/0/101/002.htm">no a.t</a></li>'
            '<li><span><a class="t" href="/0/101/003.htm">nested</a></span></li>'
            '<li><a class="t" href="https://www.lapin.ithome.com/html/it/101004.htm">ad</a></li>'
            '<li><a class="t" href="https://www.ithome.com/0/101/001.htm#comment">again</a></li>'
            '<li><a class="t" href="/0/101/007.htm" title=" 图片新闻 "><img src="x.png"></a></li>'
            '<li><a class="t" href="/0/101/008.htm"> </a></li>'
            '</ul></div><div class="fr"><ul><li><a class="t" href="/0/101/006.htm">side</a></li></ul></div></div>')
    lp = parse_list(html, LIST26)
    assert lp.layout == "2026"
    assert [(e.url, e.title) for e in lp.entries] == [
        (f"{W}/0/101/001.htm", "A b"), (f"{W}/0/101/003.htm", "nested"),
        (f"{W}/0/101/007.htm", "图片新闻"),          # no text: the link's title
        (f"{W}/0/101/008.htm", "")]                  # neither: empty (the page h1 is the title)


@pytest.mark.parametrize("case", CASES26, ids=case_ids(CASES26))
def test_2026_article_matches_expected_post(case: dict):
    exp = expected26(case)
    got = parse_article(page26(case["article_url"]), case["article_url"])
    art = got.article
    assert got.layout == "2026"
    assert art.body == exp.body
    assert (art.site, art.url, art.article_id) == ("ithome", case["article_url"], case["article_id"])
    assert art.byline == case["byline"]
    assert art.published == datetime.fromisoformat(case["published"])
    assert format_datetime(art.published.astimezone(timezone.utc), usegmt=True) == exp.published
    assert art.title == exp.title                     # the h1 equals the list text
    if art.image_urls:
        assert exp.headimg == exp.thumbnail == art.image_urls[0]
    else:
        n = int(hashlib.sha1(case["article_id"].encode()).hexdigest(), 16) % 10000
        assert exp.headimg == exp.thumbnail == f"https://picsum.photos/400/300?random={n}"


def test_2026_layout_errors_name_the_version_and_selector():
    case = CASES26[0]
    html = page26(case["article_url"])
    for broken, reason, selector in (
            (html.replace('id="paragraph"', 'id="content"'), "no-body", "#paragraph"),
            (html.replace("2026/6/24 22:15:07", "昨天 22:15"), "no-date", "#pubtime_baidu")):
        with pytest.raises(LayoutError) as exc:
            parse_article(broken, case["article_url"])
        assert exc.value.reason == reason and f"layout 2026: {selector}" in str(exc.value)


# --- the real page saved in 2026 (../shared/realpages; never copied into the project) ---------

REAL = REALPAGES / "ithome" / "0_968_171.htm"
REAL_URL = "https://www.ithome.com/0/968/171.htm"
REAL_IMG = "https://img.ithome.com/newsuploadfiles/2026/6/555553cd-1908-4f2e-bbf3-15e7aca69ff4.jpg"
REAL_TITLE = "意法半导体推出全球首款后量子密码移动安全芯片 ST54M，融合 NFC、eSIM 等"


def real_page() -> str:
    if not REAL.is_file():
        need_realpage(REAL)
    return REAL.read_bytes().decode("utf-8")


def test_real_2026_page():
    html = real_page()
    got = parse_article(html, REAL_URL)
    art = got.article
    assert got.layout == "2026"
    assert art.title == REAL_TITLE
    assert art.published == datetime(2026, 6, 24, 21, 4, 28, tzinfo=BEIJING)
    assert format_datetime(art.published.astimezone(timezone.utc), usegmt=True) == "Wed, 24 Jun 2026 13:04:28 GMT"
    assert (art.article_id, art.byline) == ("968171", "潞源（实习）")
    # what a reader sees: the data-original image, not the t.png placeholder
    assert art.image_urls == [REAL_IMG]
    assert (f'<img src="{REAL_IMG}" w="800" h="450" data-vmark="19a7" title="{REAL_TITLE}" '
            'width="800" height="450" referrerpolicy="no-referrer">') in art.body
    assert art.body.startswith(
        "\n            <div class='tougao-user' >感谢IT之家网友 <a href='https://m.ithome.com/html/app/open.html"
        "?url=ithome%3A%2F%2Fuserpage%3Fid%3D2029428' rel='nofollow'>华南吴彦祖</a> 的线索投递！</div>\n"
        '            <p data-vmark="fc83"><a class="s_tag" href="https://www.ithome.com/" target="_blank">IT之家</a>'
        " 6 月 24 日消息，意法半导体今天宣布推出")
    assert art.body.endswith(
        "客户可向当地经销商询问价格、样品。</p><p class=\"ad-tips\">广告声明：文内含有的对外跳转链接（包括不限于超链接、"
        "二维码、口令等形式），用于传递更多信息，节省甄选时间，结果仅供参考，IT之家所有文章均包含本声明。</p>\n        ")
    for outside in ("newserror", "related_post", "t.png", "data-original", 'class="lazy"', "shareto"):
        assert outside not in art.body, outside


def test_real_2026_body_is_an_exact_slice():
    html = real_page()
    start = html.index('<div class="post_content " id="paragraph">') + len('<div class="post_content " id="paragraph">')
    end = html.index("</div>", html.index('<p class="ad-tips">'))
    lazy = (f'<img src="//img.ithome.com/images/v2/t.png" w="800" h="450" data-vmark="19a7" class="lazy" '
            f'title="{REAL_TITLE}" data-original="{REAL_IMG}" width="800" height="450">')
    clean = (f'<img src="{REAL_IMG}" w="800" h="450" data-vmark="19a7" title="{REAL_TITLE}" '
             'width="800" height="450" referrerpolicy="no-referrer">')
    raw = html[start:end]
    assert raw.count(lazy) == 1 and raw.count("<img") == 1
    assert parse_article(html, REAL_URL).article.body == raw.replace(lazy, clean)
