"""cnBeta (www.cnbeta.com): the RSS list and article pages. Pure functions of (text, URL).

What is known of the real site is in /work/shared/PORTALS.md ("cnBeta"); what the fixtures
model beyond that is in seeds/cnbeta/README.md. As RSSHub's corpus-era route
(`lib/routes/cnbeta/home.js@c3dfbea`) does:

- the list is cnBeta's own RSS (`https://rss.cnbeta.com/`, read by feed.parse_feed); items
  whose author is `adam` are dropped; title, link, pubDate (with seconds) and author come
  from the item;
- on the article page every `.article-global` (an ad) and `.article-topic` element is
  removed, then body = inner HTML of the first `.article-summary p` + `<br>` + inner HTML
  of the first `.article-content`. Both are exact slices of the page's text with the
  removed elements' spans cut out (never re-serialized), plus `referrerpolicy` on images.

Elements are found by class with the shared tokenizer (tags.py): an element ends at the
matching end tag of its name (same-name tags counted, as rawhtml.inner_html does); a `<p>`
also ends, as in a browser, at a block start tag (`<div>`, `<p>`, `<ul>` …) or at an end
tag of an element it is inside.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from parsel import Selector

from crawler.items import Article
from crawler.parsers import rawhtml
from crawler.parsers.common import (ArticlePage, BEIJING, LayoutError, ListEntry, ListPage, absolute_link,
                                     beijing_datetime, first_text)
from crawler.parsers.feed import FeedError, parse_feed
from crawler.parsers.elements import cut, element_span, has_class, removed_spans
from crawler.parsers.tags import tags

SITE = "cnbeta"
DROPPED_AUTHORS = ("adam",)                      # the route's `item.author !== 'adam'`
REMOVED_CLASSES = ("article-global", "article-topic")
SUMMARY_CLASS = "article-summary"
CONTENT_CLASS = "article-content"
TITLE = (".cnbeta-article .title h1", "header.title h1")
DATE = ".meta > span:first-child"


@dataclass
class FeedEntry(ListEntry):
    """An RSS item: the list entry plus what the route takes from it."""
    published: datetime | None = None           # the pubDate, aware (a local one: Beijing)
    author: str = ""                            # the item's author (an editor's name)



# --- URLs -------------------------------------------------------------------

# https://www.cnbeta.com/articles/tech/1262418.htm; older https://www.cnbeta.com/articles/1262418.htm
_ARTICLE = re.compile(r"^/articles/(?:[A-Za-z0-9_-]+/)?(\d+)\.htm$")


def article_id(url: str) -> str | None:
    """`1262418` for `https://www.cnbeta.com/articles/tech/1262418.htm` and for the old
    `…/articles/1262418.htm` (leading zeros dropped); None for anything else. Any
    cnbeta.com host counts."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not (
            host == "cnbeta.com" or host.endswith(".cnbeta.com")):
        return None
    m = _ARTICLE.match(parts.path)
    if m is None or not m.group(1).strip("0"):
        return None
    return m.group(1).lstrip("0")


def is_article_url(url: str) -> bool:
    return article_id(url) is not None


# --- the RSS list --------------------------------------------------------------

_XML_DECL = re.compile(r"^\s*<\?xml\b[^>]*?\?>")


def _beijing(published: datetime | str | None) -> datetime | None:
    """An RSS date as an aware datetime: a zone-less `YYYY-MM-DD HH:MM[:SS]` (which
    feed.parse_date keeps verbatim) is Beijing time, as the site prints it."""
    if isinstance(published, str):
        return beijing_datetime(published)
    return published


