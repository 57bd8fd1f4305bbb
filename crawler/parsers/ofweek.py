"""OFweek (高科技行业门户): list and article pages. Pure functions of (HTML text, URL).

What is known of the real markup is in /work/shared/OFWEEK.md; what the fixtures model
beyond that is in seeds/ofweek/README.md. Metadata comes from parsel selectors; the body
is always the exact `#articleC` inner HTML (rawhtml.inner_html), never re-serialized.

Article layouts, tried in this order:
- "artical": `div.artical` with `h1`, `div.source-name`, `div.time.fl`, `#articleC` (known).
- "article_left": `div.article_left` with `h1`, `#laiyuan` (`来源：<name>`) or
  `#laiyuan_mp a span`, `div#articleC.article_con` (known); where the time sits is
  unknown, so it is read from the text before the body.
- "mp": mp.ofweek.com (维科号) `/<channel>/a<digits>` pages, recognised by host or by a
  `<title>` ending in ` - 维科号V`. Their markup is unknown: modeled with `h1`,
  `.article-info .author`, `.article-info .time` and the same `#articleC`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from parsel import Selector

from crawler.items import Article
from crawler.parsers import common, rawhtml
from crawler.parsers.common import (LayoutError, ListEntry, ListPage, absolute_link,
                                     beijing_datetime, first_text)

SITE = "ofweek"
BODY_ID = "articleC"
MP_TITLE_SUFFIX = " - 维科号V"


@dataclass
class ArticlePage(common.ArticlePage):
    next_page_url: str | None = None   # `#nextPage a` of a multi-page article (None on the last page)


# --- URLs -------------------------------------------------------------------

# www.ofweek.com/<channel>/<yyyy-mm>/ART-a-b-<id>.html, <channel>.ofweek.com/<yyyy-mm>/…,
# page N of a long article: …-<id>_N.html. The last number is the site-wide article id.
_ART = re.compile(r"/ART-\d+-\d+-(\d+)(?:_\d+)?\.html?$", re.IGNORECASE)
_MP = re.compile(r"^/[A-Za-z0-9_-]+/(a\d+)/?$")
_LIST = re.compile(r"/CATList-(\d+)-([A-Za-z]+)(?:-(\d+))?\.html$", re.IGNORECASE)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _is_ofweek(host: str) -> bool:
    return host == "ofweek.com" or host.endswith(".ofweek.com")


def article_id(url: str) -> str | None:
    """Canonical id from an article URL: `30537445` for `…/ART-8500-2800-30537445[_2].html`,
    `a256714604647` for `mp.ofweek.com/ee/a256714604647`; None for other URLs."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not _is_ofweek(host):
        return None
    if host == "mp.ofweek.com":
        m = _MP.match(parts.path)
        return m.group(1) if m else None
    m = _ART.search(parts.path)
    return m.group(1) if m else None


def is_article_url(url: str) -> bool:
    return article_id(url) is not None


# --- list pages -------------------------------------------------------------

def _list_page_number(url: str) -> tuple[str, int] | None:
    m = _LIST.search(urlsplit(url).path)
    return (f"{m.group(1)}-{m.group(2)}".lower(), int(m.group(3) or 1)) if m else None


def parse_list(html: str, url: str) -> ListPage:
    """Article links of a `CATList-…[-N].html` page and the URL of page N+1.

    The next page is the pager's `下一页` link, else a link to `…-<N+1>.html`
    (the real pager markup is unknown; any link in the page is considered). Links to the
    current page, `javascript:` links and other lists are ignored.
    """
    sel = Selector(text=html)
    if not sel.css("div.list-left"):
        raise LayoutError("no-layout", "no div.list-left")
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for a in sel.css("div.list-left div.con-details h3 > a"):
        link = absolute_link(a.attrib.get("href"), url)
        if not link or link in seen or not is_article_url(link):
            continue
        seen.add(link)
        title = a.xpath("string()").get("").strip() or a.attrib.get("title", "").strip()
        entries.append(ListEntry(link, title))
    return ListPage(entries, _next_list_url(sel, url))


