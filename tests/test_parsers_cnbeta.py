"""cnBeta parsers against the fixture portal (seeds/cnbeta) and hand-written expected posts."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from crawler.parsers.cnbeta import (LayoutError, assemble_body, article_id, is_article_url,
                                    page_datetime, parse_article, parse_list)
from crawler.postformat import read, render

FIX = Path(__file__).resolve().parents[1] / "seeds" / "cnbeta"
CASES = json.loads((FIX / "cases.json").read_text(encoding="utf-8"))
RSS = "https://rss.cnbeta.com/"
W = "https://www.cnbeta.com"
BEIJING = timezone(timedelta(hours=8))
IMAGES = (".webp", ".png", ".jpg", ".gif")            # generated stand-ins (make_images.py)
ADAM_PAGE = f"{W}/articles/tech/1262402.htm"           # in the RSS by `adam`: never read


def local(url: str) -> Path:
    """Mirror file of an rss./www.cnbeta.com URL (a folder's path serves its index.html)."""
    rel = url.split("/", 3)[3]
    return FIX / "site" / (rel or "index.html")


def page(url: str) -> str:
    return local(url).read_bytes().decode("utf-8")


def expected(case: dict):
    return read((FIX / case["expected"]).read_text(encoding="utf-8"))


def by_name(name: str) -> dict:
    return next(c for c in CASES if c["name"] == name)


IDS = [c["name"] for c in CASES]


# --- the fixture itself --------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expected_posts_are_canonical(case: dict):
    text = (FIX / case["expected"]).read_text(encoding="utf-8")
    art = read(text)
    assert art.categories == ["新媒体", "cnBeta", "最新"] and art.author == "cnBeta"
    assert render(art) == text
    assert case["expected"] == f"expected/_posts/cnbeta-{case['article_id']}.md"
    # as the corpus shows: `<strong>lead</strong>rest<br>` + `\n<p` or `\n <p`, then
    # the last element plus one space
    assert re.match(r"<strong>[^<]+</strong>.*?<br>\n ?<p[ >]", art.body, re.S), art.body[:200]
    assert art.body.endswith(("</p> ", "</div> "))
    assert "article-global" not in art.body and "article-topic" not in art.body
    assert art.body.count("<img ") == art.body.count(' referrerpolicy="no-referrer">')


def test_pages_are_utf8_and_declare_it():
    files = [p for p in (FIX / "site").rglob("*") if p.is_file() and p.suffix not in IMAGES]
    assert len(files) == len(CASES) + 2                  # the RSS, one page per case, adam's page
    for f in files:
        text = f.read_bytes().decode("utf-8")           # strict: really UTF-8
        assert ('<meta charset="utf-8">' in text[:300]) or text.startswith(
            '<?xml version="1.0" encoding="utf-8"?>'), f


def test_raw_pages_carry_the_known_markup():
    for case in CASES:
        html = page(case["article_url"])
        assert '<div class="article-summary">' in html and '<div class="article-content" id="artibody">' in html
        assert '<div class="cnbeta-article">' in html and "<h1>" in html
        assert "referrerpolicy" not in html
        assert html.count('class="article-global"') >= 1              # the page-level 6.18 banner
    inside = page(by_name("global-topic-webp")["article_url"])
    content = inside[inside.index('id="artibody">'):]
    assert '<div class="article-global"><div class="ad-618">' in content
    assert '<div class="article-topic">' in content
    assert '<div class="article-relation">' in page(by_name("relation-kept-affiliate")["article_url"])
    summary = page(by_name("quote-title-topic-in-summary")["article_url"])
    assert '<div class="article-summary"><div class="article-topic">' in summary


# --- the RSS ------------------------------------------------------------------------

def test_list_entries_in_feed_order():
    lp = parse_list(local(RSS).read_bytes(), RSS)
    assert [(e.url, e.author, e.published) for e in lp.entries] == [
        (f"{W}/articles/tech/1262418.htm", "白鹭", datetime(2022, 4, 18, 21, 36, 52, tzinfo=BEIJING)),
        (f"{W}/articles/soft/1262391.htm", "稀饭", datetime(2022, 4, 18, 19, 5, 17, tzinfo=BEIJING)),
        (f"{W}/articles/game/1262366.htm", "远山", datetime(2022, 4, 18, 17, 44, 29, tzinfo=BEIJING)),
        (f"{W}/articles/1262350.htm", "青橙", datetime(2022, 4, 18, 8, 12, 40, tzinfo=timezone.utc)),
        (f"{W}/articles/tech/1262307.htm", "晚风", datetime(2022, 4, 18, 7, 58, 3, tzinfo=BEIJING)),
    ]   # not: adam's item, the /topics/ page, the second item of 1262366 (?utm_source=rss#comments)
    assert lp.next_url is None


def test_adam_is_in_the_rss_and_dropped():
    rss = local(RSS).read_text(encoding="utf-8")
    assert f"<link>{ADAM_PAGE}</link>" in rss and "<author>adam</author>" in rss
    assert local(ADAM_PAGE).is_file()                    # a crawler that kept it would post it
    assert ADAM_PAGE not in {e.url for e in parse_list(rss, RSS).entries}


def test_every_case_is_listed_with_its_title_date_and_author():
    entries = {e.url: e for e in parse_list(local(RSS).read_bytes(), RSS).entries}
    assert len(entries) == len(CASES)
    for case in CASES:
        e, exp = entries[case["article_url"]], expected(case)
        assert e.title == exp.title and e.author == case["byline"], case["name"]
        assert e.published == datetime.fromisoformat(case["published"])
        assert format_datetime(e.published.astimezone(timezone.utc), usegmt=True) == exp.published


def _rss(*items: str, decl: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return f'{decl}\n<rss version="2.0"><channel><title>cnBeta</title>{"".join(items)}</channel></rss>'


def _item(link: str, author: str = "白鹭", date: str = "Mon, 18 Apr 2022 21:36:52 +0800") -> str:
    return (f"<item><title>T {link}</title><link>{link}</link><author>{author}</author>"
            f"<pubDate>{date}</pubDate></item>")


def test_list_filters_like_the_route():
    text = _rss(_item(f"{W}/articles/tech/1.htm", author="adam"),
                _item(f"{W}/articles/tech/2.htm", author=" adam "),
                _item(f"{W}/articles/tech/3.htm", author="Adam"),        # the route compares exactly
                _item(f"{W}/articles/tech/4.htm", author="adamx"),
                _item(f"{W}/articles/tech/5.htm", author=""),
                _item("https://example.com/articles/tech/6.htm"),
                _item(f"{W}/topics/618.htm"),
                _item("/articles/soft/7.htm"),                          # relative: on rss.cnbeta.com
                _item(f"{W}/articles/8.htm#comments"),
                _item("http://www.cnbeta.com/articles/tech/4.htm?from=rss"))   # id 4 again
    lp = parse_list(text, RSS)
    assert [e.url for e in lp.entries] == [
        f"{W}/articles/tech/3.htm", f"{W}/articles/tech/4.htm", f"{W}/articles/tech/5.htm",
        "https://rss.cnbeta.com/articles/soft/7.htm", f"{W}/articles/8.htm"]


def test_an_item_link_that_is_no_url_gives_way_to_its_permalink_guid():
    item = (f'<item><title>T</title><link>http://[::1/</link><guid isPermaLink="true">{W}/articles/tech/5.htm</guid>'
            "<author>白鹭</author></item>")
    assert [e.url for e in parse_list(_rss(item), RSS).entries] == [f"{W}/articles/tech/5.htm"]


def test_list_bytes_and_text_agree_whatever_the_declaration():
    text = _rss(_item(f"{W}/articles/tech/1262418.htm", author="镕铭"), decl='<?xml version="1.0" encoding="gb2312"?>')
    from_text = parse_list(text, RSS).entries                         # declaration ignored
    from_bytes = parse_list(text.encode("gb18030"), RSS).entries      # declaration read
    assert from_text == from_bytes and from_text[0].author == "镕铭"
    assert parse_list("\ufeff" + text, RSS).entries == from_text


@pytest.mark.parametrize("date, want", [
    ("Mon, 18 Apr 2022 21:36:52 +0800", datetime(2022, 4, 18, 13, 36, 52, tzinfo=timezone.utc)),
    ("Mon, 18 Apr 2022 13:36:52 GMT", datetime(2022, 4, 18, 13, 36, 52, tzinfo=timezone.utc)),
    ("2022-04-18 21:36:52", datetime(2022, 4, 18, 13, 36, 52, tzinfo=timezone.utc)),   # local: Beijing
    ("2022-04-18T21:36:52+08:00", datetime(2022, 4, 18, 13, 36, 52, tzinfo=timezone.utc)),
    ("昨天", None),
    ("", None),
])
def test_list_dates(date: str, want: datetime | None):
    [entry] = parse_list(_rss(_item(f"{W}/articles/tech/1.htm", date=date)), RSS).entries
    assert entry.published == want


@pytest.mark.parametrize("text, reason, detail", [
    ("<html><body><p>系统维护中</p></body></html>", "not-a-feed", "not-a-feed: root element <html>"),
    ("", "not-a-feed", "not-a-feed: <string>:1:1:FATAL:PARSER:ERR_DOCUMENT_EMPTY: Document is empty"),
    ("X" + _rss(_item(f"{W}/articles/tech/1.htm")), "not-a-feed",      # a stray character before the declaration
     "not-a-feed: <string>:1:1:FATAL:PARSER:ERR_DOCUMENT_EMPTY: Start tag expected, '<' not found"),
    (b'<?xml version="1.0" encoding="utf-8"?><rss><channel><title>\xff\xfe</title></channel></rss>', "undecodable",
     "undecodable: neither UTF-8 nor GB18030 (at byte 59: illegal multibyte sequence)"),
])
def test_list_that_is_not_a_feed(text, reason: str, detail: str):
    with pytest.raises(LayoutError) as exc:
        parse_list(text, RSS)
    assert (exc.value.reason, exc.value.detail) == (reason, detail)


def test_empty_feed_is_an_empty_list():
    assert parse_list(_rss(), RSS).entries == []


# --- article pages -----------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_article_matches_expected_post(case: dict):
    exp = expected(case)
    art = parse_article(page(case["article_url"]), case["article_url"]).article
    assert art.body == exp.body
    assert (art.site, art.url, art.article_id) == ("cnbeta", case["article_url"], case["article_id"])
    assert [art.url] == case["pages"]
    assert art.title == exp.title                     # the fixtures' h1 equals the RSS title
    rss_date = datetime.fromisoformat(case["published"])
    assert art.published == rss_date.replace(second=0)       # the page shows minutes only
    assert art.published.utcoffset() == timedelta(hours=8)
    if art.image_urls:
        assert exp.headimg == exp.thumbnail == art.image_urls[0]
        assert all(u.startswith("https://static.cnbetacdn.com/article/2022/0418/") for u in art.image_urls)
    else:
        n = int(hashlib.sha1(case["article_id"].encode()).hexdigest(), 16) % 10000
        assert exp.headimg == exp.thumbnail == f"https://picsum.photos/400/300?random={n}"


def test_removed_blocks_are_cut_exactly():
    case = by_name("global-topic-webp")
    html = page(case["article_url"])
    art = parse_article(html, case["article_url"]).article
    assert "union-click.jd.com" not in art.body and "topics/samsung" not in art.body
    assert "jd_banner_640.jpg" not in art.body and art.image_urls == [
        "https://static.cnbetacdn.com/article/2022/0418/3f9c0a7d21e4b58.webp"]
    # the page's content with the two elements cut out is the body's tail, byte for byte
    start = html.index('id="artibody">') + len('id="artibody">')
    raw = html[start:html.index('</div>\n<div class="article-tags">')]
    raw = re.sub(r'<div class="article-global"><div class="ad-618">.*?</div><p class="ad-tip">广告</p></div>', "", raw)
    raw = re.sub(r'<div class="article-topic">.*?</div>', "", raw)
    assert art.body.endswith(raw.replace('alt="fold4_leak.webp">', 'alt="fold4_leak.webp" referrerpolicy="no-referrer">'))


def test_relation_block_and_affiliate_link_are_kept():
    case = by_name("relation-kept-affiliate")
    art = parse_article(page(case["article_url"]), case["article_url"]).article
    assert art.body.endswith('Firefox 2022 年路线图</a></p></div> ')
    assert '<div class="article-relation"><p><strong>相关文章:</strong></p>' in art.body
    assert '<a data-link="1" href="https://microsoft.pvxt.net/Q7yR2" target="_blank">Windows</a>' in art.body
    assert "Linux&nbsp;用户" in art.body and "英国用户 &amp; 更多地区" in art.body


def test_summary_is_the_first_p_left_after_removal():
    case = by_name("quote-title-topic-in-summary")
    art = parse_article(page(case["article_url"]), case["article_url"]).article
    assert art.body.startswith("<strong>微软近日更新了")
    assert "微软专题" not in art.body


# --- exact slices, unit cases ----------------------------------------------------------

def doc(summary: str, content: str, before: str = "", after: str = "") -> str:
    return (f'<html><body>{before}<div class="article-summary">{summary}</div>'
            f'<div class="article-content">{content}</div>{after}</body></html>')


@pytest.mark.parametrize("html, body", [
    # nested ad blocks, only the element's own span goes
    (doc("<p>S</p>", '\n<p>a</p><div class="article-global"><div><div>x</div></div><p>y</p></div>\n<p>b</p> '),
     "S<br>\n<p>a</p>\n<p>b</p> "),
    # class tokens: exact and case-sensitive; other attributes and quoting untouched
    (doc("<p>S</p>", "<p class='article-topics'>k</p><section class=\"x  article-topic\ty\">t</section>"
                     "<p CLASS=Article-Global>K</p>"),
     "S<br><p class='article-topics'>k</p><p CLASS=Article-Global>K</p>"),
    # a void element and an element with the class on a later duplicate attribute
    (doc("<p>S</p>", '<p>a<img class="article-topic" src="t.png">b</p><p class="k" class="article-global">c</p>'),
     'S<br><p>ab</p><p class="k" class="article-global">c</p>'),
    # inside the summary's p: cut there too
    (doc('<p><strong>L</strong>R<span class="article-global">广告</span>!</p>', "<p>c</p>"),
     "<strong>L</strong>R!<br><p>c</p>"),
    # the first p of a summary in document order, at any depth; a removed one does not count
    (doc('<div class="article-topic"><p>topic</p></div><div><p>x</p></div><p>y</p>', "<p>c</p>"),
     "x<br><p>c</p>"),
    # a removed .article-content is not the content; the next one is
    (doc("<p>S</p>", "<p>real</p>", before='<div class="article-global"><div class="article-content">ad</div></div>'),
     "S<br><p>real</p>"),
    # comments and raw text are not markup: a fake end tag or class there changes nothing
    (doc("<p>S</p>", '<!-- <div class="article-global"> --><script>var s = "</div>";</script><p>&nbsp;&#123;</p>'),
     'S<br><!-- <div class="article-global"> --><script>var s = "</div>";</script><p>&nbsp;&#123;</p>'),
    # an unclosed summary p ends where a browser ends it: a block start tag, an ancestor's end
    (doc("<p><strong>L</strong>R<div>tail</div>", "<p>c</p>"), "<strong>L</strong>R<br><p>c</p>"),
    (doc("<p><em>L</em>R", "<p>c</p>"), "<em>L</em>R<br><p>c</p>"),
    (doc("<p>a</span>b</br>c</p>", "<p>c</p>"), "a</span>b</br>c<br><p>c</p>"),      # stray end tags
    # a removed element that never ends runs to the end of the page (after the content here)
    (doc("<p>S</p>", "<p>c</p> ", after='<div class="article-global"><p>ad'), "S<br><p>c</p> "),
    # an empty summary p is still a summary
    (doc("<p></p>", "<p>c</p>"), "<br><p>c</p>"),
    # a summary never closed runs to the end of the page: its first p is the summary
    ('<html><body><div class="article-summary"><p>S</p><div class="article-content"><p>c</p></div></body></html>',
     "S<br><p>c</p>"),
])
def test_assemble_body(html: str, body: str):
    assert assemble_body(html) == body


def test_a_summary_that_is_itself_a_p_has_no_summary_p():
    # the route reads `.article-summary p`: a p inside the summary, never the summary itself
    with pytest.raises(LayoutError) as exc:
        assemble_body('<p class="article-summary">S</p><div class="article-content"><p>c</p></div>')
    assert exc.value.reason == "no-summary"


def test_assemble_body_never_reserializes():
    content = ("\n <P Style='text-align:center'><IMG SRC=a.webp alt=\"x\"></P><p>&reg; &amp;amp; a<b</p>"
               "<table><tr><td>1</table><br/><div class=\"article-relation\"><p>r</p></div> ")
    assert assemble_body(doc("<p><strong>L</strong>R</p>", content)) == "<strong>L</strong>R<br>" + content


def _fixture() -> tuple[str, str]:
    case = by_name("global-topic-webp")
    return page(case["article_url"]), case["article_url"]


@pytest.mark.parametrize("mutate, reason", [
    (lambda h: h.replace('class="article-content"', 'class="article-text"'), "no-body"),
    (lambda h: h[:h.index('id="artibody">') + 400], "no-body"),                # page cut short
    (lambda h: re.sub(r'(id="artibody">).*?(</div>\n<div class="article-tags">)', r"\1 \n \2", h, flags=re.S),
     "no-body"),                                                              # empty content
    (lambda h: h.replace('<div class="article-content" id="artibody">',
                         '<div class="article-content article-global" id="artibody">'), "no-body"),
    (lambda h: h.replace('class="article-summary"', 'class="article-intro"'), "no-summary"),
    (lambda h: re.sub(r'(<div class="article-summary">)<p>(.*?)</p>', r"\1<span>\2</span>", h), "no-summary"),
])
def test_layout_errors(mutate, reason: str):
    html, url = _fixture()
    broken = mutate(html)
    assert broken != html
    with pytest.raises(LayoutError) as exc:
        parse_article(broken, url)
    assert exc.value.reason == reason
    assert isinstance(exc.value, ValueError)


def test_layout_errors_say_what_is_missing():
    html, url = _fixture()
    for broken, what in (
            (html.replace('<div class="article-content" id="artibody">',
                          '<div class="article-content article-global" id="artibody">'), "no .article-content"),
            (html[:html.index('id="artibody">') + 400], "unclosed .article-content")):
        with pytest.raises(LayoutError) as exc:
            parse_article(broken, url)
        assert exc.value.detail == f"corpus-2022: {what} (body: .article-summary p + <br> + .article-content " \
                                   "(minus .article-global, .article-topic))"


def test_the_host_of_a_page_from_its_links_and_stylesheets():
    # no canonical URL, no link to an article: a stylesheet on cnbeta.com.tw makes it today's
    html = ('<html><head><link rel="stylesheet" href="//static.cnbeta.com.tw/a.css"></head><body>'
            '<div class="article-summary">S</div><div class="article-content"><p>c</p></div></body></html>')
    got = parse_article(html, f"{W}/articles/tech/1.htm")
    assert (got.layout, got.article.body, got.article.article_id) == ("2026", "S<p>c</p>", "1")
    assert parse_article(html, f"{W}/topics/618.htm").article.article_id == ""        # not an article URL


def test_page_fallbacks():
    html, url = _fixture()
    art = parse_article(html, url).article
    assert art.byline == "快科技"                                   # `稿源：` dropped
    bare = re.sub(r'<header class="title">.*?</header>', "", html, flags=re.S)
    art = parse_article(bare, url).article
    assert (art.title, art.published, art.byline) == ("", None, "")


@pytest.mark.parametrize("text, want", [
    ("2022年04月18日 21:36", datetime(2022, 4, 18, 21, 36, tzinfo=BEIJING)),
    ("2022年4月8日 7:05", datetime(2022, 4, 8, 7, 5, tzinfo=BEIJING)),
    ("发布于 2022年04月18日21:36:09", datetime(2022, 4, 18, 21, 36, 9, tzinfo=BEIJING)),
    ("2022-04-18 21:36", datetime(2022, 4, 18, 21, 36, tzinfo=BEIJING)),
    ("2022年02月30日 21:36", None),
    ("2022年04月18日", None),
    ("", None),
])
def test_page_datetime(text: str, want: datetime | None):
    assert page_datetime(text) == want


# --- ids -----------------------------------------------------------------------------

@pytest.mark.parametrize("url, aid", [
    ("https://www.cnbeta.com/articles/tech/1262418.htm", "1262418"),
    ("http://www.cnbeta.com/articles/soft/1262391.htm?utm_source=rss#comments", "1262391"),
    ("https://www.cnbeta.com/articles/1262350.htm", "1262350"),
    ("https://cnbeta.com/articles/game/01262366.htm", "1262366"),
    ("https://m.cnbeta.com/articles/tech/1262418.htm", "1262418"),
    ("https://www.cnbeta.com/articles/tech/0.htm", None),
    ("https://www.cnbeta.com/articles/tech/1262418.html", None),
    ("https://www.cnbeta.com/articles/tech/sub/1262418.htm", None),
    ("https://www.cnbeta.com/topics/618.htm", None),
    ("https://www.cnbeta.com/", None),
    ("https://rss.cnbeta.com/", None),
    ("https://static.cnbetacdn.com/articles/tech/1262418.htm", None),
    # today's host: the same id space (one article, whichever host)
    ("https://www.cnbeta.com.tw/articles/tech/1577922.htm", "1577922"),
    ("https://www.cnbeta.com.tw/articles/tech/1262418.htm", "1262418"),
    ("http://rss.cnbeta.com.tw/articles/science/01573790.htm?from=rss", "1573790"),
    ("https://WWW.CNBETA.COM.TW./articles/1262350.htm", "1262350"),
    ("https://www.cnbeta.com.tw/topics/618.htm", None),
    ("https://www.cnbeta.com.tw/backend.php", None),
    ("https://cnbeta.com.tw.evil.example/articles/tech/1.htm", None),
    ("https://evilcnbeta.com.tw/articles/tech/1.htm", None),
    ("https://cnbeta.com.evil.example/articles/tech/1.htm", None),
    ("ftp://www.cnbeta.com/articles/tech/1262418.htm", None),
])
def test_article_id(url: str, aid: str | None):
    assert article_id(url) == aid
    assert is_article_url(url) is (aid is not None)
