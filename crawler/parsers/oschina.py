"""开源中国 (www.oschina.net/news): list fragments and article pages. Pure functions.

What is known of the real site is in /work/shared/PORTALS.md ("开源中国 oschina"); what the
fixtures model beyond that is in seeds/oschina/README.md. As RSSHub's corpus-era route
(`lib/routes/oschina/news.js@0a11cd4`) does:

- the list is an HTML fragment fetched by XHR
  (`https://www.oschina.net/news/widgets/_news_index_all_list?p=1&type=ajax`, pages p=2, 3 …);
  `.ad-wrap` elements are removed, entries are `.items .news-item`: title = the `title`
  attribute of the first `a`, link = its href, date = `.extra > .list > .item:nth-of-type(2)`
  (`今天 08:55`, `昨天 08:55`, `25分钟前`, `06/13 10:02`, `2022/06/10 09:30`; Beijing time).
  Relative dates need the time the list was read (`now`), so the parser takes it;
- on the article page every `.ad-wrap` element is cut out and the body is the inner HTML of
  the first `.article-detail`, an exact slice of the page (never re-serialized), plus
  `referrerpolicy` on images. The post's date is the list's (minutes).

Elements are found by class as exact spans with cnbeta.py's helpers (the same tokenizer).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector

from crawler.items import Article
from crawler.parsers import rawhtml
from crawler.parsers.common import (ArticlePage, BEIJING, LayoutError, ListEntry, ListPage, absolute_link,
                                     beijing_datetime, first_text)
from crawler.parsers.elements import cut, element_span, has_class, removed_spans
from crawler.parsers.tags import tags

SITE = "oschina"
HOST = "www.oschina.net"
AD_CLASS = "ad-wrap"
BODY_CLASS = "article-detail"
LIST_ENTRIES = ".items .news-item"
LIST_DATE = ".extra > .list > .item:nth-of-type(2)"
META_ITEMS = ".article-box__meta .item"
TITLE = "h1.article-box__title"
# the route's headers for the list fragment (Referer: the category page)
LIST_HEADERS = {"Referer": "https://www.oschina.net/news", "X-Requested-With": "XMLHttpRequest"}


@dataclass
class NewsEntry(ListEntry):
    """A list entry plus its date (the post's date)."""
    published: datetime | None = None
    date_text: str = ""                         # as the list wrote it



# --- URLs -------------------------------------------------------------------

# https://www.oschina.net/news/158833/linux-5-15-use-werror, or bare /news/158833
_ARTICLE = re.compile(r"^/news/(\d+)(?:/[^/]*)?/?$")


def article_id(url: str) -> str | None:
    """`158833` for `https://www.oschina.net/news/158833/linux-5-15-use-werror` and for the
    bare `…/news/158833` (leading zeros dropped); None for anything else, other hosts
    (my.oschina.net, gitee.com, osc.cool) included."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != HOST:
        return None
    m = _ARTICLE.match(parts.path)
    if m is None or not m.group(1).strip("0"):
        return None
    return m.group(1).lstrip("0")


def is_article_url(url: str) -> bool:
    return article_id(url) is not None


def page_url(url: str, number: int) -> str:
    """The list fragment `url` with `p=<number>` (other query parameters kept in order)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == "p" for k, _ in query):
        query = [(k, str(number) if k == "p" else v) for k, v in query]
    else:
        query.insert(0, ("p", str(number)))
    return urlunsplit((*parts[:3], urlencode(query), ""))


def page_number(url: str) -> int:
    """The `p` of a list fragment URL (1 when absent or not a number)."""
    p = dict(parse_qsl(urlsplit(url).query)).get("p", "1")
    return int(p) if p.isdigit() and int(p) > 0 else 1


# --- dates ------------------------------------------------------------------------

_TODAY = re.compile(r"(今天|昨天|前天)\s*(\d{1,2}):(\d{2})")
_AGO = re.compile(r"(\d+)\s*(秒|分钟|小时|天)前")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})[/-](\d{1,2})\s+(\d{1,2}):(\d{2})")
_AGO_UNITS = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}
_ROLLOVER_SLACK = timedelta(days=1)         # a date this far ahead of now is last year's


