"""开源中国 parsers against the fixture portal (seeds/oschina) and hand-written expected posts."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from crawler.parsers.oschina import (LayoutError, article_body, article_id, is_article_url,
                                     list_date, page_number, page_url, parse_article, parse_list)
from crawler.parsers.rawhtml import add_referrerpolicy
from crawler.postformat import read, render

FIX = Path(__file__).resolve().parents[1] / "seeds" / "oschina"
CASES = json.loads((FIX / "cases.json").read_text(encoding="utf-8"))
W = "https://www.oschina.net"
LIST = f"{W}/news/widgets/_news_index_all_list?p=1&type=ajax"
BEIJING = timezone(timedelta(hours=8))
NOW = datetime(2022, 6, 15, 12, 0, tzinfo=BEIJING)       # seeds/oschina/crawl.json's `now`
IDS = [c["name"] for c in CASES]


def local(url: str) -> Path:
    """Mirror file of a www.oschina.net URL (a query names its own file)."""
    return FIX / "site" / url.split("/", 3)[3]


def page(url: str) -> str:
    return local(url).read_bytes().decode("utf-8")


def list_page(n: int) -> str:
    return page(f"{W}/news/widgets/_news_index_all_list?p={n}&type=ajax")


def expected(case: dict):
    return read((FIX / case["expected"]).read_text(encoding="utf-8"))


def by_name(name: str) -> dict:
    return next(c for c in CASES if c["name"] == name)


# --- the fixture itself --------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expected_posts_are_canonical(case: dict):
    text = (FIX / case["expected"]).read_text(encoding="utf-8")
    art = read(text)
    assert art.categories == ["编程", "开源中国", "资讯"] and art.author == "开源中国"
    assert render(art) == text
    assert case["expected"] == f"expected/_posts/oschina-{case['article_id']}.md"
    # the corpus's shape: a div.content opened, deep indentation, closed with indented </div>
    assert re.match(r'\n<div class="content">\n {92}(\n {92})?<', art.body), art.body[:200]
    assert art.body.endswith("\n" + " " * 40 + "</div>\n" + " " * 36)
    assert "ad-wrap" not in art.body and "ad-tip" not in art.body
    assert art.body.count("<img ") == art.body.count(' referrerpolicy="no-referrer">')
    assert re.search(r"^date: .* \d\d:\d\d:00 GMT$", text, re.M)              # minutes only


def test_pages_are_utf8():
    files = [p for p in (FIX / "site").rglob("*") if p.is_file() and p.suffix != ".png"]
    assert len(files) == len(CASES) + 3                  # three list fragments, one page per case
    for f in files:
        text = f.read_bytes().decode("utf-8")           # strict: really UTF-8
        assert "_news_index_all_list" in f.name or '<meta charset="utf-8">' in text[:300], f


def test_raw_pages_carry_the_known_markup():
    for case in CASES:
        html = page(case["article_url"])
        assert '<div class="article-detail">\n<div class="content">\n' in html
        assert '<div class="article-box__meta">' in html and '<h1 class="article-box__title">' in html
        assert html.count('class="ad-wrap"') >= 1                  # the page-level banner
        assert "referrerpolicy" not in html
    assert page(by_name("ad-in-body-today")["article_url"]).count('class="ad-wrap"') == 2
    assert '<div class="ad-wrap">' in list_page(1)


# --- list fragments ------------------------------------------------------------------

def test_list_page_1():
    lp = parse_list(list_page(1), LIST, NOW)
    assert [(e.url, e.title, e.date_text, e.published) for e in lp.entries] == [
        (f"{W}/news/197851/typescript-4-8-beta", "TypeScript 4.8 Beta 发布", "25分钟前",
         datetime(2022, 6, 15, 11, 35, tzinfo=BEIJING)),
        (f"{W}/news/197834/deno-1-23-released", "Deno 1.23 发布，默认不再进行类型检查", "今天 08:55",
         datetime(2022, 6, 15, 8, 55, tzinfo=BEIJING)),
        ("https://gitee.com/gitee-community/gvp-2022", "Gitee 推荐 | 2022 年度 GVP 项目征集", "今天 07:40",
         datetime(2022, 6, 15, 7, 40, tzinfo=BEIJING)),
        ("https://my.oschina.net/u/5324949/blog/5547812", "用 Rust 重写一个 grep：从零开始的性能优化",
         "昨天 21:13", datetime(2022, 6, 14, 21, 13, tzinfo=BEIJING)),
        (f"{W}/news/197702", "龙蜥社区发布 Anolis OS 8.6 正式版", "昨天 17:20",      # root-relative href
         datetime(2022, 6, 14, 17, 20, tzinfo=BEIJING)),
    ]   # not: the promo inside .ad-wrap (a www.oschina.net/news link)
    assert "197800" in list_page(1)
    assert lp.next_url == f"{W}/news/widgets/_news_index_all_list?p=2&type=ajax"
    assert [is_article_url(e.url) for e in lp.entries] == [True, True, False, False, True]


def test_list_page_2_and_the_end():
    url2 = f"{W}/news/widgets/_news_index_all_list?p=2&type=ajax"
    lp = parse_list(list_page(2), url2, NOW)
    assert [(article_id(e.url), e.published) for e in lp.entries] == [
        ("197702", datetime(2022, 6, 14, 17, 20, tzinfo=BEIJING)),
        ("197655", datetime(2022, 6, 13, 10, 2, tzinfo=BEIJING)),
        ("197610", datetime(2022, 6, 10, 7, 30, tzinfo=BEIJING)),
    ]
    assert lp.next_url == f"{W}/news/widgets/_news_index_all_list?p=3&type=ajax"
    end = parse_list(list_page(3), lp.next_url, NOW)
    assert end.entries == [] and end.next_url is None
    assert parse_list("  \n", lp.next_url, NOW).entries == []          # an empty response too


def test_every_case_is_listed_with_its_title_and_date():
    entries = {e.url: e for n in (1, 2) for e in parse_list(list_page(n), LIST, NOW).entries}
    for case in CASES:
        e = entries[case["article_url"]]
        assert e.title == expected(case).title and e.date_text == case["list_date"]
        assert e.published == datetime.fromisoformat(case["published"])
        assert format_datetime(e.published.astimezone(timezone.utc), usegmt=True) == expected(case).published


def test_list_entries_unit_corpus_2022():
    """No `h3 a` anywhere: the corpus-era route's reading (the first `a` of each item)."""
    html = ('<div class="items">'
            '<div class="item news-item"><a href=" /news/1/a " title=" 甲 "><div>x</div></a>'
            '<div class="extra"><div class="ui list"><div class="item">源</div><div class="item">06/01 09:00</div></div></div></div>'
            '<div class="item news-item"><a href="https://www.oschina.net/news/1?utm=x">dup</a></div>'
            '<div class="item news-item"><a>no href</a><a href="/news/3" title="second a">z</a></div>'
            '<div class="item news-item"><a href="/news/4">  link\n text </a>'
            '<div class="extra"><div class="list"><span class="item">s</span><div class="item">d1</div>'
            '<div class="item">06/02 10:00</div></div></div></div>'
            '<div class="item news-item"><a href="/news/7">七</a>'
            '<div class="extra"><div class="list"><div class="item">源</div><div>06/03 11:00</div></div></div></div>'
            '<div class="ad-wrap"><div class="item news-item"><a href="/news/5" title="ad">ad</a></div></div>'
            '</div><div class="item news-item"><a href="/news/6" title="outside .items">o</a></div>')
    lp = parse_list(html, LIST, NOW)
    assert [(e.url, e.title, e.date_text) for e in lp.entries] == [
        (f"{W}/news/1/a", "甲", "06/01 09:00"),
        (f"{W}/news/4", "link text", "06/02 10:00"),    # nth-of-type(2): the second div, not the second child
        (f"{W}/news/7", "七", ""),                      # the second div without class `item`: no date
    ]
    assert lp.layout == "corpus-2022"
    with pytest.raises(LayoutError) as exc:
        parse_list("<html><body><p>系统维护中</p></body></html>", LIST, NOW)
    assert exc.value.reason == "no-layout"


