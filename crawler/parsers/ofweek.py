"""OFweek (高科技行业门户): list and article pages. Pure functions of (HTML text, URL).

What is known of the real markup is in /work/shared/OFWEEK.md and the fixture READMEs
(seeds/ofweek/ corpus era, seeds/ofweek-2026/ today). Metadata comes from parsel
selectors; the body is always the exact `#articleC` inner HTML (rawhtml.inner_html),
never re-serialized.

Layout versions (layouts.py), picked by what the page holds, newest first. OFweek did not
replace its templates: the www.ofweek.com industry list and the `div.artical` article page
that the corpus-era RSSHub route read are what its current route and 2025 scrapers still
read, so they are the current versions ("2026"); today adds the channel lists and the
solar. channel article page; the `span.wen` lists, the `div.article_left` article page and
the (modeled) mp.ofweek.com page are of the corpus era only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from parsel import Selector

from crawler.items import Article
from crawler.parsers import common, rawhtml
from crawler.parsers.common import (
    LayoutError,
    ListEntry,
    ListPage,
    absolute_link,
    attr,
    beijing_datetime,
    first_text,
)
from crawler.parsers.layouts import CORPUS, CURRENT, Layout, Page, pick

SITE = "ofweek"
BODY_ID = "articleC"
MP_TITLE_SUFFIX = " - 维科号V"


@dataclass
class ArticlePage(common.ArticlePage):
    next_page_url: str | None = None  # `#nextPage a` of a multi-page article (None on the last page)


# --- URLs -------------------------------------------------------------------

# www.ofweek.com/<channel>/<yyyy-mm>/ART-a-b-<id>.html, <channel>.ofweek.com/<yyyy-mm>/…,
# page N of a long article: …-<id>_N.html. The last number is the site-wide article id.
_ART = re.compile(r"/ART-\d+-\d+-(\d+)(?:_\d+)?\.html?$", re.IGNORECASE)
_MP = re.compile(r"^/[A-Za-z0-9_-]+/(a\d+)/?$")
# List pages, page N = `…-N.html`: the industry list `CATList-8100-CHANGYIEXINWE[-N].html`
# and channel lists `CATList-<a>-<b>-<slug>[-N].html` (`/ai/CATList-201700-8100-ai.html`,
# `ee.ofweek.com/CATList-2800-8100-ee-2.html`). The slug holds a letter, the page number not.
_LIST = re.compile(r"/CATList-\d+-(?:\d+-)?[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*(?:-(\d+))?\.html$", re.IGNORECASE)


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


# --- layout versions ----------------------------------------------------------

_RSSHUB = "RSSHub lib/routes/ofweek/news.ts (2021-22 and its current version)"

LIST_LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "2026",
        CURRENT,
        "div.list-left",
        {"list": "div.list-left div.con-details h3 > a"},
        source=f"the industry list CATList-8100-CHANGYIEXINWE: {_RSSHUB}; the corpus era's too",
    ),
    Layout(
        "2026-channel",
        CURRENT,
        "div.list_model",
        {"list": "div.list_model div.model_right h3 > a"},
        source="channel lists CATList-<a>-<b>-<slug>[-N].html (ee.ofweek.com/CATList-2800-"
        "8100-ee-N.html read by public Scrapy/crawlo spiders in 2025: div.main_left > "
        "div.list_model > div.model_right.model_right2 > h3 > a; "
        "www.ofweek.com/ai/CATList-201700-8100-ai.html listed 2025); pager "
        "div.list-num > a (issue 10)",
    ),
    Layout(
        "corpus-wen",
        CORPUS,
        "span.wen",
        {"list": "span.wen > h3 > a"},
        source="older www lists (CATList-8400-SHICHANGYUANJIU-N.html, public jsoup spider: "
        "class=wen > h3; issue 10: span.wen > h3 > a)",
    ),
)


def _solar(page: Page) -> bool:
    """solar. channel page: `p.title` and `.sdate`, no `div.article_left` with its h1."""
    sel = page.sel
    return bool(sel.css("p.title") and sel.css(".sdate") and not sel.css("div.article_left h1"))


def _mp(page: Page) -> bool:
    return _host(page.url) == "mp.ofweek.com" or first_text(page.sel, "title").endswith(
        MP_TITLE_SUFFIX.strip()
    )


ARTICLE_LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "2026",
        CURRENT,
        "div.artical",
        {
            "title": "div.artical h1 (list link text preferred)",
            "date": "div.time.fl",
            "body": "#articleC",
            "image": "#articleC img[src]",
        },
        source=f"{_RSSHUB}: div.artical #articleC, div.source-name, div.time.fl; the same "
        "fields read from ee.ofweek.com articles by public crawlo/Scrapy spiders in "
        "2025; the seed's page (2021-11) has it",
    ),
    Layout(
        "2026-solar",
        CURRENT,
        "p.title + .sdate",
        detect=_solar,
        fields={"title": "p.title", "date": ".sdate", "body": "#articleC", "image": "#articleC img[src]"},
        source="solar.ofweek.com article pages: title in p.title (issue 10), time in .sdate "
        "as the old layout (public scrapers); the rest modeled",
    ),
    Layout(
        "corpus-article_left",
        CORPUS,
        "div.article_left",
        {
            "title": "div.article_left h1",
            "date": ".sdate (else the text before #articleC)",
            "body": "div#articleC.article_con",
            "image": "#articleC img[src]",
        },
        source="public scrapers 2018-21 (a 2019 config: article_left h1, .sdate, "
        "#laiyuan_mp, article_con; Scrapy spiders: span.sdate '%Y-%m-%d %H:%M', "
        "#laiyuan, #nextPage a)",
    ),
    Layout(
        "corpus-mp",
        CORPUS,
        f"mp.ofweek.com or <title> ending '{MP_TITLE_SUFFIX.strip()}'",
        detect=_mp,
        fields={
            "title": "h1 / <title> minus ' - 维科号V'",
            "date": ".article-info .time",
            "body": "#articleC",
            "image": "#articleC img[src]",
        },
        source="URL shape and title suffix from public links; the markup is modeled",
    ),
)

# --- list pages -------------------------------------------------------------


def _list_page_number(url: str) -> tuple[str, int] | None:
    """(which list, page number) of a list URL: host and path without `-N`, lowercased."""
    parts = urlsplit(url)
    m = _LIST.search(parts.path)
    if not m:
        return None
    name = parts.path[: m.start(1) - 1] if m.group(1) else parts.path[: -len(".html")]
    return f"{(parts.hostname or '').lower()}{name.lower()}", int(m.group(1) or 1)


def parse_list(html: str, url: str) -> ListPage:
    """Article links of a list page and the URL of its page N+1 (the version's pager, else
    any link to `…-<N+1>.html` of the same list; `下一页` preferred). Links to the current
    page, `javascript:` links and other lists are ignored.

    Raises LayoutError("no-layout") naming the versions tried.
    """
    page = Page(html, url)
    layout = pick(LIST_LAYOUTS, page)
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for a in page.sel.css(layout.fields["list"]):
        link = absolute_link(attr(a, "href"), url)
        if not link or link in seen or not is_article_url(link):
            continue
        seen.add(link)
        title = " ".join(a.xpath("string()").get("").split()) or attr(a, "title", "").strip()
        entries.append(ListEntry(link, title))
    pager = "div.list-num > a[href]" if layout.name == "2026-channel" else "a[href]"
    return ListPage(entries, _next_list_url(page.sel.css(pager), url), layout=layout.name)


def _next_list_url(links: list[Selector], url: str) -> str | None:
    here = _list_page_number(url)
    if here is None:
        return None
    wanted: list[str] = []
    numbered: list[str] = []
    for a in links:
        link = absolute_link(attr(a, "href"), url)
        where = _list_page_number(link) if link else None
        if not link or where is None or where[0] != here[0] or where[1] <= here[1]:
            continue
        if a.xpath("string()").get("").strip() == "下一页":
            wanted.append(link)
        elif where[1] == here[1] + 1:
            numbered.append(link)
    found = wanted or numbered
    return found[0] if found else None


# --- article pages ----------------------------------------------------------

_SOURCE_PREFIX = re.compile(r"^\s*(?:来源|来自|出处)\s*[:：]\s*")


def _text_before_body(scope: Selector) -> str:
    """Visible text of `scope` that precedes #articleC (where a page without the known time
    element shows it)."""
    nodes = scope.xpath(
        f".//text()[following::*[@id='{BODY_ID}']][not(ancestor::script) and not(ancestor::style)]"
    ).getall()
    return " ".join(" ".join(nodes).split())


def _scope(sel: Selector, query: str) -> Selector:
    """The first `query` element that holds #articleC (else the first, else the page)."""
    found = [s for s in sel.css(query) if s.css(f"#{BODY_ID}")] or sel.css(query)
    return found[0] if found else sel