def _next_list_url(sel: Selector, url: str) -> str | None:
    here = _list_page_number(url)
    if here is None:
        return None
    wanted: list[str] = []
    numbered: list[str] = []
    for a in sel.css("a[href]"):
        link = absolute_link(a.attrib["href"], url)
        where = _list_page_number(link) if link else None
        if not link or where is None or where[0] != here[0] or where[1] <= here[1]:
            continue
        if a.xpath("string()").get("").strip() == "下一页":
            wanted.append(link)
        elif where[1] == here[1] + 1:
            numbered.append(link)
    return (wanted or numbered or [None])[0]


# --- article pages ----------------------------------------------------------

_SOURCE_PREFIX = re.compile(r"^\s*(?:来源|来自|出处)\s*[:：]\s*")


def _text_before_body(scope: Selector) -> str:
    """Visible text of `scope` that precedes #articleC (where unknown layouts put the time)."""
    nodes = scope.xpath(
        f".//text()[following::*[@id='{BODY_ID}']]"
        "[not(ancestor::script) and not(ancestor::style)]").getall()
    return " ".join(" ".join(nodes).split())


def _layout(sel: Selector, url: str) -> tuple[str, Selector]:
    for name, query in (("artical", "div.artical"), ("article_left", "div.article_left")):
        found = [s for s in sel.css(query) if s.css(f"#{BODY_ID}")] or sel.css(query)
        if found:
            return name, found[0]
    title = first_text(sel, "title")
    if _host(url) == "mp.ofweek.com" or title.endswith(MP_TITLE_SUFFIX.strip()):
        return "mp", sel
    raise LayoutError("no-layout", url)


def _page_title(sel: Selector, scope: Selector) -> str:
    title = first_text(scope, "h1") or first_text(sel, "h1")
    if title:
        return title
    # `<title> - OFweek锂电网</title>` (collapsed to "- OFweek锂电网") names no article:
    # padding with a space lets the suffix match at the start and leave "".
    title = " " + first_text(sel, "title")
    for suffix in (MP_TITLE_SUFFIX, " - OFweek"):
        cut = title.rfind(suffix)
        if cut >= 0:
            return title[:cut].strip()
    return title.strip()


def parse_article(html: str, url: str) -> ArticlePage:
    """One article page (or one page of a multi-page article).

    Raises LayoutError("no-layout" | "no-body" | "no-date").
    """
    sel = Selector(text=html)
    layout, scope = _layout(sel, url)

    body = rawhtml.inner_html(html, id=BODY_ID)
    if body is None or not body.strip():
        raise LayoutError("no-body", url)
    body = rawhtml.add_referrerpolicy(body)

    if layout == "artical":
        meta_date = first_text(scope, "div.time.fl") or first_text(sel, "div.time.fl")
        byline = first_text(scope, "div.source-name")
    elif layout == "article_left":
        meta_date = ""
        byline = first_text(scope, "#laiyuan_mp a span", "#laiyuan")
    else:   # mp: modeled markup
        meta_date = first_text(sel, ".article-info .time")
        byline = first_text(sel, ".article-info .author")
    published = beijing_datetime(meta_date) or beijing_datetime(_text_before_body(scope))
    if published is None:
        raise LayoutError("no-date", url)

    next_url = absolute_link(sel.css("#nextPage a::attr(href)").get(), url)
    if next_url and (next_url == url or article_id(next_url) != article_id(url)):
        next_url = None        # only further pages of this same article

    article = Article(
        title=_page_title(sel, scope),
        url=url,
        site=SITE,
        article_id=article_id(url) or "",
        published=published,
        body=body,
        byline=_SOURCE_PREFIX.sub("", byline).strip(),
        image_urls=rawhtml.img_srcs(body, url),
    )
    return ArticlePage(article, next_page_url=next_url)