def test_list_entries_unit_2026_h3_a():
    """Any `h3 a`: today's route's reading; items without one are not read the corpus way."""
    html = ('<div class="items">'
            '<div class="item news-item"><a href="/news/9/thumb" title="cover"><img src="x.png"></a>'
            '<h3 class="header"><a href="/news/9/real" title=" 乙 ">乙</a></h3>'
            '<div class="extra"><div class="ui horizontal list"><div class="item">OSC</div>'
            '<div class="item">昨天 23:10</div></div></div></div>'
            '<div class="item news-item"><a href="/news/10" title="no h3">x</a></div>'
            '<div class="item news-item"><h3><a href="/news/11"> 丙\n 丁 </a></h3></div>'
            '</div>')
    lp = parse_list(html, LIST, NOW)
    assert lp.layout == "2026"
    assert [(e.url, e.title, e.date_text, e.published) for e in lp.entries] == [
        (f"{W}/news/9/real", "乙", "昨天 23:10", datetime(2022, 6, 14, 23, 10, tzinfo=BEIJING)),
        (f"{W}/news/11", "丙 丁", "", None),
    ]


def test_list_entries_unit_2026_data_url():
    """`div.item.news-item[data-url]`, `h3 > div.title[title]`, no `<a>` in the item's title."""
    html = ('<div>'
            '<div class="item news-item news-item-hover" data-url="https://www.oschina.net/news/12/x">'
            '<div class="content"><h3 class="header"><div class="title" title="戊 &amp; 己">戊…</div></h3>'
            '<div class="extra"><div class="ui horizontal list"><div class="item"><a href="https://my.oschina.net/u/1">编辑</a></div>'
            '<div class="item">2022/06/01 08:00</div></div></div></div></div>'
            '<div class="item news-item" data-url=""><h3><div class="title" title="empty">e</div></h3></div>'
            '<div class="item news-item" data-url="/news/13"><h3><div class="title"> 庚 </div></h3></div>'
            '<div class="item news-item" data-url="/news/15"><h3>no div.title</h3></div>'
            '<div class="ad-wrap"><div class="item news-item" data-url="/news/14"><div class="title" title="ad">a</div></div></div>'
            '</div>')
    lp = parse_list(html, LIST, NOW)
    assert lp.layout == "2026-data-url"
    assert [(e.url, e.title, e.published) for e in lp.entries] == [
        (f"{W}/news/12/x", "戊 & 己", datetime(2022, 6, 1, 8, 0, tzinfo=BEIJING)),
        (f"{W}/news/13", "庚", None),
        (f"{W}/news/15", "", None),                       # no title: the page's h1 then
    ]
    assert lp.next_url == f"{W}/news/widgets/_news_index_all_list?p=2&type=ajax"