def list_date(text: str, now: datetime) -> datetime | None:
    """A list date in Beijing time; `now` (aware) is when the list was read.

    `YYYY/MM/DD HH:mm` as written; `今天`/`昨天`/`前天 HH:mm` on now's day (minus 1, 2);
    `N分钟前`/`N小时前` (also 秒, 天) = now − N and `刚刚` = now, to the minute;
    `MM/DD HH:mm` in now's year, or the year before when that is over a day ahead of now
    (a December date read in January). None when there is no date.
    """
    now = now.astimezone(BEIJING)
    text = " ".join(text.split())
    full = beijing_datetime(text)
    if full is not None:
        return full
    m = _TODAY.search(text)
    if m:
        back = {"今天": 0, "昨天": 1, "前天": 2}[m.group(1)]
        day = now - timedelta(days=back)
        try:
            return day.replace(hour=int(m.group(2)), minute=int(m.group(3)), second=0, microsecond=0)
        except ValueError:
            return None
    m = _AGO.search(text)
    if m or "刚刚" in text:
        ago = timedelta(**{_AGO_UNITS[m.group(2)]: int(m.group(1))}) if m else timedelta()
        return (now - ago).replace(second=0, microsecond=0)
    m = _MONTH_DAY.search(text)
    if m:
        mo, d, h, mi = (int(g) for g in m.groups())
        for year in (now.year, now.year - 1):
            try:
                when = datetime(year, mo, d, h, mi, tzinfo=BEIJING)
            except ValueError:                      # 02/29 in a year without it, 13/01 …
                continue
            if when <= now + _ROLLOVER_SLACK:
                return when
        return None
    return None


# --- the list fragment -------------------------------------------------------------

def _list_date_text(item: Selector) -> str:
    """The text of `.extra > .list > .item:nth-of-type(2)` (cssselect cannot do
    `:nth-of-type` without an element name): the second child of its tag name, if it has
    class `item`."""
    for box in item.css(".extra > .list"):
        counts: dict[str, int] = {}
        for child in box.xpath("./*"):
            tag = str(child.root.tag)
            counts[tag] = counts.get(tag, 0) + 1
            if counts[tag] == 2 and "item" in child.attrib.get("class", "").split():
                text = " ".join(child.xpath("string()").get("").split())
                if text:
                    return text
    return ""


def parse_list(html: str, url: str, now: datetime) -> ListPage:
    """The news items of one list fragment, in list order; `now`: when it was read.

    `.ad-wrap` elements are dropped first. Links are resolved against `url` (the canonical
    www.oschina.net fragment URL); items without a link are dropped, and so is a second
    item of an id already listed. Items on other hosts (gitee.com, my.oschina.net …) are
    kept: the spider skips them, counted. The next page is the same fragment with p + 1
    when this page has entries. Raises LayoutError("no-layout") without `.items`.
    """
    sel = Selector(text=html)
    sel.css(f".{AD_CLASS}").drop()
    if not sel.css(".items"):
        if not html.strip():                    # past the last page: nothing at all
            return ListPage([])
        raise LayoutError("no-layout", "no .items")
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for item in sel.css(LIST_ENTRIES):
        a = item.css("a")[:1]
        link = absolute_link(a.attrib.get("href"), url) if a else None
        if link is None:
            continue
        key = article_id(link) or link
        if key in seen:
            continue
        seen.add(key)
        title = a.attrib.get("title", "").strip() or " ".join(a.xpath("string()").get("").split())
        date_text = _list_date_text(item)
        entries.append(NewsEntry(link, title, published=list_date(date_text, now),
                                 date_text=date_text))
    next_url = page_url(url, page_number(url) + 1) if entries else None
    return ListPage(entries, next_url)


# --- article page -----------------------------------------------------------------

def article_body(html: str) -> str:
    """The inner HTML of the first `.article-detail` with every `.ad-wrap` cut out: an exact
    slice of `html`. Raises LayoutError("no-body") when it is missing, unclosed or empty."""
    toks = list(tags(html))
    gone = removed_spans(html, toks, (AD_CLASS,))
    i = next((i for i, t in enumerate(toks) if has_class(t, BODY_CLASS)
              and not any(s <= t.span[0] < e for s, e in gone)), None)
    detail = element_span(toks, i) if i is not None else None
    if detail is None:
        raise LayoutError("no-body", f"no .{BODY_CLASS}" if i is None else f"unclosed .{BODY_CLASS}")
    body = cut(html, *detail.inner, gone)
    if not body.strip():
        raise LayoutError("no-body", f"empty .{BODY_CLASS}")
    return body


def parse_article(html: str, url: str) -> ArticlePage:
    """One article page. Raises LayoutError("no-body").

    The page's title (`h1.article-box__title`) and date (the `.article-box__meta .item`
    holding `YYYY-MM-DD HH:mm[:ss]`) are fallbacks: the list entry's win. The byline is
    the first `.article-box__meta .item` text."""
    body = rawhtml.add_referrerpolicy(article_body(html))
    sel = Selector(text=html)
    sel.css(f".{AD_CLASS}").drop()
    meta = [" ".join(n.xpath("string()").get("").split()) for n in sel.css(META_ITEMS)]
    published = next((d for d in map(beijing_datetime, meta) if d is not None), None)
    article = Article(
        title=first_text(sel, TITLE),
        url=url,
        site=SITE,
        article_id=article_id(url) or "",
        published=published,
        body=body,
        byline=meta[0] if meta else "",
        image_urls=rawhtml.img_srcs(body, url),
    )
    return ArticlePage(article)
