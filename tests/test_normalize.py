"""Normalize pipeline: labels (the spider's or the site's), verbatim dates in the future,
head images; feed entry ids."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.parsers.feed import Entry
from crawler.spiders.feed import entry_id, parse_labels
from pipelines.normalize import NormalizePipeline, placeholder_image


def pipe() -> NormalizePipeline:
    crawler = get_crawler()
    crawler.stats.open_spider()
    return NormalizePipeline.from_crawler(crawler)


def art(**kw: object) -> Article:
    base = dict(title="t", url="https://x.test/1", site="ofweek", article_id="1", body="<p>b</p>",
                published=datetime(2022, 1, 1, tzinfo=timezone.utc))
    return Article(**{**base, **kw})


def test_verbatim_local_dates_in_the_future_are_skipped() -> None:
    p = pipe()
    soon = (datetime.now(timezone.utc) + timedelta(hours=20)).strftime("%Y-%m-%d %H:%M:%S")
    assert p.process_item(art(published="2021-10-28 14:08:07")).published == "2021-10-28 14:08:07"
    assert p.process_item(art(published=soon)).published == soon       # within a day + any zone
    with pytest.raises(DropItem, match="future-date"):
        p.process_item(art(published="2099-01-01 00:00:00"))
    assert p.stats.get_value("newsarchive/skipped/future-date") == 1


def test_labels_come_from_the_item_else_the_site_and_must_exist() -> None:
    p = pipe()
    a = p.process_item(art())
    assert (a.categories, a.author) == (["新媒体", "高科技行业门户", "新闻"], "高科技行业门户")
    b = p.process_item(art(site="blog", categories=["博客", "Hi, DIYgod"], author="Hi, DIYgod"))
    assert (b.categories, b.author) == (["博客", "Hi, DIYgod"], "Hi, DIYgod")
    with pytest.raises(DropItem, match="no-labels"):
        p.process_item(art(site="blog"))


def test_head_image_is_the_first_web_image_kept_as_written() -> None:
    a = pipe().process_item(art(image_urls=["file:///etc/passwd", "data:image/png;base64,AA",
                                            "https://img.test/a.image?", "/b.png"]))
    assert a.headimg == a.thumbnail == "https://img.test/a.image?"
    assert a.image_urls[-1] == "https://x.test/b.png"
    assert pipe().process_item(art(article_id="30565372")).headimg == placeholder_image("30565372")


def test_feed_entry_ids() -> None:
    e = Entry(title="t", link="https://www.ofweek.com/nev/2021-11/ART-71011-8500-30537445.html",
              id="g", published=None, body="")
    assert entry_id("ofweek", e) == "30537445"                # the portal's own id: one post
    assert entry_id("feed", e) == hashlib.sha1(b"g").hexdigest()[:16]
    no_link = Entry(title="a", link="", id="", published="2021-10-28 14:08:07", body="")
    other = Entry(title="b", link="", id="", published="2021-10-28 14:08:07", body="")
    assert entry_id("feed", no_link) != entry_id("feed", other)


def test_label_arguments() -> None:
    assert parse_labels(" 新媒体, 36kr ,快讯,") == ["新媒体", "36kr", "快讯"]
    assert parse_labels('["博客", "Hi, DIYgod"]') == ["博客", "Hi, DIYgod"]
    with pytest.raises(ValueError):
        parse_labels('["a", 1]')


def test_an_item_without_an_id_is_a_counted_no_id_skip() -> None:
    p = pipe()
    with pytest.raises(DropItem, match="no-id"):
        p.process_item(art(article_id=""))
    assert p.stats.get_value("newsarchive/skipped/no-id") == 1