def test_no_list_layout_names_every_version():
    with pytest.raises(LayoutError) as exc:
        parse_list('<div class="news-list"><div class="card"><a href="/news/1">x</a></div></div>', LIST, NOW)
    assert exc.value.reason == "no-layout"
    assert exc.value.detail == (f"{LIST}: tried 2026 (.items .news-item h3 a[href]), "
                                "2026-data-url (.news-item[data-url] div.title[title] (no h3 a)), "
                                "corpus-2022 (.items .news-item a[href])")
    for html in (
        # data-url items with an `h3 a` are not the data-url version (and outside .items, no other)
        '<div class="news-item" data-url="/news/1"><h3><div class="title" title="t">t</div><a>x</a></h3></div>',
        # an .items whose items no version reads is a changed layout, not the empty end
        '<div class="items"><div class="item news-item"><span>x</span></div></div>',
    ):
        with pytest.raises(LayoutError) as exc:
            parse_list(html, LIST, NOW)
        assert exc.value.reason == "no-layout"


def test_a_page_of_items_without_links_has_no_next_page():
    html = '<div class="items"><div class="item news-item"><a title="t">x</a><a href="javascript:;">y</a></div></div>'
    lp = parse_list(html, LIST, NOW)
    assert (lp.layout, lp.entries, lp.next_url) == ("corpus-2022", [], None)


