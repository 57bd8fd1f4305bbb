"""What every portal parser shares: its error, list-page results, link resolution."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import overload
from urllib.parse import urldefrag, urljoin, urlsplit

from parsel import Selector, SelectorList

from crawler.items import Article
from crawler.sites import BEIJING

__all__ = [
    "BEIJING",
    "ArticlePage",
    "Blocked",
    "LayoutError",
    "ListEntry",
    "ListPage",
    "absolute_link",
    "beijing_datetime",
    "first_text",
]  # BEIJING: the
# portals print Beijing time without an offset


class LayoutError(ValueError):
    """A page the parser cannot read; `reason` is a short slug for stats."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class Blocked(LayoutError):
    """The site answered with an anti-bot stub, a challenge or a login wall instead of the
    page: not a layout change (`blocked` skip, exit 5). `detail` says what was seen."""

    def __init__(self, detail: str) -> None:
        super().__init__("blocked", detail)


@dataclass
class ListEntry:
    url: str  # absolute article URL
    title: str  # link text, whitespace-trimmed


@dataclass
class ListPage:
    entries: list[ListEntry]
    next_url: str | None = None  # the next list page, when the portal has one
    layout: str = ""  # the layout version the page matched (layouts.py)


@dataclass
class ArticlePage:
    article: Article
    layout: str = ""  # the layout version the page matched (layouts.py)


def absolute_link(href: str | None, base: str) -> str | None:
    """An http(s) link resolved against `base`, without fragment; None for `javascript:`,
    `mailto:`, `#…`, other schemes and what is no URL at all (`http://[::1/`)."""
    href = (href or "").strip()
    if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
        return None
    try:
        url = urldefrag(urljoin(base, href))[0]
        return url if urlsplit(url).scheme in ("http", "https") else None
    except ValueError:
        return None


def first_text(sel: Selector, *queries: str) -> str:
    """Whitespace-collapsed text of the first CSS query that matches something non-empty."""
    for q in queries:
        for node in sel.css(q):
            t = " ".join(node.xpath("string()").get("").split())
            if t:
                return t
    return ""


_DATETIME = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?")


def beijing_datetime(text: str) -> datetime | None:
    """The first `YYYY-M-D H:MM[:SS]` (`-`, `/` or `.` between the date's parts, no zero
    padding needed) in `text`, in Beijing time; None when there is no valid one."""
    m = _DATETIME.search(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    try:
        return datetime(y, mo, d, h, mi, s, tzinfo=BEIJING)
    except ValueError:
        return None


@overload
def attr(sel: Selector | SelectorList, name: str) -> str | None: ...
@overload
def attr(sel: Selector | SelectorList, name: str, default: str) -> str: ...
def attr(sel: Selector | SelectorList, name: str, default: str | None = None) -> str | None:
    """One attribute of a parsel element (of a list's first), as `.attrib.get` would give it.
    `.attrib` builds a dict of all of them, and raises ValueError on a name lxml cannot map
    (a broken page's `t{arget=`)."""
    first = sel[0] if isinstance(sel, SelectorList) and sel else sel
    root = first.root if isinstance(first, Selector) else ""
    return default if isinstance(root, str) else root.get(name, default)
