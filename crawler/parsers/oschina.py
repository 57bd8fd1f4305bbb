"""开源中国 (www.oschina.net/news): list fragments and article pages. Pure functions.

What is known of the real site is in /work/shared/PORTALS.md ("开源中国 oschina"); what the
fixtures model beyond that is in seeds/oschina/README.md (corpus era) and
seeds/oschina-2026/README.md (today). Both eras read the same XHR list fragment
(`https://www.oschina.net/news/widgets/_news_index_all_list?p=1&type=ajax`, pages p=2, 3 …)
with `X-Requested-With: XMLHttpRequest` and, as both RSSHub routes send for the default
`all` category, `Referer: https://www.oschina.net/news/project` (the route's `link` for `all`),
on the article pages too. Today's route first GETs `https://www.oschina.net/news` and sends its
cookies along (the spider does that step; Scrapy's CookiesMiddleware sends them).

Layout versions (`LIST_LAYOUTS`, `ARTICLE_LAYOUTS`, newest first, picked by what the page holds):

- list `2026` (RSSHub `lib/routes/oschina/news.ts`, 2024–25): `.ad-wrap` removed, entries
  `.items .news-item`, title = `h3 a` `title`, link = its href, date =
  `.extra > .list > .item:nth-of-type(2)`: `YYYY/MM/DD HH:mm` and `MM/DD HH:mm` as written, else
  relative (`今天 08:55`, `昨天 08:55`, `25分钟前`, `刚刚`), Beijing time; relative dates need the
  time the list was read (`now`), so the parser takes it;
- list `2026-data-url` (other public scrapers: `div.item.news-item.news-item-hover[data-url]` with
  `h3 > div.title[title]`, no `<a>`; RSSHub's `column.ts` reads `div.news-item[data-url]`,
  `div.title`): link = `data-url`, title = `div.title` `title` (else its text), date as above;
- list `corpus-2022` (`news.js@0a11cd4`): entries `.items .news-item`, title = the `title` of the
  item's first `a`, link = its href, date as above. The corpus-era fragment held `h3.header > a`
  too (third-party scrapers of 2021–22), so such pages are read as `2026` (the same links,
  titles and dates); `corpus-2022` reads items whose title link is not in an `h3`;
- article `2026` (`news.ts` + `column.ts`, 2025): `h1.article-box__title` and
  `div.article-box__meta div.item-list div.item` (one of them `YYYY-MM-DD HH:mm:ss`); body =
  the inner HTML of `.article-detail` when the page has one (news.ts; the corpus posts' shape),
  else the first `div.content` itself (column.ts reads it; taken whole so the post keeps the
  same `<div class="content">` shape);
- article `corpus-2022` (`news.js@0a11cd4`): body = inner HTML of the first `.article-detail`.

Every `.ad-wrap` is cut out of bodies, which are exact slices of the page (never
re-serialized), plus `referrerpolicy` on images. The post's date is the list's (minutes);
the page's title and date are fallbacks. Byline: the first `.article-box__meta .item` text.
Elements are found by class as exact spans with the shared helpers (elements.py, tags.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector

from crawler.items import Article
from crawler.parsers import rawhtml
from crawler.parsers.common import (
    BEIJING,
    ArticlePage,
    LayoutError,
    ListEntry,
    ListPage,
    absolute_link,
    attr,
    beijing_datetime,
    first_text,
)
from crawler.parsers.elements import Span, cut, element_span, has_class, removed_spans
from crawler.parsers.layouts import CORPUS, CURRENT, Layout, Page, pick
from crawler.parsers.tags import tags

SITE = "oschina"
HOST = "www.oschina.net"
AD_CLASS = "ad-wrap"
BODY_CLASS = "article-detail"
CONTENT_CLASS = "content"
LIST_ENTRIES = ".items .news-item"
LIST_DATE = ".extra > .list > .item:nth-of-type(2)"
META_ITEMS = ".article-box__meta .item"
META_LIST_ITEMS = "div.article-box__meta div.item-list div.item"
TITLE = "h1.article-box__title"
# What both routes send for the default category `all` (its `link` is the project page), to the
# list fragment (with the XHR header) and to article pages.
REFERER = "https://www.oschina.net/news/project"
LIST_HEADERS = {"Referer": REFERER, "X-Requested-With": "XMLHttpRequest"}
ARTICLE_HEADERS = {"Referer": REFERER}
# Today's route first GETs this page and sends the cookies it sets with every request.
COOKIE_PAGE = "https://www.oschina.net/news"


@dataclass
class NewsEntry(ListEntry):
    """A list entry plus its date (the post's date)."""

    published: datetime | None = None
    date_text: str = ""  # as the list wrote it


# --- layout versions ---------------------------------------------------------------


def _data_url_items(page: Page) -> bool:
    """`.news-item[data-url]` items titled by `div.title[title]`, none with an `h3 a`."""
    return bool(page.sel.css(".news-item[data-url] div.title[title]")) and not page.sel.css(".news-item h3 a")


def _article_2026(page: Page) -> bool:
    return bool(page.sel.css(TITLE)) and bool(page.sel.css(META_LIST_ITEMS))


LIST_LAYOUTS = (
    Layout(
        "2026",
        CURRENT,
        f"{LIST_ENTRIES} h3 a[href]",
        fields={
            "list": f"{LIST_ENTRIES} h3 a[href] (minus .{AD_CLASS})",
            "title": "h3 a[title] (else its text)",
            "date": LIST_DATE,
        },
        source="RSSHub lib/routes/oschina/news.ts (2024-25: cookie from /news, h3 a, "
        "YYYY/MM/DD HH:mm, MM/DD HH:mm else relative, +8)",
    ),
    Layout(
        "2026-data-url",
        CURRENT,
        ".news-item[data-url] div.title[title] (no h3 a)",
        fields={
            "list": f".news-item[data-url] (minus .{AD_CLASS})",
            "title": "div.title[title] (else its text)",
            "date": LIST_DATE,
        },
        source="public scrapers: div.item.news-item.news-item-hover[data-url] > h3 > div.title[title], "
        "no <a>; RSSHub lib/routes/oschina/column.ts: div.news-item[data-url], div.title",
        detect=_data_url_items,
    ),
    Layout(
        "corpus-2022",
        CORPUS,
        f"{LIST_ENTRIES} a[href]",
        fields={
            "list": f"{LIST_ENTRIES} a (the first; minus .{AD_CLASS})",
            "title": "the first a[title] (else its text)",
            "date": LIST_DATE,
        },
        source="RSSHub lib/routes/oschina/news.js@0a11cd4",
    ),
)

ARTICLE_LAYOUTS = (
    Layout(
        "2026",
        CURRENT,
        f"{TITLE} + {META_LIST_ITEMS}",
        fields={
            "title": f"list h3 a[title] (else {TITLE})",
            "date": f"list {LIST_DATE} (else the {META_LIST_ITEMS} YYYY-MM-DD HH:mm:ss)",
            "body": f".{BODY_CLASS} (else div.{CONTENT_CLASS}, whole; minus .{AD_CLASS})",
            "image": "body img[src]",
        },
        source="RSSHub lib/routes/oschina/news.ts (.article-detail) and column.ts (2025: "
        "h1.article-box__title, div.content, div.article-box__meta div.item-list div.item)",
        detect=_article_2026,
    ),
    Layout(
        "corpus-2022",
        CORPUS,
        f".{BODY_CLASS}",
        fields={
            "title": f"list a[title] (else {TITLE})",
            "date": f"list {LIST_DATE} (else {META_ITEMS} date)",
            "body": f".{BODY_CLASS} (minus .{AD_CLASS})",
            "image": f".{BODY_CLASS} img[src]",
        },
        source="RSSHub lib/routes/oschina/news.js@0a11cd4",
    ),
)


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
_ROLLOVER_SLACK = timedelta(days=1)  # a date this far ahead of now is last year's


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
            except ValueError:  # 02/29 in a year without it, 13/01 …
                continue
            if when <= now + _ROLLOVER_SLACK:
                return when
        return None
    return None


# --- the list fragment -------------------------------------------------------------


def _text(node: Selector) -> str:
    return " ".join(node.xpath("string()").get("").split())


def _list_date_text(item: Selector) -> str:
    """The text of `.extra > .list > .item:nth-of-type(2)` (cssselect cannot do
    `:nth-of-type` without an element name): the second child of its tag name, if it has
    class `item`."""
    for box in item.css(".extra > .list"):
        counts: dict[str, int] = {}
        for child in box.xpath("./*"):
            tag = str(child.root.tag)
            counts[tag] = counts.get(tag, 0) + 1
            if counts[tag] == 2 and "item" in attr(child, "class", "").split():
                text = _text(child)
                if text:
                    return text
    return ""


def _link_and_title(item: Selector, layout: str) -> tuple[str | None, str]:
    """(href, title) of one item as `layout` reads it; href None when it has no link."""
    if layout == "2026-data-url":
        title = item.css("div.title")[:1]
        text = (attr(title, "title", "").strip() or _text(title[0])) if title else ""
        return attr(item, "data-url"), text
    a = item.css("h3 a" if layout == "2026" else "a")[:1]
    if not a:
        return None, ""
    return attr(a, "href"), attr(a, "title", "").strip() or _text(a[0])


def parse_list(html: str, url: str, now: datetime) -> ListPage:
    """The news items of one list fragment, in list order; `now`: when it was read.

    `.ad-wrap` elements are dropped first, then the layout is picked (LIST_LAYOUTS). Links
    are resolved against `url` (the canonical www.oschina.net fragment URL); items without a
    link are dropped, and so is a second item of an id already listed. Items on other hosts
    (gitee.com, my.oschina.net …) are kept: the spider skips them, counted. The next page is
    the same fragment with p + 1 when this page has entries. An empty response or an empty
    `.items` is past the last page; anything else no layout holds is a LayoutError("no-layout").
    """
    if not html.strip():  # past the last page: nothing at all
        return ListPage([])
    page = Page(html, url)
    page.sel.css(f".{AD_CLASS}").drop()
    try:
        layout = pick(LIST_LAYOUTS, page)
    except LayoutError:
        if page.sel.css(".items") and not page.sel.css(".news-item"):
            return ListPage([])  # past the last page: an empty .items
        raise
    items = page.sel.css(".news-item[data-url]" if layout.name == "2026-data-url" else LIST_ENTRIES)
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for item in items:
        href, title = _link_and_title(item, layout.name)
        link = absolute_link(href, url)
        if link is None:
            continue
        key = article_id(link) or link
        if key in seen:
            continue
        seen.add(key)
        date_text = _list_date_text(item)
        entries.append(NewsEntry(link, title, published=list_date(date_text, now), date_text=date_text))
    next_url = page_url(url, page_number(url) + 1) if entries else None
    return ListPage(entries, next_url, layout=layout.name)


# --- article page -----------------------------------------------------------------


def _element(html: str, cls: str, *, whole: bool = False) -> str:
    """The inner HTML (`whole`: the element itself) of the first element with class `cls`
    outside every `.ad-wrap` (`div.content`: the first after `h1.article-box__title`), with every `.ad-wrap` inside it cut out: an exact slice of
    `html`. Raises LayoutError("no-body") when it is missing, unclosed or empty."""
    toks = list(tags(html))
    gone = removed_spans(html, toks, (AD_CLASS,))
    # div.content: the first after the title (list-like blocks above it may use the class)
    first = (
        next((i for i, t in enumerate(toks) if has_class(t, "article-box__title")), 0)
        if cls == CONTENT_CLASS
        else 0
    )
    i = next(
        (
            i
            for i, t in enumerate(toks)
            if i >= first
            and has_class(t, cls)
            and (cls != CONTENT_CLASS or t.name == "div")
            and not any(s <= t.span[0] < e for s, e in gone)
        ),
        None,
    )
    span: Span | None = element_span(toks, i) if i is not None else None
    if span is None:
        raise LayoutError("no-body", f"no .{cls}" if i is None else f"unclosed .{cls}")
    lo, hi = (span.start, span.end) if whole else span.inner
    inner = cut(html, *span.inner, gone)
    if not inner.strip():
        raise LayoutError("no-body", f"empty .{cls}")
    return cut(html, lo, hi, gone)


def article_body(html: str) -> str:
    """The inner HTML of the first `.article-detail` with every `.ad-wrap` cut out (both
    layouts read it when the page has one)."""
    return _element(html, BODY_CLASS)


def parse_article(html: str, url: str) -> ArticlePage:
    """One article page. Raises LayoutError("no-body") (naming the version and selector).

    `2026`: the body is `.article-detail`'s inner HTML, else the first `div.content` whole;
    the date is the `div.article-box__meta div.item-list div.item` holding
    `YYYY-MM-DD HH:mm[:ss]`. `corpus-2022`: `.article-detail`, date from any
    `.article-box__meta .item`. The page's title (`h1.article-box__title`) and date are
    fallbacks: the list entry's win. The byline is the first `.article-box__meta .item` text."""
    page = Page(html, url)
    page.sel.css(f".{AD_CLASS}").drop()
    layout = pick(ARTICLE_LAYOUTS, page, fallback=ARTICLE_LAYOUTS[-1])
    try:
        if layout.name == "2026" and not page.sel.css(f".{BODY_CLASS}"):
            body = _element(html, CONTENT_CLASS, whole=True)
        else:
            body = article_body(html)
    except LayoutError as exc:
        raise LayoutError("no-body", f"{layout.name} ({layout.fields['body']}): {exc.detail}") from None
    meta = [_text(n) for n in page.sel.css(META_ITEMS)]
    dated = [_text(n) for n in page.sel.css(META_LIST_ITEMS)] if layout.name == "2026" else meta
    published = next((d for d in map(beijing_datetime, dated) if d is not None), None)
    body = rawhtml.add_referrerpolicy(body)
    article = Article(
        title=first_text(page.sel, TITLE),
        url=url,
        site=SITE,
        article_id=article_id(url) or "",
        published=published,
        body=body,
        byline=meta[0] if meta else "",
        image_urls=rawhtml.img_srcs(body, url),
    )
    return ArticlePage(article, layout=layout.name)