def test_corpus_fixture_pages_hold_todays_markup_too():
    """seeds/oschina was modeled with h3.header > a and .item-list meta: the newest versions read it."""
    assert {parse_list(list_page(n), LIST, NOW).layout for n in (1, 2)} == {"2026"}
    assert parse_list(list_page(3), LIST, NOW).layout == ""          # the empty end: no version
    assert {parse_article(page(c["article_url"]), c["article_url"]).layout for c in CASES} == {"2026"}


@pytest.mark.parametrize("text, now, want", [
    ("今天 08:55", NOW, datetime(2022, 6, 15, 8, 55, tzinfo=BEIJING)),
    ("今天 08:55", datetime(2022, 6, 15, 12, 0, 42, 5, tzinfo=BEIJING), datetime(2022, 6, 15, 8, 55, tzinfo=BEIJING)),
    ("今天 00:05", datetime(2022, 6, 14, 16, 30, tzinfo=timezone.utc),      # 00:30 on the 15th in Beijing
     datetime(2022, 6, 15, 0, 5, tzinfo=BEIJING)),
    ("昨天 23:50", datetime(2022, 1, 1, 0, 10, tzinfo=BEIJING), datetime(2021, 12, 31, 23, 50, tzinfo=BEIJING)),
    ("前天 10:00", NOW, datetime(2022, 6, 13, 10, 0, tzinfo=BEIJING)),
    ("25分钟前", NOW, datetime(2022, 6, 15, 11, 35, tzinfo=BEIJING)),
    ("3分钟前", datetime(2022, 6, 15, 12, 0, 42, 5, tzinfo=BEIJING), datetime(2022, 6, 15, 11, 57, tzinfo=BEIJING)),
    ("2小时前", NOW, datetime(2022, 6, 15, 10, 0, tzinfo=BEIJING)),
    ("刚刚", NOW, NOW),
    ("06/13 10:02", NOW, datetime(2022, 6, 13, 10, 2, tzinfo=BEIJING)),
    ("6/1 9:05", NOW, datetime(2022, 6, 1, 9, 5, tzinfo=BEIJING)),
    ("06/16 08:00", NOW, datetime(2022, 6, 16, 8, 0, tzinfo=BEIJING)),        # a few hours ahead: this year
    ("06/16 12:00", NOW, datetime(2022, 6, 16, 12, 0, tzinfo=BEIJING)),       # a day ahead: still this year
    ("12/31 23:50", datetime(2022, 1, 1, 0, 30, tzinfo=BEIJING),              # year rollover
     datetime(2021, 12, 31, 23, 50, tzinfo=BEIJING)),
    ("12/28 16:45", NOW, datetime(2021, 12, 28, 16, 45, tzinfo=BEIJING)),
    ("02/29 10:00", datetime(2025, 3, 1, tzinfo=BEIJING), datetime(2024, 2, 29, 10, 0, tzinfo=BEIJING)),
    ("2022/06/10 07:30", NOW, datetime(2022, 6, 10, 7, 30, tzinfo=BEIJING)),
    ("2019/12/31 23:59", NOW, datetime(2019, 12, 31, 23, 59, tzinfo=BEIJING)),
    ("13/01 10:00", NOW, None),
    ("今天 25:00", NOW, None),
    ("", NOW, None),
    ("3 评论", NOW, None),
])
def test_list_dates(text: str, now: datetime, want: datetime | None):
    got = list_date(text, now)
    assert got == want
    if got is not None:
        assert got.utcoffset() == timedelta(hours=8) and got.second == 0


