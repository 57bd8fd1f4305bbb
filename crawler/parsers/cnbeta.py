"""cnBeta (www.cnbeta.com.tw, until late 2022 www.cnbeta.com): the RSS and article pages.
Pure functions of (text, URL).

What is known of the real site is in /work/shared/PORTALS.md ("cnBeta"); what the fixtures
model beyond that is in seeds/cnbeta/README.md (corpus era) and seeds/cnbeta-2026/README.md.

Layout versions (newest first; `LIST_LAYOUTS`, `ARTICLE_LAYOUTS`), picked by the host the
page links itself on (the site moved from cnbeta.com to cnbeta.com.tw in late 2022; the
markup classes are the same in both eras, see below):

- list `2026`: the RSS 2.0 feed `https://www.cnbeta.com.tw/backend.php` (= rss.cnbeta.com.tw),
  items linking `https://www.cnbeta.com.tw/articles/<channel>/<id>.htm`; list `corpus-2022`:
  the same RSS format at `https://rss.cnbeta.com/`, items on www.cnbeta.com. Both: items whose
  author is `adam` are dropped; title, link, pubDate (with seconds) and author come from the item.
- article `2026` (RSSHub's current `lib/routes/cnbeta/utils.ts`): every `.topic`,
  `.article-topic` and `.article-global` element is removed, then body = inner HTML of the
  first `.article-summary` + inner HTML of the first `.article-content` (nothing between).
- article `corpus-2022` (RSSHub's `lib/routes/cnbeta/home.js@c3dfbea`, which wrote the corpus):
  `.article-global` and `.article-topic` removed; body = inner HTML of the first
  `.article-summary p` + `<br>` + inner HTML of the first `.article-content`.

RSSHub's route of the same months (`lib/v2/cnbeta/utils.js`, root www.cnbeta.com) already
used the 2026 rule, so the markup did not change with the rule; what tells a page of today
from one of the corpus era is the host it links itself on (`<link rel="canonical">`, else
its links), else the page's URL. Bodies are exact slices of the page's text with the
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
from crawler.parsers.common import (
    BEIJING,
    ArticlePage,
    LayoutError,
    ListEntry,
    ListPage,
    absolute_link,
    beijing_datetime,
    first_text,
)
from crawler.parsers.elements import Span, cut, element_span, has_class, removed_spans
from crawler.parsers.feed import FeedError, parse_feed
from crawler.parsers.layouts import CORPUS, CURRENT, Layout, Page, pick
from crawler.parsers.tags import Tag, tags

SITE = "cnbeta"
DROPPED_AUTHORS = ("adam",)  # the route's `item.author !== 'adam'`
SUMMARY_CLASS = "article-summary"
CONTENT_CLASS = "article-content"
TITLE = (".cnbeta-article .title h1", "header.title h1")
TW, COM = "cnbeta.com.tw", "cnbeta.com"  # today's host, the corpus era's


@dataclass
class FeedEntry(ListEntry):
    """An RSS item: the list entry plus what the route takes from it."""

    published: datetime | None = None  # the pubDate, aware (a local one: Beijing)
    author: str = ""  # the item's author (an editor's name)


# --- URLs -------------------------------------------------------------------

# https://www.cnbeta.com.tw/articles/tech/1577922.htm, https://www.cnbeta.com/articles/tech/1262418.htm;
# older https://www.cnbeta.com/articles/1262418.htm
_ARTICLE = re.compile(r"^/articles/(?:[A-Za-z0-9_-]+/)?(\d+)\.htm$")


def cnbeta_host(host: str | None) -> str | None:
    """`cnbeta.com.tw` or `cnbeta.com` for a host on that domain (any subdomain), else None."""
    host = (host or "").lower().rstrip(".")
    for domain in (TW, COM):
        if host == domain or host.endswith("." + domain):
            return domain
    return None


def article_id(url: str) -> str | None:
    """`1262418` for `https://www.cnbeta.com.tw/articles/tech/1262418.htm`, for the same
    article at `https://www.cnbeta.com/articles/tech/1262418.htm` (one id space: the site
    moved, the ids did not) and for the old `…/articles/1262418.htm` (leading zeros
    dropped); None for anything else. Any cnbeta.com.tw or cnbeta.com host counts."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # a malformed URL (bad IPv6 literal …)
        return None
    if parts.scheme not in ("http", "https") or cnbeta_host(host) is None:
        return None
    m = _ARTICLE.match(parts.path)
    if m is None or not m.group(1).strip("0"):
        return None
    return m.group(1).lstrip("0")


def is_article_url(url: str) -> bool:
    return article_id(url) is not None


# --- layout versions --------------------------------------------------------------

