"""Named layout versions of a portal's pages, chosen by what the page holds.

Each portal parser declares its versions newest first (`LIST_LAYOUTS`, `ARTICLE_LAYOUTS`):
a name (`2026`, `corpus-2022` …), whether the site serves it today or it is of the corpus
era, the marker that identifies it, the selector of each field and the public evidence.
`pick` returns the first version whose marker the page holds; results carry the version's
name, the spider counts it (`newsarchive/layout/<site>/<version>`) and the layout alarm
and `scrapy sites`/`probe` name the versions and their selectors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from parsel import Selector

from crawler.parsers.common import LayoutError

CURRENT, CORPUS = "current", "corpus"  # served today / as the corpus-era routes read it
# Characters lxml refuses in names and values (it would raise on reading such an attribute):
# dropped from the tree's text; a form feed (HTML whitespace) becomes a space.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")


class Page:
    """A page's text and URL, with its parsel tree built once, on first use."""

    def __init__(self, text: str, url: str) -> None:
        self.text = text
        self.url = url

    @cached_property
    def sel(self) -> Selector:
        return Selector(text=_NOT_XML.sub("", self.text).replace("\x0c", " "))


@dataclass(frozen=True)
class Layout:
    """One version of one kind of page (a list or an article page) of a portal."""

    name: str  # e.g. "2026", "corpus-2022"
    era: str  # CURRENT or CORPUS
    marker: str  # CSS selector the page holds (or, with `detect`, what it checks)
    fields: Mapping[str, str] = field(default_factory=dict)  # field → selector, for alarms and sites
    source: str = ""  # the public evidence for this version
    detect: Callable[[Page], bool] | None = field(default=None, compare=False)

    def matches(self, page: Page) -> bool:
        if self.detect is not None:
            return self.detect(page)
        return bool(page.sel.css(self.marker))


def pick(layouts: Sequence[Layout], page: Page, *, fallback: Layout | None = None) -> Layout:
    """The first (newest) version whose marker `page` holds; else `fallback`; else a
    LayoutError("no-layout") naming every version tried and its marker."""
    for layout in layouts:
        if layout.matches(page):
            return layout
    if fallback is not None:
        return fallback
    raise LayoutError("no-layout", f"{page.url}: tried {tried(layouts)}")


def tried(layouts: Sequence[Layout]) -> str:
    """`2026 (#dt h1), corpus-2022 (div.post_title)`: the versions and their markers."""
    return ", ".join(f"{x.name} ({x.marker})" for x in layouts)


def field_selectors(*kinds: Sequence[Layout]) -> dict[str, str]:
    """Per field, the selector of every version that reads it (`2026: a.t | corpus-2022: h2 > a`);
    the list pages' links are the field `list`. For the layout alarm, `sites` and `probe`."""
    out: dict[str, list[str]] = {}
    for layouts in kinds:
        for layout in layouts:
            for name, selector in layout.fields.items():
                out.setdefault(name, []).append(f"{layout.name}: {selector}")
    return {name: " | ".join(parts) for name, parts in out.items()}
