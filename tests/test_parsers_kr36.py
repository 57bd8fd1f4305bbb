"""36kr 快讯 parser against the fixture page (seeds/36kr) and hand-written expected posts."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.parsers.kr36 import (FlashEntry, LayoutError, article_id, item_link, parse_list,
                                  publish_time)
from crawler.postformat import read, render

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


def test_newer_state_path() -> None:
    found = entries(NEWER)
    assert [e.item_id for e in found] == ["1459337398812931", "1459331235176705"]   # repeat dropped
    first, second = found
    assert first.title == "工信部：三季度新建5G基站13.1万个"           # the first of the repeated id
    assert first.body.endswith("（人民邮电报）")
    assert first.published == datetime(2021, 9, 30, 11, 6, 40, tzinfo=timezone.utc)
    assert first.url == "https://36kr.com/newsflashes/1459337398812931"
    assert second.url == "https://www.stcn.com/xw/news/202110/t20211001_3697021.html"


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
             {"itemId": 3, "templateMaterial": "not an object"}, "not an item", None]
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
    for odd in ("webview?url=javascript%3Aalert(1)", "webview?id=3", "webview?url=", 12):
        assert item_link("7", odd) == own, odd


def test_article_id() -> None:
    assert article_id("https://36kr.com/newsflashes/1483920135741953") == "1483920135741953"
    assert article_id("https://www.36kr.com/newsflashes/1483920135741953/") == "1483920135741953"
    for url in ("https://36kr.com/p/1483920135741953", "https://36kr.com/newsflashes",
                "https://36kr.com.evil.example/newsflashes/1", "ftp://36kr.com/newsflashes/1"):
        assert article_id(url) is None, url
