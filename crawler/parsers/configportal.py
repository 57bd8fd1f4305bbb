"""A portal declared in newsarchive.toml: list and article pages read by its selectors.

Pure functions of (rules, HTML text, URL). One layout version, `config` (current), whose
fields are the config's selectors; errors name the selector and its key in the file. The
body is the exact inner HTML of the first `body` element (cssslice.py), the `remove`
elements cut out, `referrerpolicy` added to images, as for the built-in portals.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from parsel import Selector

from crawler.config import PortalRules
from crawler.items import Article
from crawler.parsers import common, rawhtml
from crawler.parsers.common import LayoutError, ListEntry, ListPage, absolute_link, attr
from crawler.parsers.cssslice import MarkedPage
from crawler.parsers.layouts import CURRENT, Layout

VERSION = "config"


@dataclass
class ArticlePage(common.ArticlePage):
    next_page_url: str | None = None  # `next_page`: the article's next page, if any


def list_layout(rules: PortalRules) -> Layout:
    return Layout(
        VERSION,
        CURRENT,
        rules.links,
        {"list": f"{rules.links} ({rules.where('portals.list.links')})"},
        source=rules.source,
    )


def article_layout(rules: PortalRules) -> Layout:
    fields = {"title": rules.title, "date": rules.date, "body": rules.body}
    out = {k: f"{v} ({rules.where(f'portals.article.{k}')})" for k, v in fields.items()}
    if rules.images:
        out["image"] = f"{rules.body} img[src] ({rules.where('portals.article.body')})"
    return Layout(VERSION, CURRENT, rules.body, out, source=rules.source)


def article_id(rules: PortalRules, url: str) -> str | None:
    """The `id` regex's group on the URL (None: no match, not an article); without `id`,
    the first 16 hex digits of sha1(URL)."""
    if rules.id is None:
        return hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]
    m = rules.id.search(url)
    return m.group(1) if m and m.group(1) else None


def _link(node: Selector) -> str | None:
    """The href of a selected `<a>`, else of the first `a[href]` inside it."""
    href = attr(node, "href") if not isinstance(node.root, str) else None
    return href if href is not None else node.css("a[href]::attr(href)").get()


def text_of(sel: Selector, query: str) -> str:
    """Whitespace-collapsed text of the first match of `query` that has some (an element's
    text, or what `::text`/`::attr(name)` selects)."""
    for node in sel.css(query):
        raw = node.root if isinstance(node.root, str) else node.xpath("string()").get("")
        text = " ".join(raw.split())
        if text:
            return text
    return ""


def parse_list(rules: PortalRules, html: str, url: str) -> ListPage:
    """The article links (`list.links`, each URL once, in page order) and the next list
    page (`list.next`)."""
    sel = Selector(text=html)
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for node in sel.css(rules.links):
        link = absolute_link(_link(node), url)
        if not link or link in seen:
            continue
        seen.add(link)
        title = "" if isinstance(node.root, str) else " ".join(node.xpath("string()").get("").split())
        entries.append(ListEntry(link, title or attr(node, "title", "").strip()))
    next_url = None
    if rules.next:
        for node in sel.css(rules.next):
            next_url = absolute_link(_link(node), url)
            if next_url and next_url != url:
                break
            next_url = None
    return ListPage(entries, next_url, layout=VERSION)


# --- dates ----------------------------------------------------------------------

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_DATETIME = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*"
    r"(?:(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2}))?)?"
)


def parse_date(text: str, tz: tzinfo, date_format: str | None = None) -> datetime | None:
    """An aware datetime from a page's date text; a date without an offset is in `tz`.

    With `date_format` (strptime codes), the whole text must match it; else the first of
    ISO 8601 (`2021-04-25T16:06:43+08:00`), `2022-06-22 20:16[:05]` (`-`, `/`, `.` or
    `年月日` between the parts) or a date alone (midnight)."""
    text = " ".join(text.split())
    if date_format:
        try:
            got = datetime.strptime(text, date_format)
        except ValueError:
            return None
        return got if got.tzinfo else got.replace(tzinfo=tz)
    m = _ISO.search(text)
    if m:
        try:
            got = datetime.fromisoformat(m.group())
            return got if got.tzinfo else got.replace(tzinfo=tz)
        except ValueError:
            pass
    m = _DATETIME.search(text)
    if m:
        y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
        try:
            return datetime(y, mo, d, h, mi, s, tzinfo=tz)
        except ValueError:
            return None
    return None


# --- article pages ----------------------------------------------------------------


def parse_article(rules: PortalRules, html: str, url: str, *, further: bool = False) -> ArticlePage:
    """One article page (`further`: a later page of one article, of which only the body
    and the next page are read).

    Raises LayoutError("no-body" | "no-date"), the detail naming the selector and its key.
    """
    page = MarkedPage(html)
    sel = page.sel
    node = sel.css(rules.body)
    if not node:
        raise LayoutError(
            "no-body",
            f"{url}: {VERSION}: nothing matched {rules.body!r} ({rules.where('portals.article.body')})",
        )
    body = page.inner_html(node[0], rules.remove)
    if body is None:
        raise LayoutError(
            "no-body",
            f"{url}: {VERSION}: {rules.body!r} never ends "
            f"(a page cut short?) ({rules.where('portals.article.body')})",
        )
    if not body.strip():
        raise LayoutError(
            "no-body", f"{url}: {VERSION}: {rules.body!r} is empty ({rules.where('portals.article.body')})"
        )
    body = rawhtml.add_referrerpolicy(body)
    published = None
    if not further:
        date_text = text_of(sel, rules.date)
        published = parse_date(date_text, rules.tz, rules.date_format)
        if published is None:
            found = (
                f"{date_text!r} is no date{' of ' + repr(rules.date_format) if rules.date_format else ''}"
                if date_text
                else "nothing matched"
            )
            raise LayoutError(
                "no-date",
                f"{url}: {VERSION}: {rules.date!r}: {found} ({rules.where('portals.article.date')})",
            )
    next_url = None
    if rules.next_page:
        for n in sel.css(rules.next_page):
            next_url = absolute_link(_link(n), url)
            if next_url and next_url != url:
                break
            next_url = None
    article = Article(
        title="" if further else text_of(sel, rules.title),
        url=url,
        site=rules.name,
        article_id=article_id(rules, url) or "",
        published=published,
        body=body,
        image_urls=rawhtml.img_srcs(body, url),
        categories=list(rules.categories),
        author=rules.author,
    )
    return ArticlePage(article, layout=VERSION, next_page_url=next_url)
