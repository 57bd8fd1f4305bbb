"""OFweek parsers against the fixture portal (seeds/ofweek) and hand-written expected posts."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from crawler.parsers import ofweek
from crawler.parsers.charset import DecodeError, decode_gb
from crawler.parsers.ofweek import LayoutError, article_id, is_article_url, parse_article, parse_list
from crawler.postformat import read, render
from tests.helpers import SEED_POST

FIX = Path(__file__).resolve().parents[1] / "seeds" / "ofweek"
CASES = json.loads((FIX / "cases.json").read_text(encoding="utf-8"))
LIST = "https://www.ofweek.com/CATList-8100-CHANGYIEXINWE"
W = "https://www.ofweek.com"


def local(url: str) -> Path:
    """Mirror file of a www.ofweek.com or mp.ofweek.com URL."""
    return FIX / "site" / url.split("/", 3)[3]


def page(url: str) -> str:
    return decode_gb(local(url).read_bytes())


def crawl_article(url: str) -> tuple[list[ofweek.ArticlePage], str]:
    """All pages of an article (following #nextPage) and their joined body."""
    pages = []
    while url:
        assert len(pages) < 10
        pages.append(parse_article(page(url), url))
        url = pages[-1].next_page_url
    return pages, "".join(p.article.body for p in pages)


def expected(case: dict):
    return read((FIX / case["expected"]).read_text(encoding="utf-8"))


def case_ids(cases: list[dict]) -> list[str]:
    return [c["name"] for c in cases]


# --- the fixture itself --------------------------------------------------------

def test_seed_expected_post_is_the_seed():
    seed = next(c for c in CASES if c["name"] == "seed")
    assert (FIX / seed["expected"]).read_bytes() == SEED_POST.read_bytes()


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_expected_posts_are_canonical(case: dict):
    text = (FIX / case["expected"]).read_text(encoding="utf-8")
    art = read(text)
    assert art.categories == ["新媒体", "高科技行业门户", "新闻"] and art.author == "高科技行业门户"
    assert render(art) == text
    assert case["expected"] == f"expected/_posts/ofweek-{case['article_id']}.md"


def test_pages_are_gbk_family_and_declare_it():
    files = [p for p in (FIX / "site").rglob("*")
             if p.is_file() and p.suffix not in (".jpg", ".png")]       # stand-in images
    assert len(files) >= 13
    for f in files:
        raw = f.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")                         # really GB-encoded bytes
        head = decode_gb(raw)[:600].lower()
        assert 'charset="gb2312"' in head or 'charset="gbk"' in head or "charset=gb2312" in head, f


# --- list pages ------------------------------------------------------------------

def test_list_pages_entries_and_pagination():
    seen = []
    url: str | None = f"{LIST}.html"
    while url:
        lp = parse_list(page(url), url)
        seen.append((url, [(e.url, e.title) for e in lp.entries], lp.next_url))
        url = lp.next_url
    assert [s[0] for s in seen] == [f"{LIST}.html", f"{LIST}-2.html", f"{LIST}-3.html"]
    assert seen[0][1] == [
        (f"{W}/libattery/2022-09/ART-36001-8120-30571906.html", "14亿！东阳光投建年产5万吨磷酸铁锂产线"),
        (f"{W}/chuneng/2022-07/ART-180216-8120-30565372.html", "13.58亿！中天科技中标两大储能项目"),
        (f"{W}/nev/2021-11/ART-71011-8500-30537445.html",
         "小米汽车正式落户北京经开区，将建设年产量30万辆的整车工厂，2024年首车下线"),
    ]   # the 4th link repeats the seed's as a relative href: deduped
    assert [e[0] for e in seen[1][1]] == [
        f"{W}/material/2021-11/ART-340006-8120-30536889.html",
        f"{W}/libattery/2021-10/ART-36001-8120-30529731.html",
        f"{W}/wearable/2021-10/ART-8460-2806-30529560.html",
    ]
    assert seen[2][1] == [
        (f"{W}/power/2021-07/ART-35006-8120-30515642.html", "1-6月全国全社会用电量39339亿千瓦时 同比增16.2%"),
        ("https://mp.ofweek.com/iot/a156714195738", "1.3Gbps！移远模组完成高铁场景下5G实网测试"),
    ]
    assert seen[2][2] is None


def test_every_case_is_listed_on_its_list_page():
    for case in CASES:
        lp = parse_list(page(case["list_url"]), case["list_url"])
        titles = {e.url: e.title for e in lp.entries}
        assert titles[case["article_url"]] == expected(case).title, case["name"]


def test_list_next_url_from_numbered_link_without_next_text():
    html = ('<div class="list-left"><div class="page"><a href="CATList-8100-CHANGYIEXINWE.html">1</a>'
            '<span>2</span><a href="CATList-8100-CHANGYIEXINWE-3.html">3</a>'
            '<a href="CATList-9999-OTHER-3.html">other list</a></div></div>')
    assert parse_list(html, f"{LIST}-2.html").next_url == f"{LIST}-3.html"
    assert parse_list(html, f"{LIST}-3.html").next_url is None


def test_list_ignores_links_outside_the_list_and_non_articles():
    html = ('<div class="list-left"><div class="con-details"><h3><a href=" /nev/2021-11/ART-1-2-3.html#c ">'
            '\n  T1 <b>bold</b>\n</a></h3></div>'
            '<div class="con-details"><h3><a href="https://www.ofweek.com/tag-x.HTM">tag</a></h3></div>'
            '<div class="con-details"><p><a href="/nev/2021-11/ART-1-2-4.html">not in h3</a></p></div></div>'
            '<div class="list-right"><div class="con-details"><h3><a href="/x/ART-1-2-5.html">side</a></h3></div></div>')
    lp = parse_list(html, f"{LIST}.html")
    assert [(e.url, e.title) for e in lp.entries] == [(f"{W}/nev/2021-11/ART-1-2-3.html", "T1 bold")]
    assert lp.next_url is None


def test_list_without_list_layout():
    with pytest.raises(LayoutError) as exc:
        parse_list("<html><body><p>维护中</p></body></html>", f"{LIST}.html")
    assert exc.value.reason == "no-layout"


# --- article pages -----------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_article_matches_expected_post(case: dict):
    exp = expected(case)
    pages, body = crawl_article(case["article_url"])
    art = pages[0].article
    assert body == exp.body
    assert [p.article.url for p in pages] == case["pages"]
    assert art.site == "ofweek"
    assert art.article_id == case["article_id"]
    assert art.byline == case["byline"]
    assert art.published == datetime.fromisoformat(case["published"])
    assert art.published.utcoffset() == timedelta(hours=8)
    assert format_datetime(art.published.astimezone(timezone.utc), usegmt=True) == exp.published
    assert art.title == exp.title                     # the fixtures' h1 equals the list text
    images = [u for p in pages for u in p.article.image_urls]
    if images:
        assert exp.headimg == exp.thumbnail == images[0]
    else:
        n = int(hashlib.sha1(case["article_id"].encode()).hexdigest(), 16) % 10000
        assert exp.headimg == exp.thumbnail == f"https://picsum.photos/400/300?random={n}"


def test_seed_article_details():
    url = f"{W}/nev/2021-11/ART-71011-8500-30537445.html"
    art = parse_article(page(url), url).article
    assert len(art.image_urls) == 3
    assert art.image_urls[0] == "https://mp.ofweek.com/Upload/News/Img/member2589/202111/27152452720903.png"
    assert art.body.endswith("</p> \n")
    raw = page(url)
    assert 'referrerpolicy' not in raw and art.body.count(' referrerpolicy="no-referrer">') == 3


def test_multi_page_links():
    base = f"{W}/libattery/2021-10/ART-36001-8120-30529731"
    nexts = [parse_article(page(u), u).next_page_url
             for u in (f"{base}.html", f"{base}_2.html", f"{base}_3.html")]
    assert nexts == [f"{base}_2.html", f"{base}_3.html", None]
    assert {article_id(u) for u in (f"{base}.html", f"{base}_2.html")} == {"30529731"}


def test_next_page_link_to_another_article_is_ignored():
    html = ('<div class="artical"><h1>t</h1><div class="time fl">2021-11-28 10:38</div>'
            '<div id="articleC">x</div><div class="page"><span id="nextPage">'
            '<a href="ART-1-2-999.html">下一篇</a></span></div></div>')
    assert parse_article(html, f"{W}/nev/2021-11/ART-1-2-3.html").next_page_url is None


def test_gb18030_character_survives():
    case = next(c for c in CASES if c["name"] == "gb18030-char")
    raw = local(case["article_url"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gbk")                                # a gbk decoder would fail or replace
    art = parse_article(decode_gb(raw), case["article_url"]).article
    assert "分子式为C₈H₁₀O" in art.body
    assert "C₈H₁₀O" in expected(case).body


def test_old_layout_and_mp_markers():
    old = next(c for c in CASES if c["name"] == "old-layout-laiyuan")
    html = page(old["article_url"])
    assert 'class="article_left"' in html and 'id="laiyuan"' in html and 'class="artical"' not in html
    mp = next(c for c in CASES if c["name"] == "mp")
    html = page(mp["article_url"])
    assert "<title>1.3Gbps！移远模组完成高铁场景下5G实网测试 - 维科号V</title>" in html


def test_mp_title_falls_back_to_page_title():
    html = ('<html><head><title>标题 A - 维科号V</title></head><body>'
            '<div class="article-info"><span class="author">作者</span>'
            '<span class="time">2021-07-16 17:36</span></div><div id="articleC"><p>x</p></div></body></html>')
    art = parse_article(html, "https://mp.ofweek.com/iot/a1").article
    assert (art.title, art.byline, art.article_id) == ("标题 A", "作者", "a1")
    assert art.published == datetime(2021, 7, 16, 17, 36, tzinfo=timezone(timedelta(hours=8)))


def _seed_html() -> str:
    return page(f"{W}/nev/2021-11/ART-71011-8500-30537445.html")


@pytest.mark.parametrize("mutate, reason", [
    (lambda h: h.replace('class="artical"', 'class="news"'), "no-layout"),
    (lambda h: h.replace("2021-11-28 10:38", "2021-11-28"), "no-date"),
    (lambda h: h.replace("2021-11-28 10:38", "2021-13-28 10:38"), "no-date"),
    (lambda h: h.replace('id="articleC"', 'id="content"'), "no-body"),
    (lambda h: h.replace('id="articleC">', 'id="articleC">  \n</div><div>', 1), "no-body"),
    (lambda h: h[:h.index('id="articleC"') + 400], "no-body"),       # page cut short
])
def test_layout_errors(mutate, reason: str):
    url = f"{W}/nev/2021-11/ART-71011-8500-30537445.html"
    with pytest.raises(LayoutError) as exc:
        parse_article(mutate(_seed_html()), url)
    assert exc.value.reason == reason
    assert isinstance(exc.value, ValueError)


def test_date_with_seconds():
    html = _seed_html().replace("2021-11-28 10:38", "2021-11-28 10:38:09")
    art = parse_article(html, f"{W}/nev/2021-11/ART-71011-8500-30537445.html").article
    assert art.published == datetime(2021, 11, 28, 2, 38, 9, tzinfo=timezone.utc)


# --- ids -----------------------------------------------------------------------------

@pytest.mark.parametrize("url, aid", [
    ("https://www.ofweek.com/nev/2021-11/ART-71011-8500-30537445.html", "30537445"),
    ("https://nev.ofweek.com/2021-12/ART-77012-8500-30539788.html", "30539788"),
    ("https://iot.ofweek.com/2020-09/ART-132216-8460-30457288_5.html", "30457288"),
    ("http://robot.m.ofweek.com/2020-12/ART-8321202-11000-30476098.html", "30476098"),
    ("https://mp.ofweek.com/ee/a256714604647", "a256714604647"),
    ("https://mp.ofweek.com/iot/a756714071157/", "a756714071157"),
    ("https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html", None),
    ("https://www.ofweek.com/", None),
    ("https://mp.ofweek.com/member/index?id=quectel", None),
    ("https://example.com/2021-11/ART-1-2-3.html", None),
    ("https://ofweek.com.evil.example/ART-1-2-3.html", None),
    ("ftp://www.ofweek.com/ART-1-2-3.html", None),
])
def test_article_id(url: str, aid: str | None):
    assert article_id(url) == aid
    assert is_article_url(url) is (aid is not None)


# --- charset -------------------------------------------------------------------------

def test_decode_gb():
    assert decode_gb("镕㵘•C₈".encode("gb18030")) == "镕㵘•C₈"
    assert decode_gb("小米汽车".encode("gb2312")) == "小米汽车"
    with pytest.raises(DecodeError):
        decode_gb(b"<p>\xff\xfe</p>")
    assert issubclass(DecodeError, ValueError)


# --- layout versions ------------------------------------------------------------------

from crawler.parsers.layouts import CORPUS, CURRENT     # noqa: E402

FIX26 = FIX.parent / "ofweek-2026"
CASES26 = json.loads((FIX26 / "cases.json").read_text(encoding="utf-8"))
AI_LIST = "https://www.ofweek.com/ai/CATList-201700-8100-ai"


def page26(url: str) -> str:
    return decode_gb((FIX26 / "site" / url.split("/", 3)[3]).read_bytes())


def crawl_article26(url: str) -> tuple[list[ofweek.ArticlePage], str]:
    pages = []
    while url:
        assert len(pages) < 10
        pages.append(parse_article(page26(url), url))
        url = pages[-1].next_page_url
    return pages, "".join(p.article.body for p in pages)


def test_declared_versions():
    lists = [(x.name, x.era) for x in ofweek.LIST_LAYOUTS]
    articles = [(x.name, x.era) for x in ofweek.ARTICLE_LAYOUTS]
    assert lists == [("2026", CURRENT), ("2026-channel", CURRENT), ("corpus-wen", CORPUS)]
    assert articles == [("2026", CURRENT), ("2026-solar", CURRENT),
                        ("corpus-article_left", CORPUS), ("corpus-mp", CORPUS)]
    assert all(set(x.fields) == {"list"} and x.source for x in ofweek.LIST_LAYOUTS)
    assert all(set(x.fields) == {"title", "date", "body", "image"} and x.source
               for x in ofweek.ARTICLE_LAYOUTS)
    from crawler.spiders.ofweek import OfweekSpider
    assert OfweekSpider.layouts == ofweek.LIST_LAYOUTS + ofweek.ARTICLE_LAYOUTS
    assert "2026-channel: div.list_model div.model_right h3 > a" in OfweekSpider.selectors["list"]
    assert "2026-solar: .sdate" in OfweekSpider.selectors["date"]


# The corpus fixture: which version each page is (by what its markup is, see its README).
CORPUS_LAYOUT = {"seed": "2026", "artical-images-ofweek-host": "2026", "no-image": "2026",
                 "gb18030-char": "2026", "multi-page": "2026",
                 "old-layout-laiyuan-mp": "corpus-article_left",
                 "old-layout-laiyuan": "corpus-article_left", "mp": "corpus-mp"}


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_corpus_pages_name_their_version(case: dict):
    pages, _ = crawl_article(case["article_url"])
    assert {p.layout for p in pages} == {CORPUS_LAYOUT[case["name"]]}
    assert parse_list(page(case["list_url"]), case["list_url"]).layout == "2026"


def test_old_layout_time_is_read_from_sdate():
    old = next(c for c in CASES if c["name"] == "old-layout-laiyuan")
    html = page(old["article_url"])
    assert '<span class="sdate">2021-07-23 14:44</span>' in html
    # an earlier time before the body (next to it, in the same block) does not win over .sdate
    html = html.replace('<div class="tag_left clearfix">', '<div class="tag_left clearfix">2020-01-02 03:04 ', 1)
    assert "2020-01-02 03:04" in html
    art = parse_article(html, old["article_url"]).article
    assert art.published == datetime.fromisoformat(old["published"])


# --- today's markup: seeds/ofweek-2026 -------------------------------------------------

@pytest.mark.parametrize("case", CASES26, ids=case_ids(CASES26))
def test_2026_article_matches_expected_post(case: dict):
    exp = read((FIX26 / case["expected"]).read_text(encoding="utf-8"))
    pages, body = crawl_article26(case["article_url"])
    art = pages[0].article
    assert body == exp.body
    assert [p.article.url for p in pages] == case["pages"]
    assert {p.layout for p in pages} == {case["layout"]}
    assert (art.article_id, art.byline, art.title) == (case["article_id"], case["byline"], exp.title)
    assert art.published == datetime.fromisoformat(case["published"])
    assert format_datetime(art.published.astimezone(timezone.utc), usegmt=True) == exp.published
    images = [u for p in pages for u in p.article.image_urls]
    assert exp.headimg == (images[0] if images else exp.headimg)
    if not images:
        n = int(hashlib.sha1(case["article_id"].encode()).hexdigest(), 16) % 10000
        assert exp.headimg == f"https://picsum.photos/400/300?random={n}"


def test_2026_channel_list_and_its_list_num_pager():
    first = parse_list(page26(f"{AI_LIST}.html"), f"{AI_LIST}.html")
    assert first.layout == "2026-channel"
    assert [(e.url, e.title) for e in first.entries] == [
        ("https://www.ofweek.com/ai/2026-06/ART-201700-8120-30690212.html",
         "具身智能进入量产验证期，多家厂商发布人形机器人新品"),
        ("https://solar.ofweek.com/2026-06/ART-260009-8420-30690147.html",
         "光伏组件价格企稳，TOPCon落后产能出清加速"),
    ]   # the 3rd entry repeats the 1st as a root-relative href; the sidebar is not read
    assert first.next_url == f"{AI_LIST}-2.html"
    second = parse_list(page26(f"{AI_LIST}-2.html"), f"{AI_LIST}-2.html")
    assert [e.url for e in second.entries] == [
        "https://semi.ofweek.com/2026-05/ART-202537-8500-30688830.html"]
    assert second.next_url is None       # only links back; the ee. list in the sidebar is another list


def _channel(links: str, pager: str) -> str:
    return (f'<div class="main_left"><div class="list_model"><div class="model_right model_right2">'
            f'{links}</div></div><div class="list-num">{pager}</div></div>')


@pytest.mark.parametrize("url, nxt", [
    ("https://ee.ofweek.com/CATList-2800-8100-ee-2.html", "https://ee.ofweek.com/CATList-2800-8100-ee-3.html"),
    ("https://ee.ofweek.com/CATList-2800-8100-ee.html", "https://ee.ofweek.com/CATList-2800-8100-ee-2.html"),
    ("https://nev.ofweek.com/CATList-71000-8200-nev-1.html", "https://nev.ofweek.com/CATList-71000-8200-nev-2.html"),
    ("https://3dprint.ofweek.com/CATList-1-8100-3dprint.html", "https://3dprint.ofweek.com/CATList-1-8100-3dprint-2.html"),
])
def test_channel_list_urls_and_their_next_page(url: str, nxt: str):
    base = url.rsplit("/", 1)[0]
    name = nxt.rsplit("/", 1)[1]
    other = "CATList-9999-8100-other-2.html"
    html = _channel('<h3><a href="/2026-06/ART-1-2-3.html">t</a></h3>',
                    f'<a href="{base}/{other}">9</a><a href="{name}">next</a>')
    lp = parse_list(html, url)
    assert (lp.layout, lp.next_url) == ("2026-channel", nxt)
    assert [e.url for e in lp.entries] == [f"{base}/2026-06/ART-1-2-3.html"]


def test_channel_pager_is_div_list_num():
    # a link to page 2 outside div.list-num (a sidebar, a "related" box) is not the pager
    html = _channel("", "<a>1</a>").replace(
        '<div class="list-num">', f'<a href="{AI_LIST}-2.html">2</a><div class="list-num">')
    assert parse_list(html, f"{AI_LIST}.html").next_url is None
    html = _channel("", f'<a href="{AI_LIST}-3.html">3</a><a href="{AI_LIST}-2.html">下一页</a>')
    assert parse_list(html, f"{AI_LIST}.html").next_url == f"{AI_LIST}-2.html"


def test_older_wen_list():
    url = "https://www.ofweek.com/CATList-8400-SHICHANGYUANJIU-1.html"
    html = ('<ul class="list"><li><span class="wen"><h3><a href="https://nev.ofweek.com/2019-05/'
            'ART-71011-8420-30301234.html">旧版列表</a></h3><p>摘要</p></span></li>'
            '<li><span class="pic"><a href="/x/ART-1-2-9.html">图</a></span></li></ul>'
            '<div class="page"><a href="CATList-8400-SHICHANGYUANJIU-2.html">下一页</a></div>')
    lp = parse_list(html, url)
    assert lp.layout == "corpus-wen"
    assert [(e.url, e.title) for e in lp.entries] == [
        ("https://nev.ofweek.com/2019-05/ART-71011-8420-30301234.html", "旧版列表")]
    assert lp.next_url == "https://www.ofweek.com/CATList-8400-SHICHANGYUANJIU-2.html"


def test_no_layout_names_every_version_tried():
    with pytest.raises(LayoutError) as exc:
        parse_list("<html><body><p>维护中</p></body></html>", f"{AI_LIST}.html")
    assert "2026 (div.list-left), 2026-channel (div.list_model), corpus-wen (span.wen)" in exc.value.detail
    with pytest.raises(LayoutError) as exc:
        parse_article("<html><body><p>维护中</p></body></html>", f"{W}/ai/2026-06/ART-1-2-3.html")
    assert exc.value.reason == "no-layout" and "2026-solar (p.title + .sdate)" in exc.value.detail


SOLAR = "https://solar.ofweek.com/2026-06/ART-260009-8420-30690147.html"


@pytest.mark.parametrize("mutate, reason, detail", [
    (lambda h: h.replace("2026-06-17 16:05", "2026-06-17"), "no-date", "2026-solar: .sdate"),
    (lambda h: h.replace('id="articleC"', 'id="content"'), "no-body", "2026-solar: #articleC"),
])
def test_solar_errors_name_version_and_selector(mutate, reason: str, detail: str):
    with pytest.raises(LayoutError) as exc:
        parse_article(mutate(page26(SOLAR)), SOLAR)
    assert exc.value.reason == reason and detail in exc.value.detail


def test_artical_errors_name_version_and_selector():
    url = f"{W}/nev/2021-11/ART-71011-8500-30537445.html"
    with pytest.raises(LayoutError) as exc:
        parse_article(_seed_html().replace("2021-11-28 10:38", "待定"), url)
    assert exc.value.reason == "no-date" and "2026: div.time.fl" in exc.value.detail


def test_solar_marker_needs_no_article_left_h1():
    # an old-layout page with a p.title in a sidebar stays an old-layout page
    old = next(c for c in CASES if c["name"] == "old-layout-laiyuan")
    html = page(old["article_url"]).replace("</body>", '<p class="title">相关阅读</p></body>')
    got = parse_article(html, old["article_url"])
    assert got.layout == "corpus-article_left" and got.article.title == expected(old).title


def test_2026_pages_are_gbk_and_declare_it():
    files = [p for p in (FIX26 / "site").rglob("*.html")]
    assert len(files) == 6
    for f in files:
        raw = f.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert "charset=gbk" in decode_gb(raw)[:400]


@pytest.mark.parametrize("url, aid", [
    ("https://semi.ofweek.com/2026-05/ART-202537-12003-30687472.html", "30687472"),
    ("https://www.ofweek.com/ai/2026-06/ART-201700-8120-30690212.html", "30690212"),
    ("https://nev.ofweek.com/2026-06/ART-77015-8330-30689151_2.html", "30689151"),
    ("https://www.ofweek.com/ai/CATList-201700-8100-ai.html", None),
    ("https://ee.ofweek.com/CATList-2800-8100-ee-2.html", None),
])
def test_article_id_today(url: str, aid: str | None):
    assert article_id(url) == aid


# --- which date wins (issue 18): the known selector, else the article's own text ------

_ART = f"{W}/nev/2021-11/ART-1-2-3.html"


def test_the_time_element_wins_over_an_earlier_date_in_the_article():
    html = ('<div class="artical"><h1>t</h1><p>回顾 2020-01-02 03:04 的发布会</p>'
            '<div class="time fl">2021-11-28 10:38</div><div id="articleC">x</div></div>')
    art = parse_article(html, _ART).article
    assert art.published == datetime(2021, 11, 28, 2, 38, tzinfo=timezone.utc)


def test_without_the_time_element_the_date_comes_from_the_article_not_the_page_chrome():
    html = ('<div class="header">今天 2026-01-05 09:00 天气</div>'
            '<div class="artical"><h1>t</h1><p>发布于 2021-11-28 10:38</p>'
            '<div id="articleC">x</div></div>')
    art = parse_article(html, _ART).article
    assert art.published == datetime(2021, 11, 28, 2, 38, tzinfo=timezone.utc)


# --- precise cases found by mutation testing (tests/README.md) ---------------------

BJ = timezone(timedelta(hours=8))
ART = "https://ee.ofweek.com/2026-01/ART-8500-2800-30537445.html"


def _page(body: str, title: str = "页面 - OFweek维科网") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def test_the_article_container_holding_the_body_gives_title_and_date() -> None:
    # Chrome before the article reuses the container's class, with its own h1 and time.
    html = _page('<h1>站点</h1><div class="artical"><h1>侧栏</h1><div class="time fl">2020-01-01 08:00</div></div>'
                 '<div class="artical"><h1>正文标题</h1><div class="time fl">2026-01-02 10:30</div>'
                 '<div id="articleC"><p>x</p></div></div>')
    a = parse_article(html, ART)
    assert (a.layout, a.article.title) == ("2026", "正文标题")
    assert a.article.published == datetime(2026, 1, 2, 10, 30, tzinfo=BJ)
    outer = _page('<h1>页外标题</h1><div class="artical"><div class="time fl">2026-01-02 10:30</div>'
                  '<div id="articleC"><p>x</p></div></div>')
    assert parse_article(outer, ART).article.title == "页外标题"   # none inside: the page's


@pytest.mark.parametrize("title, expected", [
    ("甲 - OFweek 乙 - OFweek锂电网", "甲 - OFweek 乙"),    # the last suffix is cut, not the first
    ("- OFweek锂电网", ""),                                 # names no article
    ("只有标题", "只有标题"),
], ids=["last-suffix-cut", "suffix-only", "no-suffix"])   # plain ids: mutmut passes them on a command line
def test_a_title_from_the_page_title_loses_the_portal_suffix(title: str, expected: str) -> None:
    html = _page('<div class="artical"><div class="time fl">2026-01-02 10:30</div>'
                 '<div id="articleC"><p>x</p></div></div>', title)
    assert parse_article(html, ART).article.title == expected


MP_BODY = ('<div class="article-info"><span class="time">2021-11-28 10:38</span>'
           '<span class="author">作者</span></div><div id="articleC"><p>x</p></div>')


def test_mp_pages_are_known_by_host_or_by_title_suffix() -> None:
    by_host = parse_article(_page(MP_BODY, "没有后缀"), "https://MP.ofweek.com/ee/a256714604647")
    assert (by_host.layout, by_host.article.title) == ("corpus-mp", "没有后缀")
    by_title = parse_article(_page(MP_BODY, "号文标题 - 维科号V"), ART)
    assert (by_title.layout, by_title.article.title) == ("corpus-mp", "号文标题")
    assert by_title.article.published == datetime(2021, 11, 28, 10, 38, tzinfo=BJ)


def test_a_date_split_over_elements_before_the_body_keeps_its_time() -> None:
    html = _page('<div class="article_left"><h1>t</h1><span>2021-11-28</span><span>10:38</span>'
                 '<div id="articleC" class="article_con"><p>x</p></div></div>')
    a = parse_article(html, ART)
    assert a.layout == "corpus-article_left"
    assert a.article.published == datetime(2021, 11, 28, 10, 38, tzinfo=BJ)


EARLY = "<p>相关：2020-05-05 05:05</p>"                    # a date in the chrome before the known one
KNOWN = datetime(2026, 1, 2, 10, 30, tzinfo=BJ)


@pytest.mark.parametrize("layout, body", [
    # the container's own time wins over a time element of the page chrome
    ("2026", '<div class="time fl">2019-09-09 09:09</div><div class="artical"><h1>t</h1>'
             '<div class="time fl">2026-01-02 10:30</div><div id="articleC"><p>x</p></div></div>'),
    # no time in the container: the page's time element, not the text before the body
    ("2026", f'<div class="time fl">2026-01-02 10:30</div><div class="artical"><h1>t</h1>{EARLY}'
             '<div id="articleC"><p>x</p></div></div>'),
    ("2026-solar", f'{EARLY}<p class="title">t</p><span class="sdate">2026-01-02 10:30</span>'
                   '<div id="articleC"><p>x</p></div>'),
    ("corpus-article_left", '<span class="sdate">2019-09-09 09:09</span><div class="article_left"><h1>t</h1>'
                            f'{EARLY}<span class="sdate">2026-01-02 10:30</span>'
                            '<div id="articleC" class="article_con"><p>x</p></div></div>'),
    ("corpus-article_left", f'<span class="sdate">2026-01-02 10:30</span><div class="article_left"><h1>t</h1>'
                            f'{EARLY}<div id="articleC" class="article_con"><p>x</p></div></div>'),
    ("corpus-mp", f'{EARLY}<div class="article-info"><span class="time">2026-01-02 10:30</span></div>'
                  '<div id="articleC"><p>x</p></div>'),
])
def test_the_known_date_element_wins_over_other_dates(layout: str, body: str) -> None:
    a = parse_article(_page(body, "t - 维科号V" if layout == "corpus-mp" else "页面标题"), ART)
    assert (a.layout, a.article.published, a.article.title) == (layout, KNOWN, "t")


def test_ids_images_and_titles_of_the_other_layouts() -> None:
    assert article_id("https://OFweek.com/2021-11/ART-8500-2800-30537445.html") == "30537445"   # bare domain
    html = _page('<div class="artical"><h1>t</h1><div class="time fl">2026-01-02 10:30</div>'
                 '<div id="articleC"><p><img src="/img/a.png"></p></div></div>')
    a = parse_article(html, ART).article
    assert a.image_urls == ["https://ee.ofweek.com/img/a.png"]             # resolved against the page
    assert parse_article(html, "https://ee.ofweek.com/news/x.html").article.article_id == ""   # none: no made-up id
    mp = parse_article(_page("<h1>号文 h1</h1>" + MP_BODY, "别的 - 维科号V"), ART).article
    assert mp.title == "号文 h1"
    left = parse_article(_page('<h1>页外</h1><div class="article_left"><span class="sdate">2026-01-02 10:30</span>'
                               '<div id="articleC" class="article_con"><p>x</p></div></div>'), ART)
    assert (left.layout, left.article.title) == ("corpus-article_left", "页外")


def test_list_entries_after_a_repeat_and_titles_from_the_title_attribute() -> None:
    item = '<div class="con-details"><h3><a href="{}"{}>{}</a></h3></div>'
    html = ('<div class="list-left">'
            + item.format("/a/ART-1-2-11.html", "", "一")
            + item.format("/a/ART-1-2-11.html", "", "一")           # a repeat does not end the list
            + item.format("/a/ART-1-2-12.html", ' title=" 属性标题 "', " ")
            + "</div>")
    lp = parse_list(html, f"{LIST}.html")
    assert [(e.url, e.title) for e in lp.entries] == [
        ("https://www.ofweek.com/a/ART-1-2-11.html", "一"), ("https://www.ofweek.com/a/ART-1-2-12.html", "属性标题")]


def test_list_next_url_prefers_next_text_and_never_goes_back_or_elsewhere() -> None:
    pager = ('<div class="list-left"><div class="page">'
             f'<a href="{LIST}-2.html">下一页</a>'                         # itself: ignored
             f'<a href="https://ee.ofweek.com/CATList-8100-CHANGYIEXINWE-3.html">3</a>'   # another host's list
             f'<a href="{LIST}-3.html">3</a><a href="{LIST}-5.html"> 下一页 </a></div></div>')
    assert parse_list(pager, f"{LIST}-2.html").next_url == f"{LIST}-5.html"
    numbered_only = pager.replace(f'<a href="{LIST}-5.html"> 下一页 </a>', "")
    assert parse_list(numbered_only, f"{LIST}-2.html").next_url == f"{LIST}-3.html"


def test_untitled_links_containers_without_the_body_and_an_empty_solar_title() -> None:
    bare = '<div class="list-left"><div class="con-details"><h3><a href="/a/ART-1-2-13.html"> </a></h3></div></div>'
    assert [e.title for e in parse_list(bare, f"{LIST}.html").entries] == [""]   # no text, no title: ""
    outside = _page('<div class="artical"><h1>容器</h1><div class="time fl">2026-01-02 10:30</div></div>'
                    '<div id="articleC"><p>x</p></div>')
    a = parse_article(outside, ART)                         # no container holds the body: the first
    assert (a.layout, a.article.title, a.article.published) == ("2026", "容器", KNOWN)
    solar = _page('<p class="title"> </p><span class="sdate">2026-01-02 10:30</span>'
                  '<div id="articleC"><p>x</p></div>', "太阳能标题 - OFweek太阳能光伏网")
    s = parse_article(solar, ART)
    assert (s.layout, s.article.title) == ("2026-solar", "太阳能标题")