_FEED_LINK = re.compile(r"<link>\s*(?:<!\[CDATA\[)?\s*([^<\s\]]+)", re.I)


def _domain(url: str) -> str | None:
    try:
        return cnbeta_host(urlsplit(url.strip()).hostname)
    except ValueError:  # a malformed URL (bad IPv6 literal …)
        return None


def _feed_hosts(page: Page) -> set[str]:
    """The cnBeta domains the feed's `<link>` elements (channel, image, items) point at."""
    return {d for d in map(_domain, _FEED_LINK.findall(page.text)) if d}


def _links_hosts(page: Page, *queries: str) -> set[str]:
    return {d for q in queries for d in map(_domain, page.sel.css(q).getall()) if d}


def page_host(page: Page) -> str | None:
    """The domain an article page belongs to, by what it holds: its canonical URL
    (`link[rel=canonical]`, `og:url`), else its links (any on cnbeta.com.tw: today's),
    else its URL."""
    for queries in (
        ('link[rel="canonical"]::attr(href)', 'meta[property="og:url"]::attr(content)'),
        ("a::attr(href)", "link::attr(href)"),
    ):
        hosts = _links_hosts(page, *queries)
        if hosts:
            return TW if TW in hosts else COM
    return _domain(page.url)


LIST_LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "2026",
        CURRENT,
        marker="feed <link>s on cnbeta.com.tw",
        fields={"list": "rss/channel/item with a www.cnbeta.com.tw/articles/…htm link (author ≠ adam)"},
        source="RSS 2.0 of https://www.cnbeta.com.tw/backend.php and https://rss.cnbeta.com.tw/ "
        "as saved by public feed readers in 2026 (PORTALS.md, seeds/cnbeta-2026/README.md)",
        detect=lambda page: TW in _feed_hosts(page),
    ),
    Layout(
        "corpus-2022",
        CORPUS,
        marker="feed <link>s on cnbeta.com",
        fields={"list": "rss/channel/item with a www.cnbeta.com/articles/…htm link (author ≠ adam)"},
        source="RSSHub lib/routes/cnbeta/home.js@c3dfbea (https://rss.cnbeta.com/, rss-parser)",
        detect=lambda page: COM in _feed_hosts(page),
    ),
)