def test_page_url():
    assert page_url(LIST, 2) == f"{W}/news/widgets/_news_index_all_list?p=2&type=ajax"
    assert page_url(f"{W}/news/widgets/_news_index_all_list?type=ajax&p=9", 10) == (
        f"{W}/news/widgets/_news_index_all_list?type=ajax&p=10")
    assert page_url(f"{W}/news/widgets/_news_index_all_list", 2) == f"{W}/news/widgets/_news_index_all_list?p=2"
    assert page_url(f"{W}/news/widgets/_news_index_all_list?type=ajax", 2) == (
        f"{W}/news/widgets/_news_index_all_list?p=2&type=ajax")                  # p first, the rest kept
    assert page_url(f"{LIST}&tag=", 2) == f"{W}/news/widgets/_news_index_all_list?p=2&type=ajax&tag="


@pytest.mark.parametrize("query, number", [
    ("p=3&type=ajax", 3), ("type=ajax", 1), ("p=abc&type=ajax", 1), ("p=0", 1), ("p=-2", 1), ("", 1)])
def test_page_number(query: str, number: int):
    assert page_number(f"{W}/news/widgets/_news_index_all_list?{query}") == number


# --- article pages -----------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_article_matches_expected_post(case: dict):
    exp = expected(case)
    art = parse_article(page(case["article_url"]), case["article_url"]).article
    assert art.body.replace("{", "&#123;").replace("}", "&#125;") == exp.body    # Hexo-safe braces
    assert (art.site, art.url, art.article_id) == ("oschina", case["article_url"], case["article_id"])
    assert [art.url] == case["pages"] and art.byline == case["byline"]
    assert art.title == exp.title                     # the fixtures' h1 equals the list's title
    # the page's own date has seconds; the post's is the list's (spider)
    listed = datetime.fromisoformat(case["published"])
    assert art.published is not None and art.published.second != 0
    assert art.published != listed and abs(art.published - listed) < timedelta(minutes=2)
    if art.image_urls:
        assert exp.headimg == exp.thumbnail == art.image_urls[0]
    else:
        n = int(hashlib.sha1(case["article_id"].encode()).hexdigest(), 16) % 10000
        assert exp.headimg == exp.thumbnail == f"https://picsum.photos/400/300?random={n}"


def test_ad_is_cut_exactly():
    case = by_name("ad-in-body-today")
    html = page(case["article_url"])
    start = html.index('<div class="article-detail">') + len('<div class="article-detail">')
    ad_start = html.index('<div class="ad-wrap">', start)
    ad_end = html.index("</div>\n</div>", ad_start) + len("</div>\n</div>")
    end = html.index("</div>\n<div class=\"tags-box\">")
    body = article_body(html)
    assert body == html[start:ad_start] + html[ad_end:end]
    assert html[ad_end:ad_end + 5] == "\n<ul>"
    two = by_name("page2-month-day-two-hosts")
    html = page(two["article_url"])
    ad = re.search(r'<div class="ad-wrap"><a [^>]*>[^<]*</a></div>', html[html.index("article-detail"):]).group()
    assert article_body(html) == article_body(html.replace(ad, ""))
    assert article_body(html.replace(ad, "")) != article_body(html.replace(ad, "<p>x</p>"))