def parse_list(data: bytes | str, url: str) -> ListPage:
    """The articles of the RSS, in feed order.

    `data` is the feed's bytes (charset from its XML declaration) or its decoded text
    (the declaration is then ignored). Items by `adam` are dropped, and so are items whose
    link is not a cnBeta article and a second item of an id already listed.
    Raises LayoutError("not-a-feed" | "undecodable").
    """
    if isinstance(data, str):
        data = _XML_DECL.sub("", data.lstrip("\ufeff"), count=1).encode("utf-8")
    try:
        feed = parse_feed(data, url)
    except FeedError as exc:
        raise LayoutError(exc.reason, str(exc)) from None
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for item in feed.entries:
        if item.author.strip() in DROPPED_AUTHORS:
            continue
        link = absolute_link(item.link, url)
        aid = article_id(link) if link else None
        if link is None or aid is None or aid in seen:
            continue
        seen.add(aid)
        entries.append(FeedEntry(link, item.title, published=_beijing(item.published),
                                 author=item.author))
    return ListPage(entries)


def _kept(pos: int, spans: list[tuple[int, int]]) -> bool:
    return not any(s <= pos < e for s, e in spans)


def assemble_body(html: str) -> str:
    """`.article-summary p` inner HTML + `<br>` + `.article-content` inner HTML, after the
    `.article-global`/`.article-topic` elements are removed: exact slices of `html`.

    Raises LayoutError("no-body") without a (closed, non-empty) `.article-content`,
    LayoutError("no-summary") without an `.article-summary p`.
    """
    toks = list(tags(html))
    gone = removed_spans(html, toks, REMOVED_CLASSES)
    live = [(i, t) for i, t in enumerate(toks) if not t.closing and _kept(t.span[0], gone)]

    i = next((i for i, t in live if has_class(t, CONTENT_CLASS)), None)
    content = element_span(toks, i) if i is not None else None
    if content is None:
        raise LayoutError("no-body", f"no .{CONTENT_CLASS}" if i is None else f"unclosed .{CONTENT_CLASS}")
    content_html = cut(html, *content.inner, gone)
    if not content_html.strip():
        raise LayoutError("no-body", f"empty .{CONTENT_CLASS}")

    boxes = []                                       # inner ranges of the summaries
    for j, t in live:
        if has_class(t, SUMMARY_CLASS):
            box = element_span(toks, j)
            boxes.append(box.inner if box else (t.span[1], len(html)))
    p = next((j for j, t in live if t.name == "p" and any(lo <= t.span[0] < hi for lo, hi in boxes)),
             None)
    summary = element_span(toks, p) if p is not None else None
    if summary is None:
        raise LayoutError("no-summary", f"no .{SUMMARY_CLASS} p")
    return cut(html, *summary.inner, gone) + "<br>" + content_html


# --- article page -----------------------------------------------------------------

_CN_DATETIME = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(\d{1,2}):(\d{2})(?::(\d{2}))?")


def page_datetime(text: str) -> datetime | None:
    """`2022年04月18日 14:53` (or `2022-04-18 14:53[:SS]`) in Beijing time; None if none."""
    m = _CN_DATETIME.search(text)
    if m is None:
        return beijing_datetime(text)
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    try:
        return datetime(y, mo, d, h, mi, s, tzinfo=BEIJING)
    except ValueError:
        return None


_SOURCE_PREFIX = re.compile(r"^\s*稿源\s*[:：]\s*")


def parse_article(html: str, url: str) -> ArticlePage:
    """One article page. Raises LayoutError("no-body" | "no-summary").

    The page's title (`.cnbeta-article .title h1`), date (`.meta` first span, minutes only)
    and source (`.meta .source`, without `稿源：`) are fallbacks: the RSS item's win."""
    body = rawhtml.add_referrerpolicy(assemble_body(html))
    sel = Selector(text=html)
    article = Article(
        title=first_text(sel, *TITLE),
        url=url,
        site=SITE,
        article_id=article_id(url) or "",
        published=page_datetime(first_text(sel, DATE)),
        body=body,
        byline=_SOURCE_PREFIX.sub("", first_text(sel, ".meta .source")).strip(),
        image_urls=rawhtml.img_srcs(body, url),
    )
    return ArticlePage(article)
