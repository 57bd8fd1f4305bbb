"""IT之家 (www.ithome.com): list and article pages. Pure functions of (HTML text, URL).

What is known of the real markup is in /work/shared/PORTALS.md ("IT之家"); what the
fixtures model beyond that is in seeds/ithome/README.md. As RSSHub's `/ithome/:caty` route
does: the list is the links `#list > div.fl > ul > li > div > h2 > a` of one channel page
(`https://it.ithome.com/`); the body is the exact `#paragraph` inner HTML
(rawhtml.inner_html, never re-serialized) with its lazy images made real
(`fix_lazy_images`); the date is `#pubtime_baidu` (`YYYY/M/D H:mm:ss`, Beijing time).

Only the first list page exists for this parser: the site pages its lists with an XHR
POST (`/ithome/getajaxdata.aspx`), which RSSHub's route does not follow either.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from parsel import Selector

from crawler.items import Article
from crawler.parsers import rawhtml
from crawler.parsers.common import (ArticlePage, LayoutError, ListEntry, ListPage, absolute_link,
                                     beijing_datetime, first_text)
from crawler.parsers.tags import Attr, tags

SITE = "ithome"
BODY_ID = "paragraph"
LIST_LINKS = "#list > div.fl > ul > li > div > h2 > a"



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
    if parts.scheme not in ("http", "https") or not (
            host == "ithome.com" or host.endswith(".ithome.com")):
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

def parse_list(html: str, url: str) -> ListPage:
    """Article links of a channel page (first page only; no pagination).

    Links are resolved against `url`; non-article links are dropped, and a second link
    to an article already listed (another URL of the same id) is ignored.
    Raises LayoutError("no-layout") when the page has no `#list`.
    """
    sel = Selector(text=html)
    if not sel.css("#list"):
        raise LayoutError("no-layout", "no #list")
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for a in sel.css(LIST_LINKS):
        link = absolute_link(a.attrib.get("href"), url)
        aid = article_id(link) if link else None
        if link is None or aid is None or aid in seen:
            continue
        seen.add(aid)
        title = " ".join(a.xpath("string()").get("").split()) or a.attrib.get("title", "").strip()
        entries.append(ListEntry(link, title))
    return ListPage(entries)


# --- lazy images --------------------------------------------------------------

_UNQUOTED_OK = re.compile(r"[^\s\"'=<>`]+")      # a value that may stand without quotes
_WS = " \t\n\r\f"


def _quote_char(text: str, attr: Attr) -> str:
    """The quote around an attribute's value ("" when unquoted or valueless)."""
    before = attr.value_span[0] - 1
    if before >= attr.span[0] + len(attr.name) and text[before] in "\"'":
        return text[before]
    return ""


def _attribute(name: str, value: str, quote: str) -> str:
    """`name=<q>value<q>` with `quote` if the value does not hold it, else the other one
    (a value holding both gets its `"` written as `&quot;`, which reads the same)."""
    for q in (quote or '"', "'" if quote == '"' else '"'):
        if q not in value:
            return f"{name}={q}{value}{q}"
    return f'{name}="{value.replace(chr(34), "&quot;")}"'


def _removal(text: str, attr: Attr) -> tuple[int, int]:
    """The span to delete for `attr`: the attribute and the whitespace before it, unless
    the next attribute follows without a space (then that whitespace must stay)."""
    start, end = attr.span
    ws = start
    while text[ws - 1] in _WS:                         # text starts with `<img`: stops there
        ws -= 1
    glued = end < len(text) and text[end] not in _WS + "/>"
    return (start if glued else ws, end)


def _fixed_img(tag_text: str, attrs: list[Attr]) -> str:
    """One `<img …>` (attribute spans relative to it) with src = the data-original value
    and the class and data-original attributes removed."""
    lazy = next(a for a in attrs if a.name == "data-original")
    value = lazy.value                                  # raw: entities as the page wrote them
    src = next((a for a in attrs if a.name == "src"), None)
    edits: list[tuple[int, int, str]] = []              # (start, end, replacement)
    if src is None:                                     # no src: it takes data-original's place
        edits.append((*lazy.span, _attribute("src", value, _quote_char(tag_text, lazy))))
    else:
        q = _quote_char(tag_text, src)
        if (q and q not in value) or (not q and src.value and _UNQUOTED_OK.fullmatch(value)):
            edits.append((*src.value_span, value))      # the value only, quoting as it was
        else:                                           # valueless, or the quotes do not fit
            name = tag_text[src.span[0]:src.span[0] + len("src")]
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
    browser does).
    """
    out: list[str] = []
    pos = 0
    for tag in tags(html):
        start, end = tag.span
        if (tag.name != "img" or tag.closing or tag.get("data-original") is None
                or not html.endswith(">", 0, end)):
            continue
        local = [Attr(a.name, a.value, (a.span[0] - start, a.span[1] - start),
                      (a.value_span[0] - start, a.value_span[1] - start)) for a in tag.attrs]
        out += [html[pos:start], _fixed_img(html[start:end], local)]
        pos = end
    out.append(html[pos:])
    return "".join(out)


# --- article page ---------------------------------------------------------------

_SOURCE_PREFIX = re.compile(r"^\s*(?:来源|作者)\s*[:：]\s*")


def parse_article(html: str, url: str) -> ArticlePage:
    """One article page. Raises LayoutError("no-body" | "no-date")."""
    body = rawhtml.inner_html(html, id=BODY_ID)
    if body is None or not body.strip():
        raise LayoutError("no-body", url)
    body = rawhtml.add_referrerpolicy(fix_lazy_images(body))

    sel = Selector(text=html)
    published = beijing_datetime(first_text(sel, "#pubtime_baidu"))
    if published is None:
        raise LayoutError("no-date", url)
    byline = first_text(sel, "#author_baidu strong") or first_text(sel, "#source_baidu")

    article = Article(
        title=first_text(sel, "div.post_title h1"),
        url=url,
        site=SITE,
        article_id=article_id(url) or "",
        published=published,
        body=body,
        byline=_SOURCE_PREFIX.sub("", byline).strip(),
        image_urls=rawhtml.img_srcs(body, url),
    )
    return ArticlePage(article)