def test_images_of_both_hosts():
    urls = [u for c in CASES
            for u in parse_article(page(c["article_url"]), c["article_url"]).article.image_urls]
    assert all(re.fullmatch(r"https://static\.oschina\.net/uploads/space/\d{4}/\d{4}/\w+\.png", u)
               or re.fullmatch(r"https://oscimg\.oschina\.net/oscnet/up-[0-9a-f]+\.png", u) for u in urls)
    assert {u.split("/")[2] for u in urls} == {"static.oschina.net", "oscimg.oschina.net"}
    assert "10100112_aB3d.jpg" not in "".join(urls)                         # the ad's image
    case = by_name("oscimg-minutes-ago")
    body = parse_article(page(case["article_url"]), case["article_url"]).article.body
    assert '<p><img alt src="https://oscimg.oschina.net/oscnet/up-' in body
    assert '.png" referrerpolicy="no-referrer"></p>' in body


def test_goto_links_are_kept_as_written():
    case = by_name("page2-absolute-date-quote-title")
    body = parse_article(page(case["article_url"]), case["article_url"]).article.body
    assert ('href="https://www.oschina.net/action/GoToLink?url=https%3A%2F%2Fcode.qt.io%2Fcgit%2Fqt-creator'
            '%2Fqt-creator.git%2Ftree%2Fdist%2Fchanges-7.0.2.md%3Fh%3D7.0"') in body


def _html() -> tuple[str, str]:
    case = by_name("ad-in-body-today")
    return page(case["article_url"]), case["article_url"]


@pytest.mark.parametrize("mutate", [
    lambda h: h.replace('<div class="article-detail">\n<div class="content">',
                        '<div class="article-text">\n<div class="text">'),      # neither body element
    lambda h: h[:h.index('class="article-detail"') + 900],                  # page cut short
    lambda h: re.sub(r'(<div class="article-detail">).*?(</div>\n<div class="tags-box">)',
                     r"\1\n   \2", h, flags=re.S),                            # empty
    lambda h: h.replace('<div class="article-detail">', '<div class="ad-wrap"><div class="article-detail">'),
])
def test_no_body(mutate):
    html, url = _html()
    broken = mutate(html)
    assert broken != html
    with pytest.raises(LayoutError) as exc:
        parse_article(broken, url)
    assert exc.value.reason == "no-body"
    assert str(exc.value).startswith("no-body: 2026 (.article-detail (else div.content")


def test_a_page_of_neither_version_is_read_as_the_corpus_one():
    # no title/meta of today and no .article-detail: the corpus version's no-body, not no-layout
    with pytest.raises(LayoutError) as exc:
        parse_article("<html><body><h1>标题</h1><div class=\"text\"><p>x</p></div></body></html>",
                      f"{W}/news/158833")
    assert exc.value.reason == "no-body"
    assert exc.value.detail.startswith("corpus-2022 (.article-detail (minus .ad-wrap)): no .article-detail")


def test_2026_content_after_the_title_date_from_the_item_list():
    # a list block above the title uses class `content` too; a non-div `.content` is not the body;
    # a date outside `div.item-list` is not today's date
    html = ('<html><body><div class="news-list"><div class="content">相关列表</div></div>'
            '<h1 class="article-box__title">标题</h1>'
            '<div class="article-box__meta"><div class="item">OSC</div><div class="item">2026-01-01 08:00:00</div>'
            '<div class="item-list"><div class="item">2026-03-10 09:30:00</div></div></div>'
            '<span class="content">注</span><div class="content"><p>正文</p><img src="/img/a.png"></div></body></html>')
    got = parse_article(html, f"{W}/news/7")
    art = got.article
    assert got.layout == "2026"
    assert art.body == '<div class="content"><p>正文</p><img src="/img/a.png" referrerpolicy="no-referrer"></div>'
    assert art.image_urls == [f"{W}/img/a.png"]
    assert (art.title, art.byline, art.article_id) == ("标题", "OSC", "7")
    assert art.published == datetime(2026, 3, 10, 9, 30, tzinfo=BEIJING)