_TITLE_FIELD = "RSS item/title, else " + ", ".join(TITLE)
ARTICLE_LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "2026",
        CURRENT,
        marker="canonical/links on cnbeta.com.tw",
        fields={
            "title": _TITLE_FIELD,
            "date": "RSS item/pubDate, else .meta span (first)",
            "body": ".article-summary + .article-content (minus .topic, .article-topic, .article-global)",
            "image": ".article-summary img[src], .article-content img[src]",
        },
        source="RSSHub lib/routes/cnbeta/utils.ts (rootUrl https://www.cnbeta.com.tw)",
        detect=lambda page: page_host(page) == TW,
    ),
    Layout(
        "corpus-2022",
        CORPUS,
        marker="canonical/links on cnbeta.com",
        fields={
            "title": _TITLE_FIELD,
            "date": "RSS item/pubDate, else .meta > span:first-child",
            "body": ".article-summary p + <br> + .article-content (minus .article-global, .article-topic)",
            "image": ".article-summary p img[src], .article-content img[src]",
        },
        source="RSSHub lib/routes/cnbeta/home.js@c3dfbea",
        detect=lambda page: page_host(page) == COM,
    ),
)
LIST_2026, LIST_CORPUS = LIST_LAYOUTS
ARTICLE_2026, ARTICLE_CORPUS = ARTICLE_LAYOUTS


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
    link is not a cnBeta article and a second item of an id already listed (whichever
    host). The version: `2026` for a feed linking cnbeta.com.tw, `corpus-2022` for one
    linking cnbeta.com (else `2026`): both are read alike.
    Raises LayoutError("not-a-feed" | "undecodable").
    """
    if isinstance(data, str):
        data = _XML_DECL.sub("", data.lstrip("\ufeff"), count=1).encode("utf-8")
    try:
        feed = parse_feed(data, url)
    except FeedError as exc:
        raise LayoutError(exc.reason, str(exc)) from None
    layout = pick(LIST_LAYOUTS, Page(data.decode("utf-8", "replace"), url), fallback=LIST_2026)
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
        entries.append(FeedEntry(link, item.title, published=_beijing(item.published), author=item.author))
    return ListPage(entries, layout=layout.name)


# --- bodies -------------------------------------------------------------------------


def _kept(pos: int, spans: list[tuple[int, int]]) -> bool:
    return not any(s <= pos < e for s, e in spans)


def _live(
    html: str, removed: tuple[str, ...]
) -> tuple[list[Tag], list[tuple[int, int]], list[tuple[int, Tag]]]:
    """The page's tokens, the spans of the `removed` classes' elements, and the start tags
    outside them (with their index)."""
    toks = list(tags(html))
    gone = removed_spans(html, toks, removed)
    live = [(i, t) for i, t in enumerate(toks) if not t.closing and _kept(t.span[0], gone)]
    return toks, gone, live


def _content(html: str, toks: list[Tag], gone: list[tuple[int, int]], live: list[tuple[int, Tag]]) -> str:
    """Inner HTML of the first `.article-content` left, minus the removed spans."""
    i = next((i for i, t in live if has_class(t, CONTENT_CLASS)), None)
    content = element_span(toks, i) if i is not None else None
    if content is None:
        raise LayoutError("no-body", f"no .{CONTENT_CLASS}" if i is None else f"unclosed .{CONTENT_CLASS}")
    content_html = cut(html, *content.inner, gone)
    if not content_html.strip():
        raise LayoutError("no-body", f"empty .{CONTENT_CLASS}")
    return content_html


CORPUS_REMOVED = ("article-global", "article-topic")
REMOVED_2026 = ("topic", "article-topic", "article-global")
REMOVED_CLASSES = CORPUS_REMOVED  # the corpus era's (as before)


def assemble_body(html: str) -> str:
    """corpus-2022: `.article-summary p` inner HTML + `<br>` + `.article-content` inner
    HTML, after the `.article-global`/`.article-topic` elements are removed: exact slices.

    Raises LayoutError("no-body") without a (closed, non-empty) `.article-content`,
    LayoutError("no-summary") without an `.article-summary p`.
    """
    toks, gone, live = _live(html, CORPUS_REMOVED)
    content_html = _content(html, toks, gone, live)
    boxes = []  # inner ranges of the summaries
    for j, t in live:
        if has_class(t, SUMMARY_CLASS):
            box = element_span(toks, j)
            boxes.append(box.inner if box else (t.span[1], len(html)))
    p = next((j for j, t in live if t.name == "p" and any(lo <= t.span[0] < hi for lo, hi in boxes)), None)
    summary = element_span(toks, p) if p is not None else None
    if summary is None:
        raise LayoutError("no-summary", f"no .{SUMMARY_CLASS} p")
    return cut(html, *summary.inner, gone) + "<br>" + content_html


def assemble_body_2026(html: str) -> str:
    """2026: `.article-summary` inner HTML + `.article-content` inner HTML (nothing between),
    after the `.topic`/`.article-topic`/`.article-global` elements are removed: exact slices.

    Raises LayoutError("no-body") without a (closed, non-empty) `.article-content`,
    LayoutError("no-summary") without a (closed) `.article-summary`; an empty one is kept.
    """
    toks, gone, live = _live(html, REMOVED_2026)
    content_html = _content(html, toks, gone, live)
    j = next((j for j, t in live if has_class(t, SUMMARY_CLASS)), None)
    summary: Span | None = element_span(toks, j) if j is not None else None
    if summary is None:
        raise LayoutError("no-summary", f"no .{SUMMARY_CLASS}" if j is None else f"unclosed .{SUMMARY_CLASS}")
    return cut(html, *summary.inner, gone) + content_html


_BODIES = {ARTICLE_2026.name: assemble_body_2026, ARTICLE_CORPUS.name: assemble_body}
_DATES = {ARTICLE_2026.name: ".meta span", ARTICLE_CORPUS.name: ".meta > span:first-child"}


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
    """One article page, read by its version (`2026` or `corpus-2022`, see the module
    docstring). Raises LayoutError("no-body" | "no-summary") naming the version.

    The page's title (`.cnbeta-article .title h1`), date (first `.meta` span, minutes only)
    and source (`.meta .source`, without `稿源：`) are fallbacks: the RSS item's win."""
    page = Page(html, url)
    layout = pick(ARTICLE_LAYOUTS, page, fallback=ARTICLE_2026)
    try:
        body = rawhtml.add_referrerpolicy(_BODIES[layout.name](html))
    except LayoutError as exc:
        raise LayoutError(
            exc.reason, f"{layout.name}: {exc.detail} (body: {layout.fields['body']})"
        ) from None
    images = rawhtml.img_srcs(body, url)
    sel: Selector = page.sel
    article = Article(
        title=first_text(sel, *TITLE),
        url=url,
        site=SITE,
        article_id=article_id(url) or "",
        published=page_datetime(first_text(sel, _DATES[layout.name])),
        body=body,
        byline=_SOURCE_PREFIX.sub("", first_text(sel, ".meta .source")).strip(),
        image_urls=images,
    )
    return ArticlePage(article, layout=layout.name)