def _page_title(sel: Selector, scope: Selector, *queries: str) -> str:
    title = first_text(scope, *queries) or first_text(sel, *queries)
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

    Raises LayoutError("no-layout" | "no-body" | "no-date"), the detail naming the version
    and the selector that found nothing.
    """
    page = Page(html, url)
    layout = pick(ARTICLE_LAYOUTS, page)
    sel = page.sel

    found = rawhtml.body_with_images(html, id=BODY_ID, base_url=url)
    if found is None or not found[0].strip():
        raise LayoutError("no-body", f"{url}: {layout.name}: {layout.fields['body']}")
    body, image_urls = found

    if layout.name == "2026":
        scope = _scope(sel, "div.artical")
        meta_date = first_text(scope, "div.time.fl") or first_text(sel, "div.time.fl")
        byline = first_text(scope, "div.source-name")
        title = _page_title(sel, scope, "h1")
    elif layout.name == "2026-solar":  # the time is known (.sdate), the byline modeled
        scope = sel
        meta_date = first_text(sel, ".sdate")
        byline = first_text(sel, "#laiyuan_mp a span", "#laiyuan", "div.source-name")
        title = _page_title(sel, scope, "p.title")
    elif layout.name == "corpus-article_left":
        scope = _scope(sel, "div.article_left")
        meta_date = first_text(scope, ".sdate") or first_text(sel, ".sdate")
        byline = first_text(scope, "#laiyuan_mp a span", "#laiyuan")
        title = _page_title(sel, scope, "h1")
    else:  # corpus-mp: modeled markup
        scope = sel
        meta_date = first_text(sel, ".article-info .time")
        byline = first_text(sel, ".article-info .author")
        title = _page_title(sel, scope, "h1")
    published = beijing_datetime(meta_date) or beijing_datetime(_text_before_body(scope))
    if published is None:
        raise LayoutError("no-date", f"{url}: {layout.name}: {layout.fields['date']}")

    next_url = absolute_link(sel.css("#nextPage a::attr(href)").get(), url)
    if next_url and (next_url == url or article_id(next_url) != article_id(url)):
        next_url = None  # only further pages of this same article

    article = Article(
        title=title,
        url=url,
        site=SITE,
        article_id=article_id(url) or "",
        published=published,
        body=body,
        byline=_SOURCE_PREFIX.sub("", byline).strip(),
        image_urls=image_urls,
    )
    return ArticlePage(article, layout=layout.name, next_page_url=next_url)