def test_2026_title_only_in_noscript_is_no_traceback():
    # lxml reads the title inside <noscript> (so the page is today's); the tokenizer, as a browser,
    # does not: the first div.content of the page is the body
    html = ('<div class="content"><p>正文</p></div><noscript><h1 class="article-box__title">标题</h1></noscript>'
            '<div class="article-box__meta"><div class="item-list"><div class="item">2026-03-10 09:30:00</div></div></div>')
    got = parse_article(html, f"{W}/news/7")
    assert (got.layout, got.article.body) == ("2026", '<div class="content"><p>正文</p></div>')


def test_bare_corpus_page_has_empty_byline_and_no_id_off_an_article_url():
    art = parse_article('<div class="article-detail"><p>x</p></div>', f"{W}/news/").article
    assert (art.body, art.byline, art.article_id, art.published) == ("<p>x</p>", "", "", None)


@pytest.mark.parametrize("html, body", [
    ('<div class="article-detail"><p>x</p><div class="ad-wrap">ad</div></div>', "<p>x</p>"),   # a fragment
    ('<div class="article-detail"><p>x</p></div><h1 class="article-box__title">t</h1>', "<p>x</p>"),
    ('<div class="ad-wrap">ad</div><div class="article-detail"><p>x</p></div>', "<p>x</p>"),   # right after an ad
    ('<div class="ad-wrap article-detail">ad</div><section class="article-detail"><p>x</p></section>', "<p>x</p>"),
])
def test_article_body_is_the_first_detail_outside_ads(html: str, body: str):
    assert article_body(html) == body


@pytest.mark.parametrize("html, detail", [
    ("<p>x</p>", "no .article-detail"),
    ('<div class="article-detail"><p>x</p>', "unclosed .article-detail"),
    ('<div class="article-detail"> <div class="ad-wrap">ad</div>\n</div>', "empty .article-detail"),
    ('<div class="ad-wrap"><p>ad</p><div class="article-detail"', "no .article-detail"),     # cut inside an ad
])
def test_article_body_errors(html: str, detail: str):
    with pytest.raises(LayoutError) as exc:
        article_body(html)
    assert (exc.value.reason, exc.value.detail) == ("no-body", detail)
    with pytest.raises(LayoutError) as exc:
        parse_article(html, f"{W}/news/1")
    assert exc.value.detail == f"corpus-2022 (.article-detail (minus .ad-wrap)): {detail}"


def test_without_article_detail_2026_takes_div_content_whole():
    html, url = _html()
    plain = html.replace('<div class="article-detail">\n', "").replace(
        "                                    </div>\n<div class=\"tags-box\">", '<div class="tags-box">')
    assert plain.count("<div") == html.count("<div") - 1
    got = parse_article(plain, url)
    start = plain.index('<div class="content">')
    end = plain.index("</div>\n<div class=\"tags-box\">") + len("</div>")
    assert got.layout == "2026" and got.article.body.startswith('<div class="content">\n   ')
    assert got.article.body.endswith("</p>\n                                        </div>")
    assert got.article.body == add_referrerpolicy(cut_ad(plain[start:end]))


def cut_ad(text: str) -> str:
    """The fixture's one in-body .ad-wrap taken out by hand."""
    a = text.index('<div class="ad-wrap">')
    b = text.index("</div>\n</div>", a) + len("</div>\n</div>")
    return text[:a] + text[b:]


def test_corpus_2022_article_without_todays_meta():
    html, url = _html()
    old = html.replace('<div class="item-list">', '<div class="items">')
    got = parse_article(old, url)
    assert got.layout == "corpus-2022"
    assert got.article.body == parse_article(html, url).article.body
    assert got.article.published == datetime(2022, 6, 15, 8, 55, 37, tzinfo=BEIJING)


# --- ids -----------------------------------------------------------------------------

