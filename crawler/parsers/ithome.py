"""IT之家 (www.ithome.com): list and article pages. Pure functions of (HTML text, URL).

What is known of the real markup is in /work/shared/PORTALS.md ("IT之家"); what the fixtures
model beyond that is in seeds/ithome/README.md (corpus era) and seeds/ithome-2026/README.md
(today). Each kind of page has named layout versions (crawler/parsers/layouts.py), newest
first, picked by what the page holds:

- list `2026`: today's news list `https://www.ithome.com/list/`, links
  `#list > div.fl > ul > li a.t` (the time is in `i`); lapin.ithome.com (shopping ads) links
  are not articles. `corpus-2022`: a channel page (`https://it.ithome.com/`) as RSSHub's
  `/ithome/:caty` route reads it, links `#list > div.fl > ul > li > div > h2 > a`.
- article `2026`: the `h1` straight in `#dt > div.fl.content` (no `div.post_title`);
  `corpus-2022`: `div.post_title h1`. Both: the date is `#pubtime_baidu` (`YYYY/M/D H:mm:ss`,
  Beijing time); the body is the exact `#paragraph` inner HTML (rawhtml.inner_html, never
  re-serialized) with its lazy images made real (`fix_lazy_images`), as RSSHub's route does.
  Today's `#paragraph` starts with a newline and spaces (kept: an exact slice) and ends with
  `<p class="ad-tips">广告声明：…</p>`, which is kept too: RSSHub's `/ithome/:caty` route
  (lib/routes/ithome/index.ts, the route of the corpus) takes `#paragraph`'s `.html()` with it;
  only its `/ithome/zt` route removes `p.ad-tips`.

Only the first list page is read: channel pages load more with an XHR POST
(`/ithome/getajaxdata.aspx`), which RSSHub's route does not follow either; the day pages of
the news calendar (`/list/<yyyy-mm-dd>.html`, a third-party scraper's evidence) are not read.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.items import Article
from crawler.parsers import rawhtml
from crawler.parsers.common import (
    ArticlePage,
    LayoutError,
    ListEntry,
    ListPage,
    absolute_link,
    attr,
    beijing_datetime,
    first_text,
)
from crawler.parsers.layouts import CORPUS, CURRENT, Layout, Page, pick
from crawler.parsers.tags import Attr, tags

SITE = "ithome"
BODY_ID = "paragraph"
DATE = "#pubtime_baidu"
IMAGE = f"#{BODY_ID} img[data-original] / img[src]"
LIST_LINKS_2026 = "#list > div.fl > ul > li a.t"
LIST_LINKS = "#list > div.fl > ul > li > div > h2 > a"  # corpus era (RSSHub's route)
TITLE_2026 = "#dt > div.fl.content > h1"
TITLE_2022 = "div.post_title h1"

LIST_LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "2026",
        CURRENT,
        LIST_LINKS_2026,
        {"list": LIST_LINKS_2026},
        source="newsnow server/sources/ithome.ts (https://www.ithome.com/list/, "
        "`#list > div.fl > ul > li`, `a.t`, time in `i`, lapin links skipped); "
        "other 2025-26 scrapers' tests (`a.c` category, `<i>2026-06-12 23:59:39</i>`)",
    ),
    Layout(
        "corpus-2022",
        CORPUS,
        LIST_LINKS,
        {"list": LIST_LINKS},
        source="RSSHub lib/routes/ithome/index.js@e842f83 (same in index.ts): "
        "https://<caty>.ithome.com/, first links of the channel list",
    ),
)

ARTICLE_LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "2026",
        CURRENT,
        TITLE_2026,
        {"title": TITLE_2026, "date": DATE, "body": f"#{BODY_ID}", "image": IMAGE},
        source="a real page saved in 2026 (https://www.ithome.com/0/968/171.htm, "
        "/work/shared/realpages/ithome/); the Soontao/RSSHub fork's "
        "`#dt > div.fl.content` → `div#paragraph`",
    ),
    Layout(
        "corpus-2022",
        CORPUS,
        TITLE_2022,
        {"title": TITLE_2022, "date": DATE, "body": f"#{BODY_ID}", "image": IMAGE},
        source="RSSHub lib/routes/ithome/index.js@e842f83 (#paragraph, #pubtime_baidu); "
        "third-party scrapers (`div.post_title h1`); the corpus posts",
    ),
)


# --- URLs -------------------------------------------------------------------

# https://www.ithome.com/0/632/123.htm (id 632123, split 3/3); older /html/<channel>/<id>.htm
_NEW = re.compile(r"^/0/(\d{3,})/(\d{3})\.htm$")
_OLD = re.compile(r"^/html/[A-Za-z0-9_-]+/(\d+)\.htm$")


def article_id(url: str) -> str | None:
    """`632123` for `https://www.ithome.com/0/632/123.htm`, `301245` for
    `…/html/it/301245.htm` (leading zeros dropped, so both forms of one number agree);
    None for anything else. Any ithome.com host counts (a relative list link resolves
    on the list's host, e.g. it.ithome.com)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not (host == "ithome.com" or host.endswith(".ithome.com")):
        return None
    m = _NEW.match(parts.path)
    digits = m.group(1) + m.group(2) if m else None
    if digits is None:
        m = _OLD.match(parts.path)
        digits = m.group(1) if m else None
    if digits is None or not digits.strip("0"):
        return None
    return digits.lstrip("0")


def is_article_url(url: str) -> bool:
    return article_id(url) is not None


# --- list page ----------------------------------------------------------------


def _is_ad(url: str) -> bool:
    """lapin.ithome.com: the site's shopping deals, listed among the news (not articles)."""
    host = (urlsplit(url).hostname or "").lower()
    return host == "lapin.ithome.com" or host.endswith(".lapin.ithome.com")


def parse_list(html: str, url: str) -> ListPage:
    """Article links of a list page (first page only; no pagination), newest first.

    Links are resolved against `url`; non-article and lapin links are dropped, and a second
    link to an article already listed (another URL of the same id) is ignored.
    Raises LayoutError("no-layout") naming every version tried when the page holds none.
    """
    page = Page(html, url)
    layout = pick(LIST_LAYOUTS, page)
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for a in page.sel.css(layout.fields["list"]):
        link = absolute_link(attr(a, "href"), url)
        aid = article_id(link) if link and not _is_ad(link) else None
        if link is None or aid is None or aid in seen:
            continue
        seen.add(aid)
        title = " ".join(a.xpath("string()").get("").split()) or attr(a, "title", "").strip()
        entries.append(ListEntry(link, title))
    return ListPage(entries, layout=layout.name)


# --- lazy images --------------------------------------------------------------

_UNQUOTED_OK = re.compile(r"[^\s\"'=<>`]+")  # a value that may stand without quotes
_WS = " \t\n\r\f"


def _quote_char(text: str, attr: Attr) -> str:
    """The quote around an attribute's value ("" when unquoted or valueless)."""
    before = attr.value_span[0] - 1
    if before >= attr.span[0] + len(attr.name) and text[before] in "\"'":
        return text[before]
    return ""


def _attribute(name: str, value: str, quote: str) -> str:
    """`name=<q>value<q>` with `quote` (`"` when there was none) if the value does not hold
    it, else the other one (a value holding both gets its `"` written as `&quot;`, which reads
    the same)."""
    first = quote or '"'
    for q in (first, "'" if first == '"' else '"'):
        if q not in value:
            return f"{name}={q}{value}{q}"
    return f'{name}="{value.replace(chr(34), "&quot;")}"'


def _removal(text: str, attr: Attr) -> tuple[int, int]:
    """The span to delete for `attr`: the attribute and the whitespace before it, unless
    the next attribute follows without a space (then that whitespace must stay)."""
    start, end = attr.span
    ws = start
    while text[ws - 1] in _WS:  # text starts with `<img`: stops there
        ws -= 1
    glued = end < len(text) and text[end] not in _WS + "/>"
    return (start if glued else ws, end)


def _fixed_img(tag_text: str, attrs: list[Attr]) -> str:
    """One `<img …>` (attribute spans relative to it) with src = the data-original value
    and the class and data-original attributes removed."""
    lazy = next(a for a in attrs if a.name == "data-original")
    value = lazy.value  # raw: entities as the page wrote them
    src = next((a for a in attrs if a.name == "src"), None)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    if src is None:  # no src: it takes data-original's place
        edits.append((*lazy.span, _attribute("src", value, _quote_char(tag_text, lazy))))
    else:
        q = _quote_char(tag_text, src)
        if (q and q not in value) or (not q and src.value and _UNQUOTED_OK.fullmatch(value)):
            edits.append((*src.value_span, value))  # the value only, quoting as it was
        else:  # valueless, or the quotes do not fit
            name = tag_text[src.span[0] : src.span[0] + len("src")]
            edits.append((*src.span, _attribute(name, value, q)))
    for a in attrs:
        if a.name in ("class", "data-original") and not (src is None and a is lazy):
            edits.append((*_removal(tag_text, a), ""))
    out = tag_text
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    return out


def fix_lazy_images(html: str) -> str:
    """Make lazy-loaded images real, as RSSHub's route does, touching nothing else.

    For each `<img>` with a `data-original` attribute: `src` takes its value (as written,
    entities and all), and the `class` and `data-original` attributes are removed with
    the whitespace before them. Every other byte stays: other images, attribute order
    and quoting, `<img>` inside comments, scripts or noscript (tags.py reads them as a
    browser does), and a tag the page cuts short (no `>`, or cut inside a quoted value).
    """
    out: list[str] = []
    pos = 0
    for tag in tags(html):
        start, end = tag.span
        if (
            tag.name != "img"
            or tag.closing
            or tag.get("data-original") is None
            or not html.endswith(">", 0, end)
            or tag.attrs[-1].span[1] >= end  # cut inside its last value (`…="u.png>` at the end)
        ):
            continue
        local = [
            Attr(
                a.name,
                a.value,
                (a.span[0] - start, a.span[1] - start),
                (a.value_span[0] - start, a.value_span[1] - start),
            )
            for a in tag.attrs
        ]
        out += [html[pos:start], _fixed_img(html[start:end], local)]
        pos = end
    out.append(html[pos:])
    return "".join(out)


# --- article page ---------------------------------------------------------------

_SOURCE_PREFIX = re.compile(r"^\s*(?:来源|作者)\s*[:：]\s*")


def parse_article(html: str, url: str) -> ArticlePage:
    """One article page. Raises LayoutError("no-layout" | "no-body" | "no-date"), the
    detail naming the version and the selector that failed."""
    page = Page(html, url)
    layout = pick(ARTICLE_LAYOUTS, page)
    body = rawhtml.inner_html(html, id=BODY_ID)
    if body is None or not body.strip():
        raise LayoutError("no-body", f"{url}: layout {layout.name}: {layout.fields['body']}")
    body = rawhtml.add_referrerpolicy(fix_lazy_images(body))

    published = beijing_datetime(first_text(page.sel, layout.fields["date"]))
    if published is None:
        raise LayoutError("no-date", f"{url}: layout {layout.name}: {layout.fields['date']}")
    byline = first_text(page.sel, "#author_baidu strong") or first_text(page.sel, "#source_baidu")

    article = Article(
        title=first_text(page.sel, layout.fields["title"]),
        url=url,
        site=SITE,
        article_id=article_id(url) or "",
        published=published,
        body=body,
        byline=_SOURCE_PREFIX.sub("", byline).strip(),
        image_urls=rawhtml.img_srcs(body, url),
    )
    return ArticlePage(article, layout=layout.name)
