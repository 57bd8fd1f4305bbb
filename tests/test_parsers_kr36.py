"""36kr 快讯 parser: the corpus-era fixture page (seeds/36kr), today's (seeds/36kr-2026), the real
2026 pages (/work/shared/realpages/36kr, skipped when absent) and hand-written expected posts."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.parsers.common import Blocked
from crawler.parsers.kr36 import (ARTICLE_LAYOUTS, CORPUS_PATH, CURRENT_PATH, LIST_LAYOUTS, FlashEntry,
                                  LayoutError, _holds, article_id, item_link, parse_list, publish_time)
from crawler.parsers.layouts import CORPUS, CURRENT, Page
from crawler.postformat import read, render
from tests.helpers import REALPAGES, need_realpage

FIX = Path(__file__).resolve().parents[1] / "seeds" / "36kr"
CASES = json.loads((FIX / "cases.json").read_text(encoding="utf-8"))
LIST = "https://36kr.com/newsflashes"
NO_CONTENT_ID = "1483672104230913"                 # on the page with an empty widgetContent
PAGE = (FIX / "site" / "newsflashes").read_bytes().decode("utf-8")
NEWER = (FIX / "variants" / "newsflashes-newer-state").read_bytes().decode("utf-8")
IDS = [c["name"] for c in CASES]


def entries(html: str = PAGE) -> list[FlashEntry]:
    found = parse_list(html, LIST).entries
    assert all(isinstance(e, FlashEntry) for e in found)
    return found  # type: ignore[return-value]


def by_id(item_id: str) -> FlashEntry:
    return next(e for e in entries() if e.item_id == item_id)


# --- the fixture itself -----------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expected_posts_are_canonical(case: dict) -> None:
    text = (FIX / case["expected"]).read_text(encoding="utf-8")
    art = read(text)
    assert art.categories == ["新媒体", "36kr", "快讯"] and art.author == "36kr"
    assert render(art) == text
    assert case["expected"] == f"expected/_posts/36kr-{case['article_id']}.md"
    # the corpus's 快讯: one text paragraph ending with the source, no trailing space, no image
    assert re.search(r"（[^（）]+）$", art.body) and "<" not in art.body and "\n" not in art.body
    n = int(hashlib.sha1(case["article_id"].encode()).hexdigest(), 16) % 10000
    assert art.headimg == art.thumbnail == f"https://picsum.photos/400/300?random={n}"


def test_the_page_is_utf8_with_one_state_script() -> None:
    assert PAGE.count("<script>window.initialState=") == 1
    assert '<meta charset="utf-8">' in PAGE[:200]


# --- the list ---------------------------------------------------------------------------

def test_every_item_in_page_order_the_empty_one_included() -> None:
    ids = [e.item_id for e in entries()]
    want = [c["article_id"] for c in CASES]
    assert [i for i in ids if i != NO_CONTENT_ID] == want
    assert ids.index(NO_CONTENT_ID) == 5
    empty = by_id(NO_CONTENT_ID)
    assert empty.body == "" and empty.title and empty.published is not None


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_item_gives_the_post_fields(case: dict) -> None:
    entry = by_id(case["article_id"])
    post = read((FIX / case["expected"]).read_text(encoding="utf-8"))
    assert entry.title == post.title
    # the text as the page's JSON gave it: only the format's brace rule differs in the post
    assert entry.body.replace("{", "&#123;").replace("}", "&#125;") == post.body
    assert entry.published == datetime.fromisoformat(case["published"])
    assert entry.published.tzinfo is not None and entry.published.utcoffset().total_seconds() == 0
    assert entry.url == case["article_url"]


def test_text_is_kept_as_given_never_escaped() -> None:
    amp = by_id(next(c["article_id"] for c in CASES if c["name"] == "ampersand-quotes-kept"))
    assert "（P&G）" in amp.title and "（P&G）" in amp.body and "&amp;" not in amp.body
    assert "“原材料和运输成本上涨”" in amp.body
    braces = by_id(next(c["article_id"] for c in CASES if c["name"] == "braces-in-text"))
    assert "{感知、预测、规划}" in braces.body


def test_source_url_route_gives_the_link() -> None:
    case = next(c for c in CASES if c["name"] == "source-url-route")
    assert case["article_url"] == "https://www.jiemian.com/article/6785120.html"
    assert 'webview?url=https%3A%2F%2Fwww.jiemian.com' in PAGE
    others = [e for e in entries() if e.item_id != case["article_id"]]
    assert all(e.url == f"https://36kr.com/newsflashes/{e.item_id}" for e in others)


def test_the_corpus_page_reads_as_corpus_2022() -> None:
    assert parse_list(PAGE, LIST).layout == "corpus-2022"


def test_newer_state_path_reads_as_2026() -> None:
    # the variant: the newer path, __GATEWAY_SIGN__ in a script of its own, no trailing `;`
    page = parse_list(NEWER, LIST)
    assert page.layout == "2026"
    found = entries(NEWER)
    assert [e.item_id for e in found] == ["1459337398812931", "1459331235176705"]   # repeat dropped
    first, second = found
    assert first.title == "工信部：三季度新建5G基站13.1万个"           # the first of the repeated id
    assert first.body.endswith("（人民邮电报）")
    assert first.published == datetime(2021, 9, 30, 11, 6, 40, tzinfo=timezone.utc)
    assert first.url == "https://www.36kr.com/newsflashes/1459337398812931"
    # today's route links the item's own page, whatever its sourceUrlRoute says
    assert 'webview?url=https%3A%2F%2Fwww.stcn.com' in NEWER
    assert second.url == "https://www.36kr.com/newsflashes/1459331235176705"


# --- bad pages: LayoutError, never a guess ------------------------------------------------

@pytest.mark.parametrize("html", [
    "<!DOCTYPE html><html><body><div id=\"app\"></div></body></html>",
    "",
    PAGE.replace("window.initialState=", "window.__INITIAL_STATE__="),
    PAGE.replace('"newsflashList":{"flow"', '"newsflashList":{flow'),           # not JSON
    "<script>window.initialState={a: 1}</script>",                             # JS, not JSON
    '<script>window.initialState=(function(){throw 1})()</script>',            # never evaluated
    PAGE.replace('"itemList"', '"items"'),                                      # no list at either path
    '<script>window.initialState={"newsflashList":{"flow":{"itemList":{}}}}</script>',
    '<script>window.initialState=[1,2]</script>',
], ids=["no-script", "empty", "renamed", "broken-json", "js-object", "js-code", "no-list",
        "list-not-array", "state-not-object"])
def test_unreadable_states_are_layout_errors(html: str) -> None:
    with pytest.raises(LayoutError) as err:
        parse_list(html, LIST)
    assert err.value.reason == "no-layout"


def test_missing_fields_are_kept_empty_for_the_spider_to_skip() -> None:
    items = [{"itemId": 1, "templateMaterial": {"widgetContent": "正文。", "publishTime": 1636103745231}},
             {"itemId": "2", "templateMaterial": {"widgetTitle": "标题", "widgetContent": "正文。"}},
             {"templateMaterial": {"widgetTitle": "无 id", "widgetContent": "正文。", "publishTime": 1}},
             "not an item", None, {"itemId": 3, "templateMaterial": "not an object"}]   # an odd item skipped, not the end
    html = "<script>window.initialState=" + json.dumps({"newsflashList": {"flow": {"itemList": items}}}) + "</script>"
    found = entries(html)
    assert [(e.item_id, e.title, e.body, e.published is None) for e in found] == [
        ("1", "", "正文。", False), ("2", "标题", "正文。", True), ("", "无 id", "正文。", False),
        ("3", "", "", True)]
    assert found[2].url == LIST                                    # no id: no link of its own


def test_publish_time() -> None:
    assert publish_time(1636103745231) == datetime(2021, 11, 5, 9, 15, 45, tzinfo=timezone.utc)
    assert publish_time("1636103745999") == datetime(2021, 11, 5, 9, 15, 45, tzinfo=timezone.utc)
    assert publish_time(1636103745000.0) == datetime(2021, 11, 5, 9, 15, 45, tzinfo=timezone.utc)
    for bad in (None, True, 0, -5, "", "2021-11-05", 1.5, 10 ** 30, [1]):
        assert publish_time(bad) is None, bad


def test_item_link() -> None:
    own = "https://36kr.com/newsflashes/7"
    assert item_link("7", "") == own and item_link("7", None) == own
    assert item_link("7", "webview?url=https%3A%2F%2Fa.example%2Fx%3Fy%3D1") == "https://a.example/x?y=1"
    assert item_link("7", "https://36kr.com/jump?from=app&url=http%3A%2F%2Fb.example%2F") == "http://b.example/"
    for odd in ("webview?url=javascript%3Aalert(1)", "webview?id=3", "webview?url=", 12,
                "webview?url=http%3A%2F%2F%2Fx", "webview?url=%2F%2Fb.example%2Fx"):  # no host; no scheme
        assert item_link("7", odd) == own, odd


def test_article_id() -> None:
    assert article_id("https://36kr.com/newsflashes/1483920135741953") == "1483920135741953"
    assert article_id("https://www.36kr.com/newsflashes/1483920135741953/") == "1483920135741953"
    assert article_id("http://36kr.com/newsflashes/1483920135741953") == "1483920135741953"
    for url in ("https://36kr.com/p/1483920135741953", "https://36kr.com/newsflashes",
                "https://36kr.com.evil.example/newsflashes/1", "ftp://36kr.com/newsflashes/1"):
        assert article_id(url) is None, url


# --- layout versions ----------------------------------------------------------------------

def test_layout_versions_newest_first() -> None:
    assert [(x.name, x.era) for x in LIST_LAYOUTS] == [("2026", CURRENT), ("corpus-2022", CORPUS)]
    assert ARTICLE_LAYOUTS == ()
    current, corpus = LIST_LAYOUTS
    assert "newsflashCatalogData.data.newsflashList.data.itemList" in current.marker
    assert "__GATEWAY_SIGN__" in current.marker and "newsflashList.flow.itemList" in corpus.marker
    for layout in LIST_LAYOUTS:
        assert set(layout.fields) == {"list", "title", "date", "body"} and layout.source
        assert "widgetContent" in layout.fields["body"]


def test_a_page_holding_both_paths_is_read_as_the_newest() -> None:
    both = PAGE.replace('"newsflashList":{"flow"', '"newsflashCatalogData":{"data":{"newsflashList":'
                        '{"data":{"itemList":[{"itemId":7,"templateMaterial":{"widgetTitle":"新",'
                        '"widgetContent":"新。","publishTime":1785461405123}}]}}}},"newsflashList":{"flow"')
    page = parse_list(both, LIST)
    assert page.layout == "2026" and [e.item_id for e in page.entries] == ["7"]


def test_no_layout_names_the_versions_and_what_failed() -> None:
    with pytest.raises(LayoutError) as err:
        parse_list(PAGE.replace('"itemList"', '"items"'), LIST)
    assert err.value.reason == "no-layout"
    assert "no item list" in err.value.detail
    assert "2026: " in err.value.detail and "corpus-2022: " in err.value.detail
    assert "newsflashCatalogData.data.newsflashList.data.itemList" in err.value.detail
    assert err.value.detail == (
        "https://36kr.com/newsflashes: no item list in window.initialState (tried "
        '2026: <script>[window.__GATEWAY_SIGN__ = "…";]window.initialState=…[;]</script> → '
        "newsflashCatalogData.data.newsflashList.data.itemList; "
        "corpus-2022: <script>window.initialState=…</script> → newsflashList.flow.itemList)")
    with pytest.raises(LayoutError) as err:
        parse_list("<html><body></body></html>", LIST)
    assert err.value.detail.startswith(f"{LIST}: no <script> with window.initialState=… (tried 2026: ")
    with pytest.raises(LayoutError) as err:
        parse_list("<script>window.initialState={a: 1}</script>", LIST)
    assert err.value.detail.startswith(f"{LIST}: window.initialState is not JSON: Expecting property name")


def test_each_version_is_detected_by_a_list_at_its_own_path() -> None:
    # the detectors as built from their paths (LIST_LAYOUTS holds them built at import)
    corpus, current = _holds(CORPUS_PATH), _holds(CURRENT_PATH)
    assert corpus(Page(PAGE, LIST)) and not current(Page(PAGE, LIST))
    assert current(Page(PAGE26, LIST26)) and not corpus(Page(PAGE26, LIST26))
    assert not corpus(Page("<p>no state</p>", LIST))


# --- today's page: seeds/36kr-2026 -----------------------------------------------------------

FIX26 = FIX.parent / "36kr-2026"
CASES26 = json.loads((FIX26 / "cases.json").read_text(encoding="utf-8"))
PAGE26 = (FIX26 / "site" / "newsflashes").read_bytes().decode("utf-8")
LIST26 = "https://www.36kr.com/newsflashes"
ITEM_TYPE_0 = "3917010338508800"


@pytest.mark.parametrize("case", CASES26, ids=[c["name"] for c in CASES26])
def test_2026_expected_posts_are_canonical(case: dict) -> None:
    text = (FIX26 / case["expected"]).read_text(encoding="utf-8")
    art = read(text)
    assert art.categories == ["新媒体", "36kr", "快讯"] and art.author == "36kr"
    assert render(art) == text
    n = int(hashlib.sha1(case["article_id"].encode()).hexdigest(), 16) % 10000
    assert art.headimg == art.thumbnail == f"https://picsum.photos/400/300?random={n}"


def test_2026_page_shares_the_state_script_with_the_gateway_sign() -> None:
    script = PAGE26[PAGE26.index("<script>"):]
    assert script.startswith('<script>window.__GATEWAY_SIGN__ = "') and script.count("<script>") == 1
    assert "};</script>" in script                                  # the JSON ends with `;`


def test_2026_items_in_page_order_type_0_and_repeat_dropped() -> None:
    page = parse_list(PAGE26, LIST26)
    assert page.layout == "2026"
    assert [e.item_id for e in page.entries] == [c["article_id"] for c in CASES26]
    assert f'"itemId":{ITEM_TYPE_0},"itemType":0' in PAGE26
    assert PAGE26.count('"itemId":3917026155020801,"itemType":10') == 2   # the repeat is on the page


@pytest.mark.parametrize("case", CASES26, ids=[c["name"] for c in CASES26])
def test_2026_each_item_gives_the_post_fields(case: dict) -> None:
    entry = next(e for e in entries(PAGE26) if e.item_id == case["article_id"])
    post = read((FIX26 / case["expected"]).read_text(encoding="utf-8"))
    assert entry.title == post.title
    assert entry.body.replace("{", "&#123;").replace("}", "&#125;") == post.body
    assert entry.published == datetime.fromisoformat(case["published"])
    assert entry.url == case["article_url"]


def test_2026_item_type_0_is_kept_in_the_corpus_era() -> None:
    # the corpus-era route had no itemType filter: an item of type 0 there is an item
    page = PAGE.replace('"itemType":10', '"itemType":0', 1)
    assert page != PAGE
    assert len(parse_list(page, LIST).entries) == len(CASES) + 1


@pytest.mark.parametrize("html, want", [
    ('<script>window.initialState={"newsflashCatalogData":{"data":{"newsflashList":{"data":{"itemList":'
     '[{"itemId":1,"templateMaterial":{"widgetTitle":"t"}}]}}}}}</script>', ["1"]),       # alone, no `;`
    ('<script>var a = 1;\nwindow.initialState = {"newsflashCatalogData":{"data":{"newsflashList":{"data":'
     '{"itemList":[{"itemId":2}]}}}}} ;\nwindow.b = 2;</script>', ["2"]),               # among statements
    ('<script type="text/javascript">window.__GATEWAY_SIGN__="x";window.initialState={"newsflashCatalogData":'
     '{"data":{"newsflashList":{"data":{"itemList":[{"itemId":3}]}}}}}\n</script>', ["3"]),
])
def test_2026_state_forms(html: str, want: list[str]) -> None:
    assert [e.item_id for e in parse_list(html, LIST26).entries] == want


@pytest.mark.parametrize("html", [
    '<script>window.initialState={"newsflashCatalogData":{}}garbage</script>',
    '<script>window.initialState={"newsflashCatalogData":</script>',
    '<div>window.initialState={"newsflashCatalogData":{"data":{"newsflashList":{"data":{"itemList":[]}}}}}</div>',
    '<script>window.initialState={}</script>',                          # an empty state: not a stub
], ids=["trailing-garbage", "cut", "not-in-a-script", "empty-state"])
def test_2026_unreadable_forms(html: str) -> None:
    with pytest.raises(LayoutError) as err:
        parse_list(html, LIST26)
    assert err.value.reason == "no-layout"


# --- blocked: 36kr's spider stub and WAF challenge ----------------------------------------------

@pytest.mark.parametrize("name", ["newsflashes-isspider", "newsflashes-waf-challenge"])
def test_stub_and_challenge_are_blocked(name: str) -> None:
    with pytest.raises(Blocked) as err:
        parse_list((FIX26 / "variants" / name).read_text(encoding="utf-8"), LIST26)
    assert err.value.reason == "blocked"
    assert err.value.detail == ('an anti-bot stub (window.initialState={"isSpider":true})' if "isspider" in name
                                else "a WAF challenge (_wafchallengeid)")


def test_a_readable_state_naming_the_challenge_is_a_layout_error_not_blocked() -> None:
    # only a page without a readable state is taken for the WAF challenge
    html = '<script>window.initialState={}</script><a href="/?_wafchallengeid=1">x</a>'
    with pytest.raises(LayoutError) as err:
        parse_list(html, LIST26)
    assert type(err.value) is LayoutError and err.value.reason == "no-layout"


def test_a_spider_flag_beside_the_items_is_not_blocked() -> None:
    page = PAGE26.replace('window.initialState={', 'window.initialState={"isSpider":false,', 1)
    assert len(parse_list(page, LIST26).entries) == len(CASES26)


# --- the real 2026 pages (minimized third-party fixtures), values read by hand ----------------

REAL = REALPAGES / "36kr"


def real(name: str) -> str:
    path = REAL / name
    need_realpage(path)
    return path.read_text(encoding="utf-8")


def test_real_state_sharing_a_script_with_the_gateway_sign() -> None:
    page = parse_list(real("wushier2_36kr-backfill-first.html"), LIST26)
    assert page.layout == "2026"
    assert [(e.item_id, e.title, e.body, e.published, e.url) for e in page.entries] == [
        ("1001", "示例快讯一", "示例摘要一", datetime(2026, 7, 31, 9, 0, tzinfo=timezone.utc),
         "https://www.36kr.com/newsflashes/1001"),
        ("1002", "示例快讯二", "示例摘要二", datetime(2026, 7, 31, 8, 0, tzinfo=timezone.utc),
         "https://www.36kr.com/newsflashes/1002")]


def test_real_newer_path_with_trailing_semicolon() -> None:
    page = parse_list(real("wushier2_36kr-macro.html"), LIST26)
    assert page.layout == "2026"
    first, second = page.entries
    assert isinstance(first, FlashEntry) and isinstance(second, FlashEntry)
    assert (first.item_id, first.title) == ("3916669860048259", "上交所终止韬盛科技科创板IPO审核")
    assert first.body == "36氪获悉，上交所公告终止审核。"
    assert first.published == datetime(2026, 7, 29, 12, 2, 36, tzinfo=timezone.utc)   # 20:02:36 Beijing
    assert first.url == "https://www.36kr.com/newsflashes/3916669860048259"
    assert (second.item_id, second.title, second.body) == ("3916654987456130", "宏观政策最新动态", "政策信息摘要。")
    assert second.published == datetime(2026, 7, 29, 11, 37, 46, tzinfo=timezone.utc)


def test_real_spider_stub_is_blocked() -> None:
    with pytest.raises(Blocked) as err:
        parse_list(real("wushier2_isSpider_stub.html"), LIST26)
    assert 'isSpider' in err.value.detail