@pytest.mark.parametrize("url, aid", [
    ("https://www.oschina.net/news/158833/linux-5-15-use-werror", "158833"),
    ("https://www.oschina.net/news/158833", "158833"),
    ("http://www.oschina.net/news/158833/?utm_source=x#comments", "158833"),
    ("https://www.oschina.net/news/0158833/x", "158833"),
    ("https://www.oschina.net/news/000", None),
    ("https://www.oschina.net/news/widgets/_news_index_all_list?p=1&type=ajax", None),
    ("https://www.oschina.net/news/industry", None),
    ("https://www.oschina.net/news", None),
    ("https://www.oschina.net/news/158833/a/b", None),
    ("https://www.oschina.net/event/2331429", None),
    ("https://my.oschina.net/u/5324949/blog/5547812", None),
    ("https://gitee.com/news/158833", None),
    ("https://osc.cool/news/158833", None),
    ("https://oschina.net.evil.example/news/158833", None),
    ("ftp://www.oschina.net/news/158833", None),
])
def test_article_id(url: str, aid: str | None):
    assert article_id(url) == aid
    assert is_article_url(url) is (aid is not None)


# --- today's markup: seeds/oschina-2026 ------------------------------------------------

FIX26 = FIX.parent / "oschina-2026"
CASES26 = json.loads((FIX26 / "cases.json").read_text(encoding="utf-8"))
NOW26 = datetime(2026, 3, 12, 12, 0, tzinfo=BEIJING)     # seeds/oschina-2026/crawl.json's `now`


def page26(url: str) -> str:
    return (FIX26 / "site" / url.split("/", 3)[3]).read_bytes().decode("utf-8")


@pytest.mark.parametrize("case", CASES26, ids=[c["name"] for c in CASES26])
def test_2026_case_listed_and_parsed(case: dict):
    exp = read((FIX26 / case["expected"]).read_text(encoding="utf-8"))
    lp = parse_list(page26(case["list_url"]), case["list_url"], NOW26)
    assert lp.layout == case["list_layout"]
    entry = next(e for e in lp.entries if e.url == case["article_url"])
    assert (entry.title, entry.date_text) == (exp.title, case["list_date"])
    assert entry.published == datetime.fromisoformat(case["published"])
    assert format_datetime(entry.published.astimezone(timezone.utc), usegmt=True) == exp.published
    got = parse_article(page26(case["article_url"]), case["article_url"])
    assert got.layout == case["article_layout"]
    art = got.article
    assert art.body.replace("{", "&#123;").replace("}", "&#125;") == exp.body
    assert (art.article_id, art.byline, art.title) == (case["article_id"], case["byline"], exp.title)
    # the page's own date (item-list, with seconds) is a fallback within two minutes of the list's
    assert art.published is not None and art.published.second != 0
    assert abs(art.published - entry.published) < timedelta(minutes=2)
    assert (art.image_urls[:1] or [None])[0] in (exp.headimg, None)


def test_2026_pages_and_ends():
    lp1 = parse_list(page26(LIST), LIST, NOW26)
    assert [article_id(e.url) or e.url for e in lp1.entries] == [
        "401233", "https://gitee.com/gitee-community/gvp-2026", "401198", "401150"]
    assert "news/401233/rust-1-94-released\" target=\"_blank\"><img" in page26(LIST)   # a cover link first
    p2 = lp1.next_url
    lp2 = parse_list(page26(p2), p2, NOW26)
    assert lp2.layout == "2026-data-url" and "<a href=\"https://www.oschina.net/news" not in page26(p2)
    assert [e.url for e in lp2.entries][1] == "https://my.oschina.net/u/5489154/blog/18000321"
    end = parse_list(page26(lp2.next_url), lp2.next_url, NOW26)
    assert (end.entries, end.next_url, end.layout) == ([], None, "")


def test_2026_content_only_body_is_the_element_itself():
    case = next(c for c in CASES26 if c["name"] == "content-only-hours-ago")
    html = page26(case["article_url"])
    assert 'class="article-detail"' not in html
    start = html.index('<div class="content">', html.index("article-box__title"))
    end = html.index("</div>\n<div class=\"tags-box\">") + len("</div>")
    assert parse_article(html, case["article_url"]).article.body == add_referrerpolicy(html[start:end])
